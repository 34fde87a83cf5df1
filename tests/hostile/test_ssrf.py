"""Issue 15, SSRF: a source URL, or a redirect, naming a non-public address in any spelling is refused with
a clear error when the source is added (add_source, admin) and when it is fetched.

Corpus: tests/fixtures/hostile/ssrf-urls.txt (one spelling a line, with the word its refusal must name).
The tests run with OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1 (tests/settings.py); here it is off, as in production.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from articles.http import netguard
from articles.models import Source
from articles.polling import poll_source
from tests.factories import SourceFactory
from tests.httpserver import LocalHTTPServer, redirect_to

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile" / "ssrf-urls.txt"
CASES = [tuple(line.split("\t")) for line in CORPUS.read_text().splitlines() if line and not line.startswith("#")]
PRODUCTION = override_settings(OUTAGEHUB_ALLOW_PRIVATE_SOURCES=False)


def spelled(http_server, template: str) -> str:
    return template.replace("{port}", str(http_server.port))


def case_id(case):
    return case[0].replace("{port}", "PORT")


@pytest.fixture(scope="module")
def public_site():
    """A stand-in for a public status page: a real HTTP server on 127.0.0.2, which only the fixture below
    lets the guard take for public. Every spelling of 127.0.0.1 stays loopback."""
    with LocalHTTPServer(host="127.0.0.2") as server:
        yield server


@pytest.fixture
def public(public_site, monkeypatch):
    public_site.reset()
    classify = netguard.classify_address
    stand_in = netguard.ipaddress.ip_address(public_site.host)
    monkeypatch.setattr(netguard, "classify_address", lambda ip: None if ip == stand_in else classify(ip))
    return public_site


def test_the_corpus_covers_every_kind_of_non_public_address():
    assert len(CASES) >= 70
    assert {kind for _url, kind in CASES} == {
        "loopback", "unspecified", "private", "link-local", "the cloud metadata service",
        "shared (carrier-grade NAT)", "multicast", "reserved", "site-local",
    }


@pytest.mark.parametrize(("url", "kind"), CASES, ids=[case_id(case) for case in CASES])
def test_the_guard_refuses_every_spelling_and_names_the_kind(url, kind):
    with pytest.raises(netguard.UnsafeURLError) as caught:
        netguard.check_url(url.replace("{port}", "8080"), allow_private=False)
    assert caught.value.message.startswith("refused: ")
    assert kind in caught.value.reason
    assert not isinstance(caught.value, netguard.UnresolvableHostError)


# --- at add time --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@PRODUCTION
@pytest.mark.parametrize(("url", "kind"), CASES, ids=[case_id(case) for case in CASES])
def test_add_source_refuses_every_spelling_before_storing_or_fetching(http_server, url, kind):
    url = spelled(http_server, url)
    for allow in ([], ["--allow-private"]):  # the switch is off: even a source that asks is refused
        with pytest.raises(CommandError) as caught:
            call_command("add_source", url, "--kind", "feed", *allow)
        message = str(caught.value)
        assert "cannot be a source: " in message and kind in message
        assert "--allow-private and OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1" in message
        assert "user:pass" not in message and "example.com@" not in message  # userinfo redacted
    assert not Source.objects.exists()
    assert http_server.requests("/feed") == []


@pytest.mark.django_db
@PRODUCTION
def test_add_source_refuses_a_private_address_even_when_it_detects_the_kind(http_server):
    http_server.serve_file("/history.atom", "statuspage/githubstatus-history-2019-11-22.atom")
    with pytest.raises(CommandError, match=r"cannot be a source: 127\.0\.0\.1 is a loopback address"):
        call_command("add_source", http_server.url("/history.atom"), "--allow-private")
    assert http_server.requests("/history.atom") == [] and not Source.objects.exists()


@pytest.mark.django_db
def test_with_the_switch_on_only_a_source_that_asks_may_be_private(http_server, capsys):
    with pytest.raises(CommandError, match="loopback address"):
        call_command("add_source", http_server.url("/feed"), "--kind", "feed")
    call_command("add_source", http_server.url("/feed"), "--kind", "feed", "--allow-private", "--name", "intranet")
    assert capsys.readouterr().out.strip() == "intranet feed"


@pytest.mark.django_db
@PRODUCTION
def test_a_name_that_does_not_resolve_now_is_added_and_checked_at_every_fetch(capsys):
    call_command("add_source", "https://status.outagehub-test.invalid/history.atom", "--kind", "statuspage_feed")
    assert capsys.readouterr().out.strip().endswith(" statuspage_feed")


@pytest.fixture
def editor(client):
    client.force_login(User.objects.create_superuser("editor", "editor@example.invalid", "x"))
    return client


def add_in_admin(client, url: str, allow_private: bool = False):
    data = {"name": "Hostile", "slug": "hostile", "kind": "feed", "url": url, "vendor_name": "",
            "enabled": "on", "poll_interval": "300", "next_fetch_at_0": "2026-01-01", "next_fetch_at_1": "00:00:00",
            "attempts-TOTAL_FORMS": "0", "attempts-INITIAL_FORMS": "0",
            "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0"}
    if allow_private:
        data["allow_private_addresses"] = "on"
    return client.post("/admin/articles/source/add/", data)


@pytest.mark.django_db
@PRODUCTION
@pytest.mark.parametrize(("url", "kind"), CASES, ids=[case_id(case) for case in CASES])
def test_the_admin_source_form_refuses_every_spelling(editor, http_server, url, kind):
    response = add_in_admin(editor, spelled(http_server, url), allow_private=True)
    assert response.status_code == 200  # the form again, with its errors
    [error] = response.context["adminform"].form.errors["url"]
    if error != "Enter a valid URL.":  # Django's own URL check refuses some numeric spellings first
        assert error.startswith("This URL cannot be a source: ") and kind in error
        assert "OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1" in error
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_the_admin_stores_an_internal_status_page_only_when_allowed(editor, http_server, settings):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True
    refused = add_in_admin(editor, http_server.url("/feed"))
    assert "loopback address" in refused.context["adminform"].form.errors["url"][0]
    assert add_in_admin(editor, http_server.url("/feed"), allow_private=True).status_code == 302
    assert Source.objects.get().url == http_server.url("/feed")


# --- at fetch time --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@PRODUCTION
@pytest.mark.parametrize(("url", "kind"), CASES, ids=[case_id(case) for case in CASES])
def test_a_stored_source_with_a_forbidden_url_fails_its_poll_without_connecting(http_server, url, kind):
    # Rows written before add time checked, or by a script: the fetch refuses them again.
    http_server.serve("/feed", "<rss/>")
    source = SourceFactory(url=spelled(http_server, url), allow_private_addresses=True)
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert report.outcome == "error"
    assert source.last_error.startswith("refused: ") and kind in source.last_error
    assert http_server.requests("/feed") == []


@pytest.mark.django_db
@PRODUCTION
@pytest.mark.parametrize(("url", "kind"), CASES, ids=[case_id(case) for case in CASES])
def test_a_redirect_to_any_spelling_is_refused_before_connecting(http_server, public, url, kind):
    http_server.serve("/feed", "<rss/>")
    target = spelled(http_server, url)
    source = SourceFactory(url=redirect_to(public, target))
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert report.outcome == "error"
    assert source.last_error.startswith(f"refused redirect from 127.0.0.2:{public.port} to "), source.last_error
    assert kind in source.last_error
    assert "pass@" not in source.last_error  # the target's userinfo is redacted
    assert http_server.requests("/feed") == []


@pytest.mark.django_db
@PRODUCTION
def test_a_redirect_to_a_name_resolving_to_loopback_is_refused(http_server, public):
    http_server.serve("/feed", "<rss/>")
    source = SourceFactory(url=redirect_to(public, f"http://localhost:{http_server.port}/feed", code=301))
    poll_source(source.pk)
    source.refresh_from_db()
    assert f"to http://localhost:{http_server.port}/feed: localhost resolves to 127.0.0.1, a loopback address" \
        in source.last_error
    assert http_server.requests("/feed") == []


@pytest.mark.django_db
@PRODUCTION
def test_the_stand_in_public_site_itself_is_fetched(public):
    # The control for the redirect tests: without a forbidden hop the same poll succeeds.
    public.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    source = SourceFactory(url=redirect_to(public, public.url("/ars.rss")))
    assert poll_source(source.pk).new == 20
