"""The shipped source lists validate, and a broken list says which file, which entry and why."""

import json
from collections import Counter

import pytest

from articles.adapters import ADAPTERS
from articles.sources_catalog import (
    FIXTURES_DIR,
    NEWS_KIND,
    CatalogError,
    load_default_sources,
    load_demo_sources,
)
from tests.fixture_folders import CRAFTED

# --- the shipped files ---------------------------------------------------------------------------


def test_default_sources_list_enough_news_feeds_and_status_pages():
    sources = load_default_sources()
    news = [source for source in sources if source.kind == NEWS_KIND]
    status_pages = [source for source in sources if source.kind != NEWS_KIND]
    assert len(news) >= 10
    assert len(status_pages) >= 30


def test_default_sources_have_unique_slugs_and_urls_and_known_kinds():
    sources = load_default_sources()
    assert [slug for slug, n in Counter(s.slug for s in sources).items() if n > 1] == []
    assert [url for url, n in Counter(s.url for s in sources).items() if n > 1] == []
    assert {source.kind for source in sources} <= set(ADAPTERS)


def test_default_news_feeds_have_no_vendor_and_status_pages_poll_faster():
    for source in load_default_sources():
        if source.is_news:
            assert (source.vendor, source.poll_interval) == ("", 300), source.slug
        else:
            assert source.vendor and source.poll_interval == 60, source.slug


def test_default_sources_cover_the_big_clouds():
    kinds = Counter(source.kind for source in load_default_sources())
    for kind in ("aws_rss", "azure", "gcp", "slack", "statusio", "statuspage"):
        assert kinds[kind] >= 1, kind


def test_every_demo_payload_exists_and_every_kind_is_known():
    sources = load_demo_sources()  # checks each path is a file under tests/fixtures
    assert {source.kind for source in sources} <= set(ADAPTERS)
    for source in sources:
        assert (FIXTURES_DIR / source.path).is_file()


def test_every_recorded_payload_has_a_demo_source():
    listed = {source.path for source in load_demo_sources()}
    recorded = {
        path.relative_to(FIXTURES_DIR).as_posix()
        for path in FIXTURES_DIR.rglob("*")
        if path.is_file() and path.suffix != ".md" and not path.name.startswith(".")
        and path.relative_to(FIXTURES_DIR).parts[0] not in CRAFTED
    }
    missing = sorted(recorded - listed)
    assert missing == [], f"add these payloads to articles/data/demo_sources.json: {missing}"


def test_the_demo_covers_every_kind_that_has_a_recorded_payload():
    covered = {source.kind for source in load_demo_sources()}
    assert set(ADAPTERS) <= covered


def test_demo_slugs_and_urls_never_collide_with_the_real_sources():
    real = load_default_sources()
    demo = load_demo_sources()
    assert all(source.slug.startswith("demo-") for source in demo)
    assert {s.slug for s in real}.isdisjoint(s.slug for s in demo)
    assert len({s.slug for s in demo}) == len(demo)


def test_a_demo_url_is_the_base_url_then_the_payload_path():
    source = next(s for s in load_demo_sources() if s.path.endswith("arstechnica-feed-2025-10-25-aws-outage.rss"))
    expected = "http://127.0.0.1:8001/technews/arstechnica-feed-2025-10-25-aws-outage.rss"
    assert source.url("http://127.0.0.1:8001/") == expected
    assert source.kind == "feed"
    assert source.content_type.startswith("application/rss+xml")


# --- broken files --------------------------------------------------------------------------------

KINDS = ["feed", "statuspage"]


def news(**overrides):
    entry = {
        "slug": "example-news",
        "name": "Example News",
        "kind": "feed",
        "url": "https://news.example.com/feed/",
        "vendor": "",
        "poll_interval": 300,
    }
    return {**entry, **overrides}


def write_sources(tmp_path, entries, name="sources.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"_about": "test", "sources": entries}), encoding="utf-8")
    return path


def problems_in(path, **kwargs) -> str:
    with pytest.raises(CatalogError) as caught:
        load_default_sources(path, known_kinds=KINDS, **kwargs)
    return str(caught.value)


def test_a_valid_small_file_loads(tmp_path):
    path = write_sources(tmp_path, [news()])
    [source] = load_default_sources(path, known_kinds=KINDS)
    assert (source.slug, source.kind, source.url) == ("example-news", "feed", "https://news.example.com/feed/")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([news(kind="rss")], ["entry 1 ('example-news')", "unknown kind 'rss'", "known kinds: feed, statuspage"]),
        (
            [news(), news(url="https://other.example.com/feed")],
            ["entry 2 ('example-news')", "duplicate slug 'example-news', already used by entry 1"],
        ),
        ([news(url="ftp://news.example.com/feed")], ["bad url 'ftp://news.example.com/feed'", "http:// or https://"]),
        ([news(url="https:///feed")], ["bad url", "has no host name"]),
        (
            [news(), news(slug="copy")],
            ["entry 2 ('copy')", "url 'https://news.example.com/feed/' is also used by entry 1"],
        ),
        ([{k: v for k, v in news().items() if k != "url"}], ["entry 1 ('example-news')", "missing field 'url'"]),
        ([news(vendor_name="Example")], ["unknown field(s) vendor_name", "allowed: slug, name, kind"]),
        ([news(slug="has spaces")], ["slug 'has spaces' must be"]),
        ([news(poll_interval="60")], ["field 'poll_interval' must be a whole number, got '60'"]),
        ([news(kind="statuspage")], ["a 'statuspage' source is a vendor status page and needs a vendor name"]),
        (["not an object"], ["entry 1: expected an object, got str"]),
    ],
)
def test_a_bad_entry_is_named_with_its_cause(tmp_path, entries, expected):
    path = write_sources(tmp_path, entries)
    message = problems_in(path)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


def test_every_problem_is_reported_at_once(tmp_path):
    path = write_sources(tmp_path, [news(kind="rss"), news(slug="second", url="mailto:x@example.com")])
    message = problems_in(path)
    assert "2 problems" in message
    assert "unknown kind 'rss'" in message
    assert "entry 2 ('second'): bad url" in message


def test_a_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"sources": [\n  {"slug": "a",}\n]}', encoding="utf-8")
    message = problems_in(path)
    assert "broken.json: not valid JSON" in message
    assert "line 2" in message


def test_a_file_without_a_sources_list_says_what_shape_is_expected(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    assert '"sources": [...]' in problems_in(path)


def test_a_missing_file_is_named(tmp_path):
    assert "nope.json: file not found" in problems_in(tmp_path / "nope.json")


def demo(**overrides):
    entry = {
        "path": "technews/feed.rss",
        "slug": "demo-feed",
        "name": "Demo feed",
        "kind": "feed",
        "vendor": "",
        "content_type": "application/rss+xml",
    }
    return {**entry, **overrides}


def test_a_demo_path_must_exist_and_stay_inside_the_fixtures(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "technews").mkdir(parents=True)
    (fixtures / "technews" / "feed.rss").write_text("<rss/>", encoding="utf-8")
    good = write_sources(tmp_path, [demo()], name="good.json")
    [source] = load_demo_sources(good, known_kinds=KINDS, fixtures_dir=fixtures)
    assert (source.path, source.poll_interval) == ("technews/feed.rss", 300)

    bad = write_sources(
        tmp_path,
        [
            demo(slug="demo-escape", path="../secrets.json"),
            demo(slug="demo-absolute", path="/etc/passwd"),
            demo(slug="demo-missing", path="technews/missing.rss"),
        ],
        name="bad.json",
    )
    with pytest.raises(CatalogError) as caught:
        load_demo_sources(bad, known_kinds=KINDS, fixtures_dir=fixtures)
    message = str(caught.value)
    assert "entry 1 ('demo-escape'): bad path '../secrets.json': must stay inside tests/fixtures" in message
    assert "entry 2 ('demo-absolute'): bad path '/etc/passwd'" in message
    assert "entry 3 ('demo-missing'): bad path 'technews/missing.rss': no such file" in message
