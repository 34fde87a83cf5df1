import pytest
from django.core.management import CommandError, call_command

from articles.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_it_detects_the_kind_and_prints_slug_and_kind(http_server, capsys):
    http_server.serve_file("/history.atom", "statuspage/githubstatus-history-2019-11-22.atom")
    call_command("add_source", http_server.url("/history.atom"), "--name", "GitHub status", "--vendor", "GitHub",
                 "--allow-private")
    assert capsys.readouterr().out.strip() == "github-status statuspage_feed"
    source = Source.objects.get()
    assert (source.vendor_name, source.poll_interval, source.allow_private_addresses) == ("GitHub", 60, True)


def test_a_private_address_is_allowed_only_with_allow_private(http_server):
    http_server.serve_file("/history.atom", "statuspage/githubstatus-history-2019-11-22.atom")
    with pytest.raises(CommandError, match="is a loopback address"):
        call_command("add_source", http_server.url("/history.atom"))
    with pytest.raises(CommandError, match=r"cannot be a source: 127\.0\.0\.1 is a loopback address"):
        call_command("add_source", http_server.url("/feed"), "--kind", "feed")  # refused before it is stored
    assert not Source.objects.exists()


def test_a_given_kind_is_used_without_fetching(capsys):
    call_command("add_source", "https://feeds.arstechnica.com/arstechnica/index", "--kind", "feed", "--name", "Ars")
    assert capsys.readouterr().out.strip() == "ars feed"
    assert Source.objects.get().poll_interval == 300


def test_slugs_stay_unique(capsys):
    SourceFactory(slug="ars")
    call_command("add_source", "https://example.com/feed", "--kind", "feed", "--name", "Ars")
    assert capsys.readouterr().out.strip() == "ars-2 feed"


def test_bad_input_is_a_clear_error(http_server):
    with pytest.raises(CommandError, match="not an http"):
        call_command("add_source", "file:///etc/passwd")
    http_server.serve("/page", "<html><body>hello</body></html>", content_type="text/html")
    with pytest.raises(CommandError, match="pass --kind"):
        call_command("add_source", http_server.url("/page"), "--allow-private")
    with pytest.raises(CommandError, match="could not fetch"):
        call_command("add_source", http_server.url("/misbehave/status?code=404"), "--allow-private")
    SourceFactory(url="https://example.com/feed", slug="ex")
    with pytest.raises(CommandError, match="already a source: ex"):
        call_command("add_source", "https://example.com/feed", "--kind", "feed")


def test_a_name_with_characters_no_text_may_hold_is_stored_without_them(capsys):
    # PostgreSQL refused the NUL outright (a crash, issue 15); SQLite stored it, and the escape, as given.
    call_command("add_source", "https://example.com/feed", "--kind", "feed", "--name", "Ex\x00am\x1bple\n feed",
                 "--vendor", "Ven\x00dor")
    assert (Source.objects.get().name, Source.objects.get().vendor_name) == ("Example feed", "Vendor")
    assert capsys.readouterr().out.strip() == "example-feed feed"
