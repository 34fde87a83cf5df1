from datetime import UTC, datetime

import feedparser
import pytest

from articles.adapters import feed
from articles.items import AdapterError, ItemKind

from . import read_fixture


def rss(items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f"""{declaration}
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example News</title><link>https://news.example/</link>{items}</channel></rss>""".encode()


def test_it_reads_every_story_of_an_ars_technica_feed():
    items = feed.parse(read_fixture("technews/arstechnica-feed-2025-10-25-aws-outage.rss"))

    assert len(items) == 20
    assert all(item.kind == ItemKind.NEWS for item in items)
    amazon = next(item for item in items if "Amazon outage" in item.title)
    assert amazon.title == "A single point of failure triggered the Amazon outage affecting millions"
    assert amazon.external_id == amazon.url == (
        "https://arstechnica.com/gadgets/2025/10/a-single-point-of-failure-triggered-the-amazon-outage-affecting-millions/"
    )
    assert amazon.author == "Dan Goodin"
    assert amazon.published_at == datetime(2025, 10, 24, 21, 53, 20, tzinfo=UTC)
    assert amazon.categories[:4] == ("Biz & IT", "Tech", "Amazon", "AWS")


def test_it_keeps_content_encoded_as_the_full_text_and_the_description_as_summary():
    [item] = feed.parse(read_fixture("technews/arstechnica-feed-2019-08-06-trimmed.rss"))

    assert item.summary_html == "Alphabet has $117 billion in cash on hand."
    assert item.content_html == "Google co-founder Larry Page is now CEO of Alphabet."
    assert item.author == "Samuel Axon"
    assert item.categories == ("Tech", "alphabet", "apple", "google")
    assert item.external_id == "https://arstechnica.com/?p=1546121"


def test_it_uses_a_non_permalink_guid_as_the_external_id():
    [item] = feed.parse(read_fixture("technews/cloudflare-blog-2021-10-15.rss"))

    assert item.external_id == "6166e7e065133e02a961145d"
    assert item.url == "https://blog.cloudflare.com/privacy-preserving-compromised-credential-checking/"
    assert item.title == "Privacy-Preserving Compromised Credential Checking"
    assert item.published_at == datetime(2021, 10, 14, 12, 59, 53, tzinfo=UTC)
    assert "Might I Get Pwned" in item.content_html


def test_it_converts_numeric_offsets_to_utc_and_leaves_content_empty_when_the_feed_has_none():
    items = feed.parse(read_fixture("technews/bleepingcomputer-feed-2025-07-24.rss"))

    assert len(items) == 12
    first = items[0]
    assert first.title == "BlackSuit ransomware extortion sites seized in Operation Checkmate"
    assert first.published_at == datetime(2025, 7, 24, 21, 34, 13, tzinfo=UTC)  # 17:34:13 -0400
    assert first.author == "Sergiu Gatlan"
    assert first.categories == ("Security",)
    assert first.content_html == ""
    assert first.summary_html.startswith("Law enforcement has seized the dark web extortion sites")


def test_it_reads_atom_entries_with_html_titles_and_only_an_updated_date():
    items = feed.parse(read_fixture("technews/theregister-science-2019-07-31-trimmed.atom"))

    assert [item.external_id for item in items] == [
        "tag:theregister.co.uk,2005:story204156",
        "tag:theregister.co.uk,2005:story204131",
    ]
    first = items[0]
    assert first.title.startswith("Will someone plz dump our shizz on the Moon, NASA begs")
    assert first.author == "Richard Speed"
    assert first.published_at == first.updated_at == datetime(2019, 7, 31, 11, 54, 28, tzinfo=UTC)
    assert "OrbitBeyond begone" in first.summary_html


def test_it_prefers_feedburners_original_link_over_its_redirector():
    items = feed.parse(read_fixture("technews/techcrunch-feed-2011-11-02.rss"))

    assert len(items) == 20
    assert items[0].url == "http://techcrunch.com/2011/11/02/angies-list-prices-ipo-at-11-to-13-per-share-valued-at-over-600m/"
    assert items[0].external_id == "http://techcrunch.com/?p=446154"


def test_it_hands_feedparser_bytes_with_its_sanitiser_and_uri_resolver_off(monkeypatch):
    calls = []
    real_parse = feedparser.parse

    def spy(source, **options):
        calls.append((source, options))
        return real_parse(source, **options)

    monkeypatch.setattr(feedparser, "parse", spy)
    feed.parse(rss("<item><title>a</title></item>"))

    [(source, options)] = calls
    assert isinstance(source, bytes)  # a str could be taken for a URL, which feedparser would fetch
    assert options == {"sanitize_html": False, "resolve_relative_uris": False}


def test_it_returns_the_html_unsanitised_and_relative_links_unresolved():
    html = '<p onclick="x()">Hi <a href="/story">there</a><script>alert(1)</script></p>'
    body = rss(f"<item><title>a</title><guid>1</guid><content:encoded><![CDATA[{html}]]></content:encoded></item>")

    [item] = feed.parse(body)

    assert item.content_html == html


def test_it_falls_back_from_guid_to_link_to_a_hash_of_title_and_date():
    body = rss("""
        <item><title>With guid</title><guid>urn:1</guid><link>https://news.example/1</link></item>
        <item><title>With link</title><link>https://news.example/2</link></item>
        <item><title>Bare</title><pubDate>Mon, 13 Feb 2023 02:29:06 GMT</pubDate></item>""")

    items = feed.parse(body)

    assert [item.external_id for item in items[:2]] == ["urn:1", "https://news.example/2"]
    assert items[2].external_id.startswith("sha1:")
    assert feed.parse(body)[2].external_id == items[2].external_id  # stable from poll to poll


def test_it_titles_an_untitled_item_with_the_start_of_its_summary():
    long_summary = "Engineers " + "restored service to every region after a long outage " * 3
    body = rss(f"""
        <item><guid>1</guid><description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description></item>
        <item><guid>2</guid><description>{long_summary}</description></item>
        <item><guid>3</guid></item>""")

    items = feed.parse(body)

    assert items[0].title == "Short summary"
    assert len(items[1].title) <= 81 and items[1].title.startswith("Engineers restored service")
    assert items[1].title.endswith("…")
    assert items[2].title == "(no title)"


def test_it_returns_both_items_that_share_a_guid():
    body = rss("<item><title>First</title><guid>same</guid></item><item><title>Second</title><guid>same</guid></item>")

    assert [(item.external_id, item.title) for item in feed.parse(body)] == [("same", "First"), ("same", "Second")]


def test_it_keeps_dates_in_the_future_and_leaves_missing_dates_empty():
    body = rss("""<item><title>Future</title><guid>1</guid><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
        <item><title>Undated</title><guid>2</guid></item>
        <item><title>Bad date</title><guid>3</guid><pubDate>yesterday-ish</pubDate></item>""")

    future, undated, bad_date = feed.parse(body)

    assert future.published_at == datetime(2100, 1, 1, tzinfo=UTC)
    assert undated.published_at is None and undated.updated_at is None
    assert bad_date.published_at is None


def test_it_reads_a_latin_1_feed_without_an_encoding_declaration():
    body = rss("<item><title>R\xe9sum\xe9 of the caf\xe9 outage</title><guid>1</guid></item>", declaration="")
    body = body.decode().encode("latin-1")

    [item] = feed.parse(body)

    assert item.title == "Résumé of the café outage"


def test_it_tolerates_a_stray_ampersand_and_keeps_the_items():
    body = rss("<item><title>AT&T outage hits millions</title><guid>1</guid></item><item><title>Next</title></item>")

    items = feed.parse(body)

    assert [item.title for item in items] == ["AT&T outage hits millions", "Next"]


def test_it_reads_html_entities_that_xml_does_not_define_and_ignores_a_trailing_comment():
    body = rss("<item><title>Caf&eacute;&nbsp;outage</title><guid>1</guid></item>") + b"\n<!-- served in 0.1s -->\n"

    [item] = feed.parse(body)

    assert item.title == "Café outage"  # the no-break space collapses like any space in a title


def test_a_feed_cut_off_in_transit_is_an_adapter_error_not_half_an_item():
    body = rss("<item><title>Complete</title><guid>1</guid></item>")[:-20] + b"<item><title>Cut"

    with pytest.raises(AdapterError, match="the feed is cut off: it ends before its closing </rss> tag"):
        feed.parse(body)


def test_an_empty_but_valid_feed_has_no_items():
    assert feed.parse(rss("")) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not an RSS or Atom feed: the body is empty"),
        (b"  \n ", "not an RSS or Atom feed: the body is empty"),
        (b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>",
         "not an RSS or Atom feed: the body is an HTML page"),
        (b'{"incidents": []}', "not an RSS or Atom feed: the body is JSON"),
        (b"\x00\xff\x13 garbage \x9c", "not an RSS or Atom feed"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not an RSS or Atom feed: the document is <note>"),
    ],
)
def test_a_body_that_is_no_feed_is_an_adapter_error_with_a_readable_message(body, message):
    with pytest.raises(AdapterError, match="^" + message):
        feed.parse(body)
