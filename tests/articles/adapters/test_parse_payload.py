import copy
import json
import random

import pytest

from articles.adapters import ADAPTERS, parse_components, parse_payload, publishes_components
from articles.adapters.common import MAX_ATTRIBUTES, MAX_ITEMS
from articles.items import AdapterError, Item, PageStatus

from . import read_fixture

MUTATIONS_PER_KIND = 50


def test_an_impossible_character_reference_becomes_the_replacement_character():
    body = b'<?xml version="1.0"?><rss><channel><item><title>&#x110000;</title></item></channel></rss>'

    [item] = parse_payload("feed", body)

    assert item.title == "\ufffd"


@pytest.mark.parametrize("reference", [b"&#xD800;", b"&#55296;", b"&#0;", b"&#x0000000000110000;"])
def test_character_references_to_code_points_nothing_can_store_become_the_replacement_character(reference):
    body = b'<?xml version="1.0"?><rss><channel><item><title>a' + reference + b"b</title></item></channel></rss>"

    [item] = parse_payload("feed", body)

    assert item.title == "a\ufffdb"


def test_an_unknown_kind_is_an_adapter_error_naming_the_known_ones():
    with pytest.raises(AdapterError, match="unknown source kind 'rss'; known kinds: feed, statuspage"):
        parse_payload("rss", b"")


def test_a_parser_bug_becomes_an_adapter_error(monkeypatch):
    def broken(body, url="", content_type=""):
        raise KeyError("oops")

    monkeypatch.setattr(ADAPTERS["slack"], "parse", broken)

    with pytest.raises(AdapterError, match=r"the Slack status API parser failed on this payload \(KeyError"):
        parse_payload("slack", b"[]")


def _json_subset(fixture: str, shrink) -> bytes:
    return json.dumps(shrink(json.loads(read_fixture(fixture)))).encode()


# A small real payload per kind (the big ones cut down to a few records, still real data).
SEEDS = {
    "feed": [read_fixture("technews/arstechnica-feed-2019-08-06-trimmed.rss"),
             read_fixture("technews/theregister-science-2019-07-31-trimmed.atom")],
    "statuspage_feed": [read_fixture("statuspage/parse-history-2014-01-09.rss")],
    "aws_rss": [read_fixture("aws/aws-status-all-rss-2023-02-13-extracted.rss")],
    "azure": [read_fixture("synthetic/azure-status-feed-synthetic.rss")],
    "statuspage": [read_fixture("statuspage/cloudamqp-summary-maintenance-2020-07-16.json"),
                   _json_subset("statuspage/emma-incidents-2019-02-21-extracted.json",
                                lambda data: {**data, "incidents": data["incidents"][16:19]})],
    "gcp": [_json_subset("gcp/gcp-status-incidents-2022-07-03.json", lambda data: data[:2])],
    "aws_json": [read_fixture("synthetic/aws-health-currentevents-synthetic.json"),
                 _json_subset("aws/aws-status-legacy-data-json-2022-07.json",
                              lambda data: {"archive": data["archive"][:3], "current": []})],
    "slack": [read_fixture("slack/slack-status-v2-current-active-2020-07-30.json")],
    "statusio": [read_fixture("statusio/gitlab-statusio-public-status-maintenance-2020-09-05.json")],
}

ODD_VALUES = [None, 0, -1, 1e308, "", "x", "2020-13-45T99:99:99Z", "\ud800", [], {}, [None], {"a": 1}, True, "9" * 30]
ODD_SNIPPETS = [
    b"<item>", b"</channel>", b"<entry>", b"&#x110000;", b"&#99999999999;", b"<![CDATA[", b"&amp;", b"&bogus;",
    b"<small>Feb 30, 25:61 PST</small><br><strong>Resolved</strong>", b"<small>", b"\x00", b"\xff\xfe", b"\xc3",
    b'"', b"{", b"]", b"null", b"-1e999",
]


def _mutate_bytes(body: bytes, rng: random.Random) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) or 1)
        operation = rng.randrange(6)
        if operation == 0 and data:
            data[at] = rng.randrange(256)
        elif operation == 1:
            del data[at:at + rng.randint(1, 200)]
        elif operation == 2:
            data[at:at] = rng.choice(ODD_SNIPPETS)
        elif operation == 3:
            span = bytes(data[at:at + rng.randint(1, 300)])
            data[at:at] = span
        elif operation == 4:
            del data[at:]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def _mutate_json(body: bytes, rng: random.Random) -> bytes:
    """Replace values deep in the document with values of other types: the shape is untrusted too."""
    document = json.loads(body.decode("utf-16") if body.startswith(b"\xff\xfe") else body)
    for _ in range(rng.randint(1, 5)):
        parent, key = None, None
        node = document
        for _ in range(rng.randint(1, 6)):
            if isinstance(node, dict) and node:
                parent, key = node, rng.choice(list(node))
            elif isinstance(node, list) and node:
                parent, key = node, rng.randrange(len(node))
            else:
                break
            node = parent[key]
        if parent is None:
            document = copy.deepcopy(rng.choice(ODD_VALUES))
            break
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return json.dumps(document).encode()


def _mutations(kind: str):
    rng = random.Random(f"outagehub-{kind}")  # deterministic: a failure is reproducible
    seeds = SEEDS[kind]
    for number in range(MUTATIONS_PER_KIND):
        seed = seeds[number % len(seeds)]
        is_json = seed.lstrip(b"\xff\xfe\xef\xbb\xbf")[:1] in (b"{", b"[") or seed.startswith(b"\xff\xfe")
        yield _mutate_json(seed, rng) if is_json and number % 2 else _mutate_bytes(seed, rng)


@pytest.mark.parametrize("kind", list(SEEDS))
def test_mutated_real_payloads_give_items_or_an_adapter_error_never_another_exception(kind):
    assert SEEDS.keys() == ADAPTERS.keys()
    for body in _mutations(kind):
        try:
            items = parse_payload(kind, body)
        except AdapterError as error:
            # Raised by the adapter itself, not parse_payload's net for unexpected exceptions.
            assert "parser failed on this payload" not in str(error), body
        else:
            assert all(isinstance(item, Item) for item in items)
        for sniffer in ADAPTERS.values():
            assert 0 <= sniffer.sniff(body) <= 100


def test_kinds_that_publish_no_component_states_give_none():
    for kind in ("feed", "statuspage_feed", "aws_rss", "azure"):
        assert not publishes_components(kind)
        assert parse_components(kind, b"<rss/>") is None
    assert parse_components("statuspage", b'{"incidents": []}') is None


def test_a_bug_reading_components_becomes_an_adapter_error_naming_the_format(monkeypatch):
    def broken(body, url="", content_type=""):
        raise KeyError("oops")

    monkeypatch.setattr(ADAPTERS["statuspage"], "components", broken)
    with pytest.raises(AdapterError, match=r"Statuspage API .* parser failed on this payload's components"):
        parse_components("statuspage", b"{}")


@pytest.mark.parametrize("kind", [kind for kind in SEEDS if publishes_components(kind)])
def test_mutated_real_payloads_give_components_or_an_adapter_error_never_another_exception(kind):
    for body in _mutations(kind):
        try:
            page = parse_components(kind, body)
        except AdapterError as error:
            assert "parser failed on this payload" not in str(error), body
        else:
            assert page is None or isinstance(page, PageStatus)


# --- what costs far more to parse than its size (issue 15; the corpus is tests/fixtures/hostile/abusive/) ---

RSS_ITEMS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>%s</channel></rss>'


def rss_with_items(count: int) -> bytes:
    return RSS_ITEMS % b"".join(b"<item><title>Outage %d</title><guid>g%d</guid></item>" % (n, n) for n in range(count))


def test_a_feed_of_up_to_max_items_is_read_and_one_more_is_refused_unread():
    assert len(parse_payload("feed", rss_with_items(MAX_ITEMS))) == MAX_ITEMS
    with pytest.raises(AdapterError, match=f"holds {MAX_ITEMS + 1:,} items, more than the {MAX_ITEMS:,}"):
        parse_payload("feed", rss_with_items(MAX_ITEMS + 1))


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE rss [<!ENTITY a "b">]>',
    b"<!-- a comment first -->\n<!DOCTYPE rss SYSTEM \"x.dtd\" [ ]>",
])
def test_a_doctype_with_an_internal_subset_is_refused(doctype):
    body = b'<?xml version="1.0"?>' + doctype + rss_with_items(1)[len(b'<?xml version="1.0"?>'):]
    with pytest.raises(AdapterError, match="declares its own XML entities"):
        parse_payload("feed", body)


def test_a_plain_doctype_and_entity_words_inside_items_are_read():
    body = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>t</title>'
            b"<item><title>XXE explained</title><description>&lt;!DOCTYPE x [&lt;!ENTITY a \"b\"&gt;]&gt;"
            b"</description></item></channel></rss>")
    [item] = parse_payload("feed", body)
    assert item.title == "XXE explained"


def test_an_element_with_hundreds_of_attributes_is_refused_and_a_long_one_with_few_is_read():
    many = b" ".join(b'attribute%04d="1"' % n for n in range(MAX_ATTRIBUTES + 1))  # a long tag: over 4 KB
    with pytest.raises(AdapterError, match=f"has {MAX_ATTRIBUTES + 1} attributes"):
        parse_payload("feed", RSS_ITEMS % (b"<item " + many + b"><title>x</title></item>"))
    long_value = b'<item><title>x</title><enclosure url="https://e.example/' + b"a" * 10_000 + b'" length="1"/></item>'
    assert len(parse_payload("feed", RSS_ITEMS % long_value)) == 1


def test_a_json_source_listing_more_than_max_items_is_refused():
    incidents = [{"id": f"i{n}", "name": f"Outage {n}", "status": "resolved", "created_at": "2025-11-18T10:00:00Z"}
                 for n in range(MAX_ITEMS + 1)]
    body = json.dumps({"page": {"id": "p", "name": "P", "url": "https://status.example", "time_zone": "UTC"},
                       "incidents": incidents}).encode()
    with pytest.raises(AdapterError, match="more than the 5,000 a source may have"):
        parse_payload("statuspage", body)
