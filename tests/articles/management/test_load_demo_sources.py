"""load_demo_sources points one source per recorded payload at the local demo server."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Source
from articles.sources_catalog import load_demo_sources

pytestmark = pytest.mark.django_db

BASE_URL = "http://127.0.0.1:8001"


def load(*args) -> list[str]:
    out = StringIO()
    call_command("load_demo_sources", *args, stdout=out, no_color=True)
    return out.getvalue().splitlines()


def test_creates_one_source_per_payload_at_base_url_plus_path():
    catalog = load_demo_sources()
    lines = load("--base-url", BASE_URL)

    total = len(catalog)
    assert lines[-1] == f"{total} sources: {total} created, 0 updated, 0 unchanged"
    assert Source.objects.count() == total
    for entry in catalog:
        source = Source.objects.get(slug=entry.slug)
        assert source.url == f"{BASE_URL}/{entry.path}"
        assert (source.kind, source.vendor_name) == (entry.kind, entry.vendor)
    ars = Source.objects.get(url=f"{BASE_URL}/technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    assert (ars.kind, ars.vendor_name, ars.host) == ("feed", "", "127.0.0.1")


def test_running_twice_creates_nothing_new():
    load("--base-url", BASE_URL)
    count = Source.objects.count()
    lines = load("--base-url", BASE_URL + "/")  # a trailing slash is the same base
    assert Source.objects.count() == count
    assert lines[-1] == f"{count} sources: 0 created, 0 updated, {count} unchanged"


def test_a_new_base_url_updates_every_source_and_keeps_disabled_ones_off():
    load("--base-url", BASE_URL)
    disabled = Source.objects.order_by("slug").first()
    disabled.enabled = False
    disabled.save(update_fields=["enabled"])

    lines = load("--base-url", "http://localhost:9000")

    count = Source.objects.count()
    assert lines[-1] == f"{count} sources: 0 created, {count} updated, 0 unchanged"
    assert not Source.objects.exclude(url__startswith="http://localhost:9000/").exists()
    disabled.refresh_from_db()
    assert disabled.enabled is False
    assert any(line.startswith(f"updated   {disabled.slug} ") and "left disabled" in line for line in lines)


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1:8001", "127.0.0.1:8001", "http://", "http://host/?x=1"])
def test_a_base_url_that_is_not_http_is_refused_with_what_to_pass(base_url):
    with pytest.raises(CommandError) as caught:
        load("--base-url", base_url)
    message = str(caught.value)
    assert f"--base-url {base_url!r}" in message
    assert "http://127.0.0.1:8001" in message
    assert Source.objects.count() == 0


def test_warns_on_stderr_when_the_fetcher_would_refuse_the_local_server(settings):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = False
    out, err = StringIO(), StringIO()
    call_command("load_demo_sources", "--base-url", BASE_URL, stdout=out, stderr=err, no_color=True)
    assert "OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1" in err.getvalue()
    assert out.getvalue().splitlines()[-1].endswith("0 unchanged")

    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True
    err = StringIO()
    call_command("load_demo_sources", "--base-url", BASE_URL, stdout=StringIO(), stderr=err, no_color=True)
    assert err.getvalue() == ""
