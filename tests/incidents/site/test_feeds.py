"""The incident feeds: RSS 2.0, Atom 1.0, JSON Feed 1.1, iCalendar and the /feeds page."""

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import factory
import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.urls import reverse

from articles.items import VendorStatus
from incidents.models import Incident, Severity, Summary
from incidents.pipeline import process_article
from incidents.site.timeline import Cursor
from tests import factories
from tests.factories import (
    ArticleFactory,
    ItemUpdateFactory,
    MembershipFactory,
    ServiceFactory,
    SourceFactory,
    StatusItemFactory,
    SummaryFactory,
    VendorFactory,
    stored,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 11, 18, 14, 5, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "http://testserver"


class IncidentFactory(factories.IncidentFactory):
    """Started at T0 and first reported five minutes later, as these feed tests expect."""

    title = factory.Sequence(lambda n: f"Outage number {n}")
    started_at = T0
    first_reported_at = factory.LazyAttribute(lambda incident: incident.started_at + timedelta(minutes=5))
    last_activity_at = factory.LazyAttribute(lambda incident: incident.first_reported_at)


WHY = [
    {"text": "Mail to Exchange Online is delayed for many organisations.", "citations": ["article:12"]},
    {"text": "Microsoft says it is investigating.", "citations": ["update:34"]},
]
TAKEAWAYS = [{"text": "Users see 550 5.7.708 errors.", "citations": ["article:12", "article:13"], "kind": "errors"}]


def summarise(incident: Incident, **fields) -> Summary:
    """A new current summary, saved on the incident as the summary writer saves it."""
    return SummaryFactory(incident=incident, current=True, **{"why_this_matters": WHY, "takeaways": TAKEAWAYS,
                                                              **fields})


def set_updated_at(incident: Incident, moment: datetime) -> None:
    Incident.objects.filter(pk=incident.pk).update(updated_at=moment)


def parsed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def incident_url(incident: Incident) -> str:
    return SITE + reverse("incident", args=[incident.slug])


# RSS 2.0


def test_rss_lists_public_incidents_with_the_latest_change_first(client):
    older = IncidentFactory(title="Exchange Online mail delays")
    # Started earlier, changed later: the feed follows changes, not starts.
    newer = IncidentFactory(title="Forge Actions degraded", status=Incident.Status.RESOLVED,
                            started_at=T0 - timedelta(days=1), resolved_at=T0 + timedelta(hours=2))
    IncidentFactory(title="Noise an editor hid", hidden=True)
    set_updated_at(older, T0 + timedelta(hours=1))
    set_updated_at(newer, T0 + timedelta(hours=3))

    feed = parsed(client, reverse("feed-rss"))

    assert [entry.title for entry in feed.entries] == [
        "Forge Actions degraded (resolved)", "Exchange Online mail delays (investigating)"]
    assert feed.entries[0].link == incident_url(newer)
    assert feed.entries[0].id == incident_url(newer)


def test_rss_is_well_formed_with_the_required_elements(client):
    service = ServiceFactory(name="Exchange Online", vendor=VendorFactory(name="Microsoft"))
    IncidentFactory(vendor=service.vendor, services=[service], regions=["Frankfurt"])

    root = ET.fromstring(client.get(reverse("feed-rss")).content)

    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    (item,) = channel.findall("item")
    assert item.find("guid").get("isPermaLink") == "true"
    for element in ("title", "link", "description", "pubDate", "guid"):
        assert item.findtext(element)
    assert [c.text for c in item.findall("category")] == ["Microsoft", "Exchange Online"]


def test_rss_titles_are_escaped_for_readers_that_read_them_as_html(client):
    IncidentFactory(title="AT&T <script>alert(1)</script> outage")

    body = client.get(reverse("feed-rss")).content.decode()

    assert "<script>" not in body
    title = parsed(client, reverse("feed-rss")).entries[0].title_detail
    assert title.type == "text/html"
    assert html.unescape(title.value) == "AT&T <script>alert(1)</script> outage (investigating)"


# Atom 1.0


def test_atom_entries_have_id_title_updated_link_and_the_feed_an_author(client):
    incident = IncidentFactory(title="Cloudflare 5xx errors")
    set_updated_at(incident, T0 + timedelta(minutes=30))

    response = client.get(reverse("feed-atom"))
    root = ET.fromstring(response.content)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "OutageHub"
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == incident_url(incident)
    assert entry.findtext(f"{ATOM}title") == "Cloudflare 5xx errors (investigating)"
    assert entry.findtext(f"{ATOM}updated") == "2025-11-18T14:35:00+00:00"
    assert entry.findtext(f"{ATOM}published") == "2025-11-18T14:05:00+00:00"
    assert entry.find(f"{ATOM}link").get("href") == incident_url(incident)
    assert not feedparser.parse(response.content).bozo


def test_scheduled_maintenance_is_published_when_it_was_announced_not_in_the_future(client):
    IncidentFactory(status=Incident.Status.SCHEDULED, severity=Severity.MAINTENANCE,
                    started_at=T0 + timedelta(days=3), first_reported_at=T0)

    root = ET.fromstring(client.get(reverse("feed-atom")).content)

    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}published") == "2025-11-18T14:05:00+00:00"


# What an entry says


def test_an_entry_says_why_it_matters_the_takeaways_with_links_to_their_sources_and_the_facts(client):
    service = ServiceFactory(name="Exchange Online", vendor=VendorFactory(name="Microsoft"))
    incident = IncidentFactory(
        title="Exchange Online mail delays", vendor=service.vendor, services=[service], regions=["Frankfurt"],
        vendor_incident_ids=["EX1189"], error_messages=["550 5.7.708 Service unavailable. Access denied"],
        status=Incident.Status.RESOLVED, resolved_at=T0 + timedelta(hours=2, minutes=15),
        vendor_acknowledged_at=T0 + timedelta(minutes=30),
    )
    summarise(incident)

    html = parsed(client, reverse("feed-atom")).entries[0].summary

    assert "Mail to Exchange Online is delayed for many organisations." in html
    assert "<li>Users see 550 5.7.708 errors." in html
    assert f'<a href="{incident_url(incident)}#source-article-12">[1]</a>' in html
    assert f'<a href="{incident_url(incident)}#source-update-34">[2]</a>' in html
    assert f'<a href="{incident_url(incident)}#source-article-13">[3]</a>' in html
    for fact in ("Severity:</strong> major", "Started:</strong> 14:05 UTC on 18 Nov 2025",
                 "Duration:</strong> 2 h 15 min", "25 min after the first report", "Regions:</strong> Frankfurt",
                 "EX1189", "<code>550 5.7.708 Service unavailable. Access denied</code>"):
        assert fact in html


def test_text_from_sources_is_escaped_in_the_entry(client):
    incident = IncidentFactory(error_messages=["<img src=x onerror=alert(1)>"])
    summarise(incident, takeaways=[{"text": "<b>bold</b> & claims", "citations": []}])

    content = client.get(reverse("feed-json")).json()["items"][0]["content_html"]

    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "<li>&lt;b&gt;bold&lt;/b&gt; &amp; claims</li>" in content
    assert "<img" not in content


# Per vendor and per service


def test_a_vendor_feed_shows_only_that_vendors_incidents(client):
    forge = VendorFactory(slug="forge", name="Forge")
    IncidentFactory(vendor=forge, title="Forge Actions degraded")
    IncidentFactory(title="Someone else's outage")

    for name in ("vendor-feed-rss", "vendor-feed-atom"):
        feed = parsed(client, reverse(name, args=["forge"]))
        assert [entry.title for entry in feed.entries] == ["Forge Actions degraded (investigating)"]
        assert feed.feed.title == "OutageHub: Forge incidents"
        assert feed.feed.link == SITE + reverse("vendor", args=["forge"])


def test_a_service_feed_shows_only_that_services_incidents(client):
    actions = ServiceFactory(slug="forge-actions", name="Forge Actions", vendor=VendorFactory(slug="forge"))
    pages = ServiceFactory(slug="forge-pages", name="Forge Pages", vendor=actions.vendor)
    IncidentFactory(vendor=actions.vendor, services=[actions], title="Actions queued")
    IncidentFactory(vendor=actions.vendor, services=[pages], title="Pages down")

    for name in ("service-feed-rss", "service-feed-atom"):
        feed = parsed(client, reverse(name, args=["forge-actions"]))
        assert [entry.title for entry in feed.entries] == ["Actions queued (investigating)"]
        assert feed.feed.title == "OutageHub: Forge Actions incidents"


@pytest.mark.parametrize("name", ["vendor-feed-rss", "vendor-feed-atom", "service-feed-rss", "service-feed-atom"])
def test_an_unknown_vendor_or_service_is_not_found(client, name):
    IncidentFactory()

    assert client.get(reverse(name, args=["no-such-thing"])).status_code == 404


def test_the_path_names_the_vendor_even_when_a_parameter_names_another(client):
    IncidentFactory(vendor=VendorFactory(slug="forge"), title="Ours")
    IncidentFactory(vendor=VendorFactory(slug="smithy"), title="Theirs")

    feed = parsed(client, reverse("vendor-feed-rss", args=["forge"]), vendor="smithy")

    assert [entry.title for entry in feed.entries] == ["Ours (investigating)"]


# Filters


def test_feeds_take_the_timelines_filters(client):
    IncidentFactory(title="Frankfurt critical", severity=Severity.CRITICAL, regions=["Frankfurt"])
    IncidentFactory(title="Virginia critical", severity=Severity.CRITICAL, regions=["aws:us-east-1"])
    IncidentFactory(title="Frankfurt minor", severity=Severity.MINOR, regions=["Frankfurt"])
    IncidentFactory(title="Frankfurt over", severity=Severity.CRITICAL, regions=["Frankfurt"],
                    status=Incident.Status.RESOLVED, resolved_at=T0 + timedelta(hours=1))
    IncidentFactory(title="Last month", severity=Severity.CRITICAL, regions=["Frankfurt"],
                    started_at=T0 - timedelta(days=30))

    def titles(**params):
        return sorted(entry.title for entry in parsed(client, reverse("feed-rss"), **params).entries)

    assert titles(severity="critical", region="Europe", status="ongoing", **{"from": "2025-11-01"}) == [
        "Frankfurt critical (investigating)"]
    assert titles(status="resolved") == ["Frankfurt over (resolved)"]
    assert titles(to="2025-11-01") == ["Last month (investigating)"]
    feed = parsed(client, reverse("feed-atom"), region="europe", severity="critical")
    assert feed.feed.title == "OutageHub: Incidents (severity critical, region Europe)"
    assert feed.feed.links[1].href == SITE + reverse("feed-atom") + "?severity=critical&region=Europe"


EVERY_FEED = [("feed-rss", []), ("feed-atom", []), ("feed-json", []), ("feed-ical", []),
              ("vendor-feed-rss", ["forge"]), ("vendor-feed-atom", ["forge"]),
              ("service-feed-rss", ["forge-actions"]), ("service-feed-atom", ["forge-actions"])]


def refused(client, url, params) -> str:
    """The 400 page's text, unescaped, for a request the feed must refuse."""
    response = client.get(url, params)
    assert response.status_code == 400, (url, params, response.status_code)
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("params", "named"), [
    ({"severity": "critcal"}, ["unknown severity 'critcal'; use one of maintenance, minor, major, critical"]),
    ({"status": "melting", "severity": "enormous"}, ["unknown status 'melting'", "unknown severity 'enormous'"]),
    ({"vendor": "'; DROP TABLE incidents_incident; --"}, ["malformed vendor \"'; DROP TABLE"]),
    ({"from": "yesterday", "to": "2026-13-45"}, ["malformed from 'yesterday'; write a day as YYYY-MM-DD",
                                                 "malformed to '2026-13-45'"]),
    ({"region": "<script>alert(1)</script>"}, ["unknown region '<script>alert(1)</script>'"]),
    ({"region": "x" * 2000}, ["malformed region: the value is longer than 200 characters"]),
    ({"severty": "critical", "page": "2"}, ["unknown parameter 'severty'; this feed takes vendor, service",
                                            "unknown parameter 'page'"]),
    ({"limit": "201"}, ["limit 201 is more than 200"]),
    ({"limit": "0"}, ["malformed limit '0'; give a whole number of entries from 1 to 200"]),
    ({"limit": "ten"}, ["malformed limit 'ten'"]),
    ({"limit": "-5"}, ["malformed limit '-5'"]),
    ({"limit": "99999999999999999999"}, ["malformed limit"]),
    ({"before": "20261127"}, ["malformed before '20261127'; follow the feed's own next and previous links"]),
    ({"before": "20251118140500000000-1", "after": "20251118140500000000-2"}, ["before and after were both given"]),
    ({"from": "0001-01-01"}, ["from: '0001-01-01' is outside the days OutageHub can show"]),
])
@pytest.mark.parametrize(("name", "args"), EVERY_FEED)
def test_a_filter_a_feed_cannot_use_is_a_400_naming_it(client, name, args, params, named):
    IncidentFactory(vendor=ServiceFactory(slug="forge-actions", vendor=VendorFactory(slug="forge")).vendor,
                    title="Not shown for a typo")

    body = refused(client, reverse(name, args=args), params)

    for problem in named:
        assert problem in body
    assert "Not shown for a typo" not in body
    assert "<script>alert(1)" not in client.get(reverse(name, args=args), params).content.decode()


@pytest.mark.parametrize("name", ["feed-rss", "feed-atom", "feed-json", "feed-ical"])
def test_a_vendor_or_service_the_catalogue_does_not_know_is_a_400_naming_it(client, name):
    ServiceFactory(slug="forge-actions", vendor=VendorFactory(slug="forge"))
    IncidentFactory()

    body = refused(client, reverse(name), {"vendor": "froge", "service": "forge-action"})

    assert "unknown vendor 'froge'" in body and "unknown service 'forge-action'" in body
    assert client.get(reverse(name), {"vendor": "forge", "service": "forge-actions"}).status_code == 200


def test_a_service_parameter_on_a_vendor_feed_is_checked_too(client):
    IncidentFactory(vendor=VendorFactory(slug="forge"))

    assert "unknown service 'nope'" in refused(client, reverse("vendor-feed-atom", args=["forge"]), {"service": "nope"})


def test_a_page_still_drops_what_it_cannot_use_and_says_so(client):
    IncidentFactory(title="Listed on the page")

    response = client.get(reverse("timeline"), {"severity": "critcal"})

    assert response.status_code == 200
    assert "unknown severity &#x27;critcal&#x27;; use one of" in response.content.decode()


# Limit and pages


def incidents_changed_one_after_another(count: int, start: datetime = T0) -> list[Incident]:
    """Incidents whose changes are a minute apart, oldest change first."""
    incidents = IncidentFactory.create_batch(count)
    for minutes, incident in enumerate(incidents):
        set_updated_at(incident, start + timedelta(minutes=minutes))
    return incidents


def titles_of(feed) -> list[str]:
    return [entry.title.removesuffix(" (investigating)") for entry in feed.entries]


def links_of(feed) -> dict[str, str]:
    return {link.rel: link.href for link in feed.feed.links}


@pytest.mark.parametrize("name", ["feed-rss", "feed-atom", "feed-json", "feed-ical"])
def test_limit_sets_how_many_entries_a_feed_holds(client, name):
    incidents_changed_one_after_another(4)

    body = client.get(reverse(name), {"limit": "3"}).content.decode()

    assert body.count("Outage number") == 3


def test_a_feed_holds_50_entries_unless_asked_and_up_to_200(client):
    incidents_changed_one_after_another(201)

    assert len(parsed(client, reverse("feed-atom")).entries) == 50
    feed = parsed(client, reverse("feed-atom"), limit="200")
    assert len(feed.entries) == 200
    assert "next" in links_of(feed)


def test_atom_pages_follow_rfc_5005_and_a_next_page_stays_put_when_incidents_change(client):
    oldest, second, third, fourth, newest = incidents_changed_one_after_another(5)
    url = reverse("feed-atom")

    first = parsed(client, url, limit="2", severity="major")
    assert titles_of(first) == [newest.title, fourth.title]
    links = links_of(first)
    assert links["first"] == SITE + url + "?severity=major&limit=2"
    assert links["self"] == links["first"]
    assert "previous" not in links

    following = parsed(client, links["next"])
    assert titles_of(following) == [third.title, second.title]
    assert links_of(following)["self"] == links["next"]
    assert links_of(following)["first"] == links["first"]

    IncidentFactory(title="Arrived since", severity=Severity.MAJOR)  # changed now: newest of all
    again = parsed(client, links["next"])
    assert titles_of(again) == [third.title, second.title]

    back = parsed(client, links_of(again)["previous"])
    assert titles_of(back) == [newest.title, fourth.title]
    assert "previous" in links_of(back)  # "Arrived since" is newer still
    assert titles_of(parsed(client, links_of(back)["previous"])) == ["Arrived since"]

    last = parsed(client, links_of(again)["next"])
    assert titles_of(last) == [oldest.title]
    assert "next" not in links_of(last)


def test_rss_and_json_feed_link_to_the_next_page_too(client):
    incidents_changed_one_after_another(3)

    rss = parsed(client, reverse("feed-rss"), limit="2")
    assert "before=" in links_of(rss)["next"]
    document = client.get(reverse("feed-json"), {"limit": "2"}).json()
    assert len(document["items"]) == 2
    next_page = client.get(document["next_url"].removeprefix(SITE)).json()
    assert len(next_page["items"]) == 1 and "next_url" not in next_page


def test_a_vendor_feeds_page_links_keep_to_its_path(client):
    forge = VendorFactory(slug="forge")
    for minutes in range(3):
        set_updated_at(IncidentFactory(vendor=forge), T0 + timedelta(minutes=minutes))
    IncidentFactory(title="Someone else's")

    url = reverse("vendor-feed-atom", args=["forge"])
    first = parsed(client, url, limit="2")
    following = parsed(client, links_of(first)["next"])

    assert links_of(first)["next"].startswith(SITE + url + "?limit=2&before=")
    assert len(following.entries) == 1 and "Someone" not in following.entries[0].title


# Updates


def test_an_entry_is_updated_when_its_incident_changes_status(client):
    incident = IncidentFactory()
    set_updated_at(incident, T0)
    before = parsed(client, reverse("feed-atom")).entries[0].updated_parsed

    incident.refresh_from_db()
    incident.status = Incident.Status.RESOLVED
    incident.resolved_at = T0 + timedelta(hours=1)
    incident.save()
    after = parsed(client, reverse("feed-atom")).entries[0]

    assert after.updated_parsed > before
    assert after.title.endswith("(resolved)")


def test_an_entry_is_updated_when_its_summary_changes(client):
    incident = IncidentFactory()
    set_updated_at(incident, T0)
    before = client.get(reverse("feed-json")).json()["items"][0]

    incident.refresh_from_db()
    summarise(incident, why_this_matters=[{"text": "Payments fail at checkout.", "citations": ["article:1"]}])
    after = client.get(reverse("feed-json")).json()["items"][0]

    assert before["date_modified"] == "2025-11-18T14:05:00Z"
    assert after["date_modified"] > before["date_modified"]
    assert after["summary"] == "Payments fail at checkout."


# Conditional GET


ALL_FEEDS = ["feed-rss", "feed-atom", "feed-json", "feed-ical"]


@pytest.mark.parametrize("name", ALL_FEEDS)
def test_a_repeat_request_gets_304_with_no_body_after_two_queries(client, name, django_assert_num_queries):
    IncidentFactory()
    first = client.get(reverse(name))
    assert first["ETag"].startswith('W/"')
    assert first["Cache-Control"] == "no-cache"

    with django_assert_num_queries(2):
        repeat = client.get(reverse(name), HTTP_IF_NONE_MATCH=first["ETag"])
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == first["ETag"]

    by_date = client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_last_modified_is_the_latest_change_of_the_incidents_shown(client):
    set_updated_at(IncidentFactory(), T0)
    # A change after the scheduled start must not be hidden by a start date in the future.
    set_updated_at(IncidentFactory(started_at=T0 + timedelta(days=2)), T0 + timedelta(hours=1))

    assert client.get(reverse("feed-rss"))["Last-Modified"] == "Tue, 18 Nov 2025 15:05:00 GMT"


def test_a_change_gives_a_new_etag_and_the_full_feed(client):
    incident = IncidentFactory()
    first = client.get(reverse("vendor-feed-rss", args=[incident.vendor.slug]))

    incident.status = Incident.Status.MONITORING
    incident.save()
    again = client.get(reverse("vendor-feed-rss", args=[incident.vendor.slug]), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert b"(monitoring)" in again.content


def test_hiding_an_incident_gives_a_new_etag(client):
    kept, hidden = IncidentFactory(), IncidentFactory()
    set_updated_at(kept, T0 + timedelta(hours=1))
    set_updated_at(hidden, T0)  # older than the newest change: only the count can notice it leaving
    first = client.get(reverse("feed-rss"))

    Incident.objects.filter(pk=hidden.pk).update(hidden=True, updated_at=T0)
    again = client.get(reverse("feed-rss"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert hidden.title.encode() not in again.content


def test_filtered_feeds_have_their_own_versions(client):
    IncidentFactory(severity=Severity.MINOR)
    all_tag = client.get(reverse("feed-rss"))["ETag"]

    assert client.get(reverse("feed-rss"), {"severity": "critical"}, HTTP_IF_NONE_MATCH=all_tag).status_code == 200


# Queries


FEED_URLS = [
    ("feed-rss", []), ("feed-atom", []), ("feed-json", []), ("feed-ical", []),
    ("vendor-feed-rss", ["forge"]), ("vendor-feed-atom", ["forge"]),
    ("service-feed-rss", ["forge-actions"]), ("service-feed-atom", ["forge-actions"]),
]


def incidents_with_summaries(count: int) -> None:
    actions = ServiceFactory(slug="forge-actions", name="Forge Actions", vendor=VendorFactory(slug="forge"))
    pages = ServiceFactory(slug="forge-pages", name="Forge Pages", vendor=actions.vendor)
    for number in range(count):
        incident = IncidentFactory(vendor=actions.vendor, services=[actions, pages], regions=["Frankfurt"],
                                   started_at=T0 - timedelta(hours=number))
        summarise(incident)


@pytest.mark.parametrize(("name", "args"), FEED_URLS)
def test_a_feed_runs_the_same_few_queries_for_3_or_30_incidents(client, name, args, django_assert_max_num_queries):
    url = reverse(name, args=args) + "?region=Europe&status=ongoing"
    counts = []
    for count in (3, 30):
        Incident.objects.all().delete()
        incidents_with_summaries(count)
        with django_assert_max_num_queries(5) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.count(b"Outage number") >= count
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# JSON Feed 1.1


def test_json_feed_has_the_required_keys_and_the_incidents_fields(client):
    service = ServiceFactory(name="Exchange Online", vendor=VendorFactory(name="Microsoft"))
    incident = IncidentFactory(vendor=service.vendor, services=[service], regions=["Frankfurt"],
                               vendor_incident_ids=["EX1189"])
    summarise(incident)

    response = client.get(reverse("feed-json"), {"severity": "major"})
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/feed+json"
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "OutageHub: Incidents (severity major)"
    assert document["feed_url"] == SITE + reverse("feed-json") + "?severity=major"
    assert document["home_page_url"] == SITE + reverse("timeline") + "?severity=major"
    (item,) = document["items"]
    assert item["id"] == item["url"] == incident_url(incident)
    assert item["title"].endswith("(investigating)")
    assert item["content_html"] and item["content_text"]
    assert item["date_published"] == "2025-11-18T14:05:00Z"
    assert item["tags"] == ["Microsoft", "Exchange Online"]
    assert item["_outagehub"]["about"] == SITE + reverse("feeds")
    assert item["_outagehub"]["severity"] == "major"
    assert item["_outagehub"]["regions"] == ["Frankfurt"]
    assert item["_outagehub"]["vendor_incident_ids"] == ["EX1189"]
    assert item["_outagehub"]["resolved_at"] is None


# iCalendar


def unfolded(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_ical_has_one_event_per_incident_from_start_to_resolution(client):
    IncidentFactory(title="Over", status=Incident.Status.RESOLVED, resolved_at=T0 + timedelta(hours=2))
    IncidentFactory(title="Going on")

    response = client.get(reverse("feed-ical"))
    body = response.content.decode()

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    events = body.split("BEGIN:VEVENT")[1:]
    assert len(events) == 2
    over = next(event for event in events if "SUMMARY:Over" in event)
    ongoing = next(event for event in events if "SUMMARY:Going on" in event)
    assert "DTSTART:20251118T140500Z" in over and "DTEND:20251118T160500Z" in over
    assert "DTSTART:20251118T140500Z" in ongoing and "DTEND" not in ongoing
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_ical_escapes_text_and_folds_long_lines(client):
    incident = IncidentFactory(title="Mail; calendar, and files \\ down — für alle Nutzer " * 3)

    lines = unfolded(client.get(reverse("feed-ical")).content.decode())

    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary.startswith("SUMMARY:Mail\\; calendar\\, and files \\\\ down — für alle Nutzer")
    assert f"UID:{incident_url(incident)}" in lines
    assert f"URL:{incident_url(incident)}" in lines


# The /feeds page


def test_the_feeds_page_lists_every_feed_and_the_vendors_and_services_with_incidents(client):
    actions = ServiceFactory(slug="forge-actions", name="Forge Actions", vendor=VendorFactory(slug="forge"))
    IncidentFactory(vendor=actions.vendor, services=[actions])
    IncidentFactory(vendor=VendorFactory(slug="quiet", name="Quiet Corp"), hidden=True)

    page = client.get(reverse("feeds")).content.decode()

    for name in ALL_FEEDS:
        assert f'href="{reverse(name)}"' in page
    assert f'href="{reverse("vendor-feed-rss", args=["forge"])}"' in page
    assert f'href="{reverse("service-feed-atom", args=["forge-actions"])}"' in page
    assert f"{SITE}{reverse('feed-rss')}?status=ongoing" in page
    assert "Quiet Corp" not in page


def test_the_feeds_page_runs_the_same_queries_whatever_the_catalogue_and_answers_304(
        client, django_assert_max_num_queries):
    counts = []
    for count in (1, 10):
        for _ in range(count):
            service = ServiceFactory()
            IncidentFactory(vendor=service.vendor, services=[service])
        with django_assert_max_num_queries(4) as captured:
            response = client.get(reverse("feeds"))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert client.get(reverse("feeds"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


# One incident's feed


@pytest.fixture
def followed():
    """An incident with a vendor post of two updates, a press report, and two summary versions (the
    second by an editor)."""
    incident = IncidentFactory(title="Forge Actions degraded", slug="forge-actions-degraded")
    post = stored(SourceFactory(name="Forge status", kind="statuspage", vendor_name="Forge"),
                  StatusItemFactory(title="Actions degraded", published_at=T0, updates=(
                      ItemUpdateFactory(posted_at=T0 + timedelta(minutes=10), status=VendorStatus.INVESTIGATING,
                                        text="We are investigating delays\nin queued jobs."),
                      ItemUpdateFactory(posted_at=T0 + timedelta(hours=2), status=VendorStatus.RESOLVED,
                                        text="Jobs run normally again."))))
    MembershipFactory(article=post, incident=incident)
    MembershipFactory(article=ArticleFactory(title="Press report", published_at=T0), incident=incident)
    first, resolved = post.updates.order_by("posted_at")
    SummaryFactory(incident=incident, version=1, created_at=T0 + timedelta(minutes=15),
                   why_this_matters=[{"text": "Jobs are queued.", "citations": [f"update:{first.pk}"]}])
    SummaryFactory(incident=incident, version=2, current=True, backend="editor", created_at=T0 + timedelta(hours=3),
                   why_this_matters=[{"text": "Jobs were queued for two hours.",
                                      "citations": [f"update:{resolved.pk}"]}])
    return incident, first, resolved


@pytest.mark.parametrize("name", ["incident-feed-rss", "incident-feed-atom"])
def test_an_incidents_feed_lists_the_vendors_updates_and_each_summary_version_newest_first(client, followed, name):
    incident, first, resolved = followed
    page = incident_url(incident)

    feed = parsed(client, reverse(name, args=[incident.slug]))

    assert feed.feed.title == "OutageHub: Forge Actions degraded"
    assert feed.feed.link == page
    assert [html.unescape(entry.title) for entry in feed.entries] == [
        "Summary revised (version 2) by an editor",
        "Resolved: Jobs run normally again.",
        "Summary written",
        "Investigating: We are investigating delays",
    ]
    assert [entry.id for entry in feed.entries] == [
        f"{page}#summary-2", f"{page}#source-update-{resolved.pk}", f"{page}#summary-1",
        f"{page}#source-update-{first.pk}"]
    assert feed.entries[1].link == f"{page}#source-update-{resolved.pk}"
    assert "Jobs were queued for two hours." in feed.entries[0].summary
    assert f'href="{page}#source-update-{resolved.pk}">[1]</a>' in feed.entries[0].summary
    assert "We are investigating delays<br />in queued jobs." in feed.entries[3].summary
    assert "Posted by Forge status at 14:15 UTC on 18 Nov 2025" in feed.entries[3].summary
    assert "Press report" not in str(feed.entries)


def test_an_incidents_feed_takes_a_limit_and_nothing_else(client, followed):
    incident = followed[0]
    url = reverse("incident-feed-atom", args=[incident.slug])

    assert len(parsed(client, url, limit="2").entries) == 2
    assert "unknown parameter 'severity'; this feed takes limit" in refused(client, url, {"severity": "major"})
    assert "limit 500 is more than 200" in refused(client, url, {"limit": "500"})


def test_the_incident_page_links_its_feed_for_autodiscovery(client, followed):
    incident = followed[0]

    head = BeautifulSoup(client.get(reverse("incident", args=[incident.slug])).content, "html.parser").head

    alternates = [(link["type"], link["href"]) for link in head.select('link[rel="alternate"]')]
    assert alternates[:2] == [("application/atom+xml", reverse("incident-feed-atom", args=[incident.slug])),
                              ("application/rss+xml", reverse("incident-feed-rss", args=[incident.slug]))]
    assert head.select_one('link[rel="alternate"]')["title"] == "OutageHub: this incident's updates (Atom)"


def test_a_hidden_or_unknown_incident_has_no_feed_and_a_merged_ones_moves_to_the_survivor(client, followed):
    incident = followed[0]
    survivor = IncidentFactory(slug="survivor")
    merged = IncidentFactory(slug="merged-away", merged_into=survivor)
    hidden = IncidentFactory(slug="hidden-away", hidden=True)

    assert client.get(reverse("incident-feed-rss", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("incident-feed-rss", args=["no-such-incident"])).status_code == 404
    moved = client.get(reverse("incident-feed-atom", args=[merged.slug]), {"limit": "5"})
    assert moved.status_code == 301
    assert moved["Location"] == reverse("incident-feed-atom", args=["survivor"]) + "?limit=5"
    assert client.get(reverse("incident-feed-atom", args=[incident.slug])).status_code == 200


@pytest.mark.parametrize("name", ["incident-feed-rss", "incident-feed-atom"])
def test_an_incidents_feed_answers_304_after_two_queries_and_changes_with_a_new_summary(
        client, followed, name, django_assert_num_queries):
    incident = followed[0]
    url = reverse(name, args=[incident.slug])
    first = client.get(url)

    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    incident.refresh_from_db()
    SummaryFactory(incident=incident, version=3, current=True, why_this_matters=[{"text": "Over.", "citations": []}])
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert b"Summary revised (version 3)" in again.content


def test_an_incidents_feed_runs_four_queries_however_long_the_incident(client, followed,
                                                                        django_assert_num_queries):
    incident = followed[0]
    url = reverse("incident-feed-atom", args=[incident.slug])
    with django_assert_num_queries(4):
        few = client.get(url)
    post = stored(SourceFactory(kind="statuspage"), StatusItemFactory(published_at=T0, updates=tuple(
        ItemUpdateFactory(posted_at=T0 + timedelta(minutes=n), text=f"Update {n}") for n in range(30))))
    MembershipFactory(article=post, incident=incident)
    for version in range(3, 13):
        SummaryFactory(incident=incident, version=version)
    connection.check_constraints()  # as a commit would: PostgreSQL moves the content version at commit

    with django_assert_num_queries(4):
        many = client.get(url)
    assert feedparser.parse(many.content).entries.__len__() > feedparser.parse(few.content).entries.__len__()


# Queries of paged and checked feeds


@pytest.mark.parametrize(("name", "args"), FEED_URLS)
def test_a_paged_feed_naming_a_vendor_runs_the_same_few_queries_for_3_or_30_incidents(
        client, name, args, django_assert_max_num_queries):
    counts = []
    for count in (3, 30):
        Incident.objects.all().delete()
        incidents_with_summaries(count)
        newest = Incident.objects.order_by("-updated_at", "-pk").first()
        cursor = Cursor(newest.updated_at, newest.pk).encode()
        url = reverse(name, args=args) + f"?vendor=forge&service=forge-actions&limit=200&before={cursor}"
        with django_assert_max_num_queries(5) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        assert response.content.count(b"Outage number") >= count - 1
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_a_vendor_update_reaching_the_incident_through_the_pipeline_gives_its_feed_a_new_version(client):
    status_page = SourceFactory(name="Forge status", kind="statuspage", vendor_name="Forge")
    investigating = ItemUpdateFactory(posted_at=T0, text="We are investigating failed deployments.")
    item = StatusItemFactory(external_id="forge-1", vendor_incident_id="forge-1", published_at=T0,
                             title="Forge Pages deployments failing", updates=(investigating,))
    incident = Incident.objects.get(pk=process_article(stored(status_page, item).pk).incident_id)
    url = reverse("incident-feed-atom", args=[incident.slug])
    first = client.get(url)

    later = replace(item, updates=(investigating, ItemUpdateFactory(
        posted_at=T0 + timedelta(hours=1), status=VendorStatus.IDENTIFIED, text="A bad certificate was rolled out.")))
    process_article(stored(status_page, later, at=T0 + timedelta(hours=1, minutes=1)).pk)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert [entry.title for entry in feedparser.parse(again.content).entries][:1] == [
        "Identified: A bad certificate was rolled out."]
