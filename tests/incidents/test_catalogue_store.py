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
