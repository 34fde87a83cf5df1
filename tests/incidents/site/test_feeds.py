"""The incident feeds: RSS 2.0, Atom 1.0, JSON Feed 1.1, iCalendar and the /feeds page."""

import html
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import factory
import feedparser
import pytest
from django.urls import reverse

from incidents.models import Incident, Severity, Summary
from tests import factories
from tests.factories import ServiceFactory, SummaryFactory, VendorFactory

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


@pytest.mark.parametrize("params", [
    {"severity": "enormous", "status": "melting", "vendor": "'; DROP TABLE incidents_incident; --"},
    {"from": "yesterday", "to": "2026-13-45"},
    {"region": "<script>alert(1)</script>", "page": "99999999999999999999"},
    {"region": "x" * 2000, "service": "a" * 2000},
])
def test_unusable_filter_values_are_ignored_and_the_feed_still_answers(client, params):
    IncidentFactory(title="Still listed")

    for name in ("feed-rss", "feed-atom", "feed-json", "feed-ical"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        assert b"Still listed" in response.content
        assert b"<script>" not in response.content
    assert not feedparser.parse(client.get(reverse("feed-atom"), params).content).bozo


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
