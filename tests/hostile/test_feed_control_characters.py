"""Characters XML 1.0 forbids in an incident's stored texts (issue 11, finding 2): every feed still
answers, parses cleanly and carries none of them. The incident is made with factories, as an
editor or an ingest older than its cleaning could have left it, so the feeds alone are tested."""

import json
import re
from pathlib import Path

import feedparser
import pytest
from django.urls import reverse

from tests.factories import IncidentFactory, ServiceFactory, SummaryFactory, VendorFactory

pytestmark = pytest.mark.django_db
CASE = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
                   / "control-characters-in-incident.json").read_text(encoding="utf-8"))
# XML 1.0's Char production, negated: written out here rather than imported from the code under test.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_FEEDS = ["feed-rss", "feed-atom", "vendor-feed-rss", "vendor-feed-atom", "service-feed-rss", "service-feed-atom"]


@pytest.fixture
def incident():
    vendor = VendorFactory(slug="contoso", name=CASE["vendor"])
    service = ServiceFactory(slug="mail-flow", vendor=vendor, name=CASE["service"])
    incident = IncidentFactory(vendor=vendor, services=[service], **CASE["incident"])
    SummaryFactory(incident=incident, current=True, **CASE["summary"])
    return incident


def feed_url(name: str) -> str:
    if name.startswith("vendor-"):
        return reverse(name, args=["contoso"])
    if name.startswith("service-"):
        return reverse(name, args=["mail-flow"])
    return reverse(name)


def fetched(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.parametrize("name", XML_FEEDS)
def test_every_xml_feed_answers_parses_cleanly_and_keeps_the_readable_text(client, incident, name):
    feed = feedparser.parse(fetched(client, feed_url(name)).content)
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = feed.entries
    assert entry.title.startswith("Mail delays in Exchange Online")
    assert "Mail to Exchange Online is delayed." in entry.summary
    assert "550 5.7.708 Service unavailable" in entry.summary
    texts = [entry.title, entry.summary, *(tag.term for tag in entry.get("tags", ())), feed.feed.title]
    assert not [text for text in texts if FORBIDDEN.search(text)]


def test_the_json_feed_holds_no_forbidden_character_in_any_string(client, incident):
    # feedparser 6.0 does not read JSON Feed: its strings are checked one by one.
    document = json.loads(fetched(client, reverse("feed-json")).content)

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    assert not [text for text in strings(document) if FORBIDDEN.search(text)]
    [item] = document["items"]
    assert item["title"].startswith("Mail delays in Exchange Online")
    assert item["_outagehub"]["vendor_incident_ids"] == ["MO502273"]


def test_the_calendar_holds_no_forbidden_character(client, incident):
    body = fetched(client, reverse("feed-ical")).content.decode("utf-8")
    assert not FORBIDDEN.search(body.replace("\r\n", ""))
    assert "SUMMARY:Mail delays in Exchange Online" in body
