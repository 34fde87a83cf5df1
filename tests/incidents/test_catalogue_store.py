import pytest
from django.core.management import call_command

from incidents.models import Service, Vendor

pytestmark = pytest.mark.django_db


def test_the_data_migration_loaded_the_shipped_catalogue():
    assert Vendor.objects.count() >= 80 and Service.objects.count() >= 250
    exchange = Service.objects.get(name="Exchange Online")
    assert exchange.vendor.name == "Microsoft" and "EXO" in exchange.aliases and exchange.description


def test_reloading_changes_nothing_and_keeps_aliases_an_editor_added(capsys):
    exchange = Service.objects.get(name="Exchange Online")
    exchange.aliases = [*exchange.aliases, "Exchange mail"]
    exchange.save()
    call_command("load_catalogue")
    out = capsys.readouterr().out
    assert "(0 created, 0 updated)" in out
    assert "Exchange mail" in Service.objects.get(pk=exchange.pk).aliases


def test_a_changed_description_is_restored_from_the_file(capsys):
    Vendor.objects.filter(slug="cloudflare").update(description="edited")
    call_command("load_catalogue")
    assert Vendor.objects.get(slug="cloudflare").description != "edited"
    assert "1 updated" in capsys.readouterr().out


def test_the_version_read_with_another_query_equals_the_one_read_alone_and_an_edit_changes_it():
    from articles.models import Source
    from incidents.catalogue_store import catalogue_version, version_annotations

    def read_along() -> tuple:  # as the pipeline reads it, with a row it fetches anyway
        Source.objects.get_or_create(slug="any", defaults={"name": "Any", "kind": "feed", "url": "https://a.example/"})
        return catalogue_version(Source.objects.annotate(**version_annotations()).first())

    before = catalogue_version()
    assert read_along() == before and before[0] == Vendor.objects.count()
    cloudflare = Vendor.objects.get(slug="cloudflare")
    cloudflare.aliases = [*cloudflare.aliases, "CF"]
    cloudflare.save()
    assert read_along() == catalogue_version() != before


def test_vendor_and_service_ids_follow_the_catalogue_as_last_read():
    from incidents.catalogue_store import current_catalogue, service_ids, vendor_id

    current_catalogue()
    microsoft = Vendor.objects.get(slug="microsoft")
    assert vendor_id(names=["Microsoft", "Zoom"]) == microsoft.pk  # the first name in the vendors' order
    assert vendor_id(names=["Nobody"], slug="microsoft") == microsoft.pk
    assert vendor_id(names=[], slug=None) is None
    assert service_ids({"exchange-online", "no-such-service"}) == {Service.objects.get(slug="exchange-online").pk}
    added = Vendor.objects.create(slug="newco", name="NewCo")
    current_catalogue()  # reads the new version
    assert vendor_id(slug="newco") == added.pk
