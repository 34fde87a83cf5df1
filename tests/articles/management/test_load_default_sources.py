"""load_default_sources creates or updates the curated sources by slug and leaves editors' choices alone."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Source
from articles.sources_catalog import load_default_sources
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def load(*args) -> list[str]:
    out = StringIO()
    call_command("load_default_sources", *args, stdout=out, no_color=True)
    return out.getvalue().splitlines()


def write_sources(tmp_path, entries):
    path = tmp_path / "sources.json"
    path.write_text(json.dumps({"_about": "test", "sources": entries}), encoding="utf-8")
    return path


def news(slug="example-news", url="https://news.example.com/feed/", **overrides):
    entry = {"slug": slug, "name": "Example News", "kind": "feed", "url": url, "vendor": "", "poll_interval": 300}
    return {**entry, **overrides}


def test_the_first_run_creates_every_shipped_source():
    catalog = load_default_sources()
    lines = load()
    total = len(catalog)
    assert lines[-1] == f"{total} sources: {total} created, 0 updated, 0 unchanged"
    assert len(lines) == total + 1
    assert Source.objects.count() == total
    github = Source.objects.get(slug="github")
    assert (github.kind, github.vendor_name, github.poll_interval, github.enabled) == ("statuspage", "GitHub", 60, True)
    assert github.url == "https://www.githubstatus.com/api/v2/incidents.json"
    assert github.host == "www.githubstatus.com"


def test_running_twice_creates_nothing_new():
    load()
    count = Source.objects.count()
    lines = load()
    assert Source.objects.count() == count
    assert lines[-1] == f"{count} sources: 0 created, 0 updated, {count} unchanged"
    assert all(line.startswith("unchanged") for line in lines[:-1])


def test_one_line_per_source_then_a_summary(tmp_path):
    path = write_sources(tmp_path, [news(), news("other-news", "https://other.example.com/rss")])
    assert load("--file", str(path)) == [
        "created   example-news (feed) https://news.example.com/feed/",
        "created   other-news (feed) https://other.example.com/rss",
        "2 sources: 2 created, 0 updated, 0 unchanged",
    ]


def test_an_editor_disabled_source_stays_disabled_but_is_updated(tmp_path):
    path = write_sources(tmp_path, [news()])
    load("--file", str(path))
    Source.objects.filter(slug="example-news").update(enabled=False, name="Renamed by hand")

    lines = load("--file", str(path))

    source = Source.objects.get(slug="example-news")
    assert source.enabled is False
    assert source.name == "Example News"
    assert lines[0] == (
        "updated   example-news (feed) https://news.example.com/feed/ [name] (disabled by an editor; left disabled)"
    )
    assert lines[-1] == "1 source: 0 created, 1 updated, 0 unchanged"


def test_a_new_url_forgets_the_old_urls_validators(tmp_path):
    load("--file", str(write_sources(tmp_path, [news()])))
    Source.objects.filter(slug="example-news").update(etag='"abc"', last_modified="Mon, 01 Jan 2024", body_hash="f00")

    load("--file", str(write_sources(tmp_path, [news(url="https://news.example.com/atom.xml")])))

    source = Source.objects.get(slug="example-news")
    assert (source.url, source.host) == ("https://news.example.com/atom.xml", "news.example.com")
    assert (source.etag, source.last_modified, source.body_hash) == ("", "", "")


def test_fetch_state_is_kept_when_only_the_name_changes(tmp_path):
    load("--file", str(write_sources(tmp_path, [news()])))
    Source.objects.filter(slug="example-news").update(etag='"abc"', consecutive_failures=3)

    load("--file", str(write_sources(tmp_path, [news(name="Example News Daily")])))

    source = Source.objects.get(slug="example-news")
    assert (source.name, source.etag, source.consecutive_failures) == ("Example News Daily", '"abc"', 3)


def test_a_url_owned_by_another_source_is_skipped_with_what_to_do(tmp_path):
    SourceFactory(slug="my-news", url="https://news.example.com/feed/")
    path = write_sources(tmp_path, [news(), news("other-news", "https://other.example.com/rss")])
    out = StringIO()

    with pytest.raises(CommandError, match="1 source\\(s\\) skipped"):
        call_command("load_default_sources", "--file", str(path), stdout=out, no_color=True)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("skipped   example-news (feed) https://news.example.com/feed/")
    assert "already belongs to source 'my-news'" in lines[0]
    assert lines[-1] == "2 sources: 1 created, 0 updated, 0 unchanged, 1 skipped"
    assert Source.objects.filter(slug="other-news").exists()


def test_a_bad_file_is_refused_with_the_file_entry_and_cause(tmp_path):
    path = write_sources(tmp_path, [news(kind="rss")])
    with pytest.raises(CommandError) as caught:
        load("--file", str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "entry 1 ('example-news'): unknown kind 'rss'" in message
    assert Source.objects.count() == 0
