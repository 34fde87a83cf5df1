"""The reader's pages: timeline, incident, vendor and service, on factory data."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.items import VendorStatus
from articles.models import Source
from incidents.models import Incident
from incidents.site.views import PAGE_SIZE
from tests.factories import (
    ArticleFactory,
    IncidentFactory,
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
# A page's queries when it is rendered: its version and the content version (conditional.py), what it shows.
MAX_QUERIES = 7
# The incident page reads one more: the incidents of others that blame this one (a cascade's victims).
INCIDENT_PAGE_QUERIES = MAX_QUERIES + 1


def page(client, url, status=200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def titles(soup: BeautifulSoup, within: str = "") -> list[str]:
    scope = soup.select_one(within) if within else soup
    return [a.get_text(strip=True) for a in scope.select(".row-title a")] if scope else []


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def resolved(started, hours=2, **fields):
    return IncidentFactory(started_at=started, first_reported_at=started, last_activity_at=started,
                           status=Incident.Status.RESOLVED, resolved_at=started + timedelta(hours=hours), **fields)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


# --- timeline --------------------------------------------------------------------------------------


def test_the_timeline_shows_what_is_happening_now_first_then_every_incident_by_day_newest_first(client, now):
    ongoing = IncidentFactory(title="Exchange Online mail delayed", started_at=now - timedelta(hours=3),
                              last_activity_at=now - timedelta(hours=1))
    resolved(now - timedelta(days=2), title="GitHub Actions queued jobs")
    resolved(now - timedelta(days=5), title="Cloudflare 500 errors")

    soup = page(client, "/")
    assert titles(soup, ".happening") == ["Exchange Online mail delayed"]
    days = soup.select(".day")
    assert [titles(day) for day in days] == [["Exchange Online mail delayed"], ["GitHub Actions queued jobs"],
                                             ["Cloudflare 500 errors"]]
    assert days[0].h2.get_text().startswith(f"{ongoing.started_at:%A} {ongoing.started_at.day} ")


def test_happening_now_lists_live_incidents_by_severity_then_freshness_with_their_last_update(client, now):
    IncidentFactory(title="Minor but fresh", severity=2, started_at=now - timedelta(hours=1),
                    last_activity_at=now - timedelta(minutes=5))
    IncidentFactory(title="Critical", severity=4, started_at=now - timedelta(hours=5),
                    last_activity_at=now - timedelta(hours=2))
    IncidentFactory(title="Quiet press report", status=Incident.Status.QUIET, started_at=now - timedelta(days=1))
    IncidentFactory(title="Maintenance next week", status=Incident.Status.SCHEDULED, started_at=now + timedelta(days=7),
                    last_activity_at=now)
    IncidentFactory(title="Maintenance under way", status=Incident.Status.IN_PROGRESS, severity=1,
                    started_at=now - timedelta(minutes=30), last_activity_at=now - timedelta(minutes=30))
    soup = page(client, "/")
    assert titles(soup, ".happening") == ["Critical", "Minor but fresh", "Maintenance under way"]
    fresh = soup.select(".happening .incident-row")[1]
    assert "last update 5\xa0minutes ago" in fresh.get_text()
    assert set(titles(page(client, "/?status=ongoing"))) == {"Minor but fresh", "Maintenance under way", "Critical",
                                                             "Maintenance next week"}
    assert titles(page(client, "/?status=quiet")) == ["Quiet press report"]


def test_the_timeline_warns_when_most_sources_failed_their_last_fetch(client, now):
    SourceFactory(health="ok")
    failing = [SourceFactory(health="ok") for _ in range(3)]
    connection.check_constraints()  # as a commit would: PostgreSQL moves the content version at commit
    first = client.get("/")
    assert page(client, "/").select_one(".happening .warning") is None  # all well, and that page is cached
    Source.objects.filter(pk__in=[source.pk for source in failing]).update(
        health="failing", last_error_at=now - timedelta(hours=1))
    connection.check_constraints()
    # No incident changed, but a source's health moves the content version: no cached page, no 304, hides it.
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    warning = page(client, "/").select_one(".happening .warning").get_text()
    assert warning.startswith(f"Our view may be stale: 3 of 4 sources unreachable since "
                              f"{now - timedelta(hours=1):%Y-%m-%d %H:%M} UTC.")
    Source.objects.filter(health="failing").update(health="ok")  # their next fetches succeed
    connection.check_constraints()  # as a commit would: PostgreSQL moves the content version at commit
    assert page(client, "/").select_one(".happening .warning") is None


def test_a_timeline_row_says_who_what_how_bad_when_where_how_many_sources_and_if_acknowledged(client, now):
    vendor = VendorFactory(name="Cloudflare", slug="cloudflare-test")
    start = (now - timedelta(days=1)).replace(hour=14, minute=5, second=0)
    resolved(start, hours=2.25, title="Cloudflare 500 errors", vendor=vendor, severity=4,
             regions=["Frankfurt", "aws:us-east-1"], news_count=3, status_count=1,
             vendor_acknowledged_at=start + timedelta(minutes=20), slug="cf-500")
    IncidentFactory(title="Press-only report", started_at=now - timedelta(hours=1), status=Incident.Status.REPORTED,
                    news_count=2)

    soup = page(client, "/")
    row = next(r for r in soup.select(".day .incident-row") if "Cloudflare 500" in r.get_text())
    text = " ".join(row.get_text().split())
    assert row.select_one(".row-vendor")["href"] == "/vendors/cloudflare-test/"
    assert row.select_one(".row-title a")["href"] == "/incidents/cf-500/"
    assert row.select_one(".badge.status.over").get_text() == "resolved"
    assert row.select_one(".badge.sev-4").get_text() == "critical"
    assert "Started 14:05 UTC" in text and "resolved 16:20 UTC, after 2 h 15 min" in text
    assert row.select_one("time")["datetime"] == start.isoformat().replace("+00:00", "Z")
    assert "Frankfurt, AWS us-east-1" in text
    assert "3 news reports, 1 vendor post" in text and "acknowledged by the vendor" in text
    press = next(r for r in soup.select(".happening .incident-row"))
    assert "reported by press" in press.select_one(".badge.status.open").get_text()
    assert "not acknowledged by the vendor" in press.get_text() and "ongoing" in press.get_text()


@pytest.mark.parametrize(("query", "expected"), [
    ("vendor=github-test", ["GitHub outage"]),
    ("service=actions-test", ["GitHub outage"]),
    ("status=ongoing", ["Azure outage"]),
    ("status=resolved", ["GitHub outage", "Microsoft outage"]),
    ("severity=critical", ["Microsoft outage"]),
    ("region=Europe", ["GitHub outage", "Azure outage"]),  # Frankfurt and aws:eu-west-1 are in Europe
    ("region=frankfurt", ["GitHub outage"]),
    ("from=2025-03-02&to=2025-03-02", ["GitHub outage"]),
    ("from=2025-03-02", ["Azure outage", "GitHub outage"]),
    ("vendor=github-test&severity=critical", []),
])
def test_every_filter_is_a_get_parameter_and_narrows_the_timeline(client, query, expected):
    github = VendorFactory(slug="github-test", name="GitHub")
    actions = ServiceFactory(vendor=github, slug="actions-test", name="Actions")
    day = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    resolved(day, title="GitHub outage", vendor=github, services=[actions], regions=["Frankfurt"])
    IncidentFactory(title="Azure outage", started_at=day + timedelta(days=1), regions=["aws:eu-west-1"], severity=2)
    resolved(day - timedelta(days=1), title="Microsoft outage", severity=4, regions=["United States"])
    IncidentFactory(title="Hidden outage", hidden=True, started_at=day, regions=["Frankfurt"])

    soup = page(client, f"/?{query}")
    assert sorted(titles(soup, ".days")) == sorted(expected)
    assert not soup.select(".notice")


def test_the_filter_form_keeps_what_was_asked_so_every_view_is_a_shareable_url(client):
    github = VendorFactory(slug="github-test", name="GitHub")
    IncidentFactory(vendor=github, regions=["Frankfurt"])
    soup = page(client, "/?vendor=github-test&severity=major&region=Europe&from=2025-01-01")
    form = soup.select_one("form.filters")
    assert form["method"] == "get"
    assert form.select_one("#f-vendor option[selected]")["value"] == "github-test"
    assert form.select_one("#f-severity option[selected]")["value"] == "major"
    assert form.select_one("#f-region")["value"] == "Europe"
    assert form.select_one("#f-from")["value"] == "2025-01-01"
    for control in form.select("select, input"):
        assert form.select_one(f'label[for="{control["id"]}"]'), control


@pytest.mark.parametrize("query", [
    "vendor=%3Cscript%3Ealert(1)%3C/script%3E", "status=<b>bogus</b>", "severity=apocalyptic",
    "region=%3Cimg%20src=x%20onerror=alert(1)%3E", "from=2025-13-45", "to=yesterday", "from=" + "9" * 3000,
    "before=20251301000000000000-1", "after=%27;DROP%20TABLE%20incidents_incident;--", "page=99999999999999999999",
    "page=-1", "service=' OR 1=1 --",
])
def test_bad_input_gives_a_normal_page_with_a_clear_message_and_never_reflects_html(client, query):
    IncidentFactory(title="Still listed")
    response = client.get(f"/?{query}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body and "<img src=x" not in body and "<b>bogus" not in body
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one(".notice") is not None
    assert titles(soup, ".days") == ["Still listed"]  # the unusable part is dropped, the rest still works


def test_the_timeline_pages_by_keyset_with_older_and_newer_links(client, now):
    for n in range(PAGE_SIZE + 5):
        resolved(now - timedelta(days=10, hours=n), title=f"Outage {n:03d}")
    first = page(client, "/")
    assert len(titles(first, ".days")) == PAGE_SIZE and titles(first, ".days")[0] == "Outage 000"
    assert first.select_one('.pager a[rel="prev"]') is None
    older = first.select_one('.pager a[rel="next"]')["href"]

    second = page(client, "/" + older)
    assert titles(second, ".days") == [f"Outage {n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert second.select_one('.pager a[rel="next"]') is None
    assert second.select_one(".happening") is None  # happening now belongs to the first page

    back = page(client, "/" + second.select_one('.pager a[rel="prev"]')["href"])
    assert titles(back, ".days") == titles(first, ".days")


def test_incidents_that_share_a_start_time_are_neither_lost_nor_repeated_across_pages(client, now):
    same = now - timedelta(days=3)
    for n in range(PAGE_SIZE + 3):
        resolved(same, title=f"Tie {n:03d}")
    first = page(client, "/")
    second = page(client, "/" + first.select_one('.pager a[rel="next"]')["href"])
    seen = titles(first, ".days") + titles(second, ".days")
    assert sorted(seen) == sorted(f"Tie {n:03d}" for n in range(PAGE_SIZE + 3))


def test_page_links_keep_the_filters(client, now):
    github = VendorFactory(slug="github-test")
    for n in range(PAGE_SIZE + 1):
        resolved(now - timedelta(days=4, hours=n), vendor=github)
    soup = page(client, "/?vendor=github-test")
    assert soup.select_one('.pager a[rel="next"]')["href"].startswith("?vendor=github-test&before=")


def test_the_week_chart_draws_a_bar_per_recent_incident_in_its_vendor_lane(client, now):
    vendor = VendorFactory(name="Fastly")
    resolved(now - timedelta(days=1), vendor=vendor, title="Fastly CDN errors")
    resolved(now - timedelta(days=30), vendor=vendor, title="Too old for the chart")
    svg = page(client, "/").select_one(".week svg")
    assert svg["role"] == "img" and svg.title.get_text() == "Incidents of the last 7 days, by vendor"
    assert [rect.title.get_text().split(":")[0] for rect in svg.select("rect.bar")] == ["Fastly CDN errors"]
    assert "Fastly" in [text.get_text() for text in svg.select("text")]


def test_the_to_date_moves_the_week_chart_to_the_week_it_ends(client):
    resolved(datetime(2025, 3, 2, 10, 0, tzinfo=UTC), title="Old outage")
    assert not page(client, "/").select(".week rect.bar")
    assert len(page(client, "/?to=2025-03-04").select(".week rect.bar")) == 1


def test_hidden_incidents_are_on_no_page(client, now):
    vendor = VendorFactory(slug="hidden-vendor")
    service = ServiceFactory(vendor=vendor, slug="hidden-service")
    IncidentFactory(title="Editor hid this", hidden=True, vendor=vendor, services=[service], slug="hidden-one",
                    started_at=now - timedelta(hours=2))
    for url in ("/", "/?status=ongoing", "/vendors/hidden-vendor/", "/services/hidden-service/"):
        body = client.get(url).content.decode()
        assert "Editor hid this" not in body, url
    page(client, "/incidents/hidden-one/", status=404)


def test_the_timeline_runs_the_same_few_queries_whatever_the_data_size(client, now):
    def build(count):
        vendor = VendorFactory()
        service = ServiceFactory(vendor=vendor)
        for n in range(count):
            IncidentFactory(vendor=vendor, services=[service], regions=["Frankfurt"],
                            started_at=now - timedelta(hours=n * 7), last_activity_at=now)
            resolved(now - timedelta(hours=n * 5), vendor=VendorFactory(), regions=["Germany"])

    build(2)
    small = queries_for(client, "/")
    small_filtered = queries_for(client, "/?region=Europe&severity=major")
    build(40)
    assert queries_for(client, "/") == small <= MAX_QUERIES
    assert queries_for(client, "/?region=Europe&severity=major") == small_filtered <= MAX_QUERIES


def test_every_page_has_landmarks_a_skip_link_a_labelled_search_and_the_stylesheet(client, now):
    incident = IncidentFactory(services=[ServiceFactory()])
    for url in ("/", f"/incidents/{incident.slug}/", f"/vendors/{incident.vendor.slug}/",
                f"/services/{incident.services.get().slug}/", "/status"):
        soup = page(client, url)
        assert soup.html["lang"] == "en"
        assert soup.select_one("header") and soup.select_one("nav[aria-label]") and soup.select_one("footer")
        assert soup.select_one("main#content") and soup.select_one('a.skip-link[href="#content"]')
        assert len(soup.select("h1")) == 1
        search = soup.select_one('form[role="search"]')
        assert search["action"] == "/search" and search.select_one('label[for="site-search-q"]')
        assert search.select_one('input[name="q"]#site-search-q')
        assert {a.get_text() for a in soup.select("nav a")} == {"Timeline", "Status", "Sources", "Feeds"}
        assert soup.select_one('link[rel="stylesheet"]')["href"].endswith("css/site.css")
        assert soup.select_one('script[src$="js/localtime.js"]')
        assert not [tag for tag in soup.select("[src], [href]")
                    if (tag.get("src") or tag.get("href")).startswith(("http://", "https://", "//"))
                    and tag.name in ("script", "link")], "no CDN"


# --- incident page ---------------------------------------------------------------------------------


@pytest.fixture
def full_incident(now):
    """An incident with a vendor post (two updates), two news reports, a summary citing them, and
    an earlier incident of the same service."""
    vendor = VendorFactory(name="Microsoft", slug="microsoft-test")
    exchange = ServiceFactory(vendor=vendor, name="Exchange Online", slug="exchange-test")
    start = now - timedelta(hours=5)
    incident = IncidentFactory(
        title="Exchange Online users cannot send mail", slug="exo-mail", vendor=vendor, services=[exchange],
        status=Incident.Status.RESOLVED, severity=3, vendor_severity="Advisory", started_at=start,
        first_reported_at=start, vendor_acknowledged_at=start + timedelta(minutes=50),
        resolved_at=start + timedelta(hours=3, minutes=10), regions=["Europe", "aws:eu-west-1"],
        vendor_incident_ids=["EX1189"], error_messages=["550 5.7.708 Service unavailable. Access denied"],
        news_count=2, status_count=1,
    )
    press = SourceFactory(name="The Register")
    first_news = ArticleFactory(source=press, title="Outlook down for thousands", url="https://theregister.example/exo",
                                published_at=start + timedelta(minutes=5))
    second_news = ArticleFactory(source=SourceFactory(name="BleepingComputer"), title="Exchange outage spreads",
                                 published_at=start + timedelta(minutes=70), url="javascript:alert(1)")
    post = stored(SourceFactory(name="Microsoft 365 status", kind="statuspage", vendor_name="Microsoft"),
                  StatusItemFactory(title="EX1189: users can't send mail", url="https://status.example/EX1189",
                                    published_at=start + timedelta(minutes=55), updates=(
                                        ItemUpdateFactory(posted_at=start + timedelta(hours=3, minutes=10),
                                                          status=VendorStatus.RESOLVED, text="Fixed."),
                                        ItemUpdateFactory(posted_at=start + timedelta(minutes=55),
                                                          status=VendorStatus.INVESTIGATING,
                                                          text="We're investigating."))))
    for article in (first_news, second_news, post):
        MembershipFactory(article=article, incident=incident)
    MembershipFactory(incident=incident, duplicate_of=first_news, article=ArticleFactory(
        source=SourceFactory(name="Syndicator"), title="Outlook down (syndicated)",
        published_at=start + timedelta(hours=2)))
    first_update, last_update = post.updates.order_by("posted_at")
    older = resolved(start - timedelta(days=20), title="Earlier Exchange outage", vendor=vendor, services=[exchange],
                     slug="exo-earlier")
    older_source = ArticleFactory(source=press, title="Last month's Exchange outage")
    MembershipFactory(article=older_source, incident=older)
    resolved(start + timedelta(hours=1), title="A later Exchange outage", vendor=vendor, services=[exchange])
    SummaryFactory(incident=incident, current=True, why_this_matters=[
        {"text": "Mail for many organisations stopped.", "citations": [f"article:{first_news.pk}"]},
        {"text": "Microsoft confirmed it.", "citations": [f"update:{first_update.pk}"]},
    ], takeaways=[
        {"text": "It was fixed.", "citations": [f"update:{last_update.pk}"], "kind": "resolution"},
        {"text": "It happened last month too.", "citations": [f"article:{older_source.pk}"], "kind": "history",
         "links": [{"title": "Earlier Exchange outage", "incident": "exo-earlier"}]},
    ])
    return {"incident": incident, "first_news": first_news, "second_news": second_news, "post": post,
            "first_update": first_update, "last_update": last_update, "older_source": older_source}


def test_the_incident_page_states_the_facts(client, full_incident):
    soup = page(client, "/incidents/exo-mail/")
    facts = {dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text(" ").split())
             for dt in soup.select("dl.facts dt")}
    assert soup.h1.get_text() == "Exchange Online users cannot send mail"
    assert facts["Status"] == "Resolved" and facts["Severity"].startswith("Major (the vendor says “Advisory”)")
    assert soup.select_one('dl.facts a[href="/vendors/microsoft-test/"]').get_text() == "Microsoft"
    assert soup.select_one('dl.facts a[href="/services/exchange-test/"]').get_text() == "Exchange Online"
    assert facts["Duration"] == "3 h 10 min"
    assert "45 min after the first press report" in facts["Acknowledged by the vendor"]
    assert [a.get_text() for a in soup.select("dl.facts li a[href^='/?region=']")] == ["Europe", "AWS eu-west-1"]
    assert soup.select_one('dl.facts a[href="/?region=aws%3Aeu-west-1"]')
    assert facts["Vendor incident id"] == "EX1189"


def test_citations_link_to_the_original_with_the_publisher_and_jump_to_the_source_list(client, full_incident):
    soup = page(client, "/incidents/exo-mail/")
    first_news, post = full_incident["first_news"], full_incident["post"]
    why = soup.select_one(".why")
    publisher_link = why.select_one(".cite a[rel]")
    assert (publisher_link["href"], publisher_link.get_text()) == ("https://theregister.example/exo", "The Register")
    jump = why.select_one(f'.cite a.jump[href="#source-article-{first_news.pk}"]')
    assert jump and soup.select_one(f"#source-article-{first_news.pk}")
    update = full_incident["first_update"]
    update_cite = why.select(".cite")[1]
    assert update_cite.select_one("a")["href"] == post.url and update_cite.select_one("a").get_text() == (
        "Microsoft 365 status")  # short: which update it is is said on hover
    assert update_cite["title"] == f"the update of {update.posted_at:%d %b %H:%M} UTC"
    assert update_cite.select_one(f'a.jump[href="#source-update-{update.pk}"]')
    assert soup.select_one(f"#source-update-{update.pk}")
    history = soup.select(".takeaways li")[1]
    assert history.select_one('a[href="/incidents/exo-earlier/"]').get_text() == "Earlier Exchange outage"
    assert history.select_one(".cite a").get_text() == "The Register"  # another incident's source still links
    assert history.select_one(".cite a.jump") is None  # … but it is not in this page's source list


def test_the_vendor_updates_come_in_order_and_error_messages_are_copyable(client, full_incident):
    soup = page(client, "/incidents/exo-mail/")
    assert [li.p.strong.get_text() for li in soup.select(".updates li")] == ["Investigating", "Resolved"]
    code = soup.select_one(".errors pre code")
    assert code.get_text() == "550 5.7.708 Service unavailable. Access denied"
    button = soup.select_one(f'.errors button[data-copy="{code["id"]}"]')
    assert button.has_attr("hidden")  # shown by copy.js; without JavaScript the text is there to select
    assert soup.select_one('script[src$="js/copy.js"]')


def test_every_source_is_listed_with_publisher_and_time_and_unsafe_links_are_not_made(client, full_incident):
    soup = page(client, "/incidents/exo-mail/")
    entries = soup.select("ol.sources li")
    assert [e.strong.get_text() for e in entries] == ["The Register", "Microsoft 365 status", "BleepingComputer",
                                                      "Syndicator"]
    assert "a copy of an earlier story" in entries[3].get_text()
    assert not any("a copy of" in e.get_text() for e in entries[:3])
    assert entries[0].select_one("a")["href"] == "https://theregister.example/exo"
    assert entries[0].select_one("time")
    assert entries[2].select_one("a") is None and "Exchange outage spreads" in entries[2].get_text()
    assert "javascript:" not in str(soup)


def test_earlier_incidents_of_the_same_service_are_listed_not_later_ones(client, full_incident):
    soup = page(client, "/incidents/exo-mail/")
    section = soup.select_one('section[aria-labelledby="earlier-title"]')
    assert section.h2.get_text() == "Earlier incidents of Exchange Online"
    assert titles(section) == ["Earlier Exchange outage"]


def test_an_incident_without_a_summary_or_sources_still_renders(client):
    IncidentFactory(slug="bare", vendor=None, subject="Fortnite", regions=["Global"])
    soup = page(client, "/incidents/bare/")
    assert "No summary yet" in soup.get_text() and "No sources are attached" in soup.get_text()
    assert "worldwide" in soup.select_one("dl.facts").get_text()


def test_unknown_and_hidden_incidents_are_404(client):
    IncidentFactory(slug="secret", hidden=True)
    page(client, "/incidents/secret/", status=404)
    missing = page(client, "/incidents/no-such-thing/", status=404)
    # The site's own page, sized for phones (Django's plain one has no viewport: 980 px wide on a phone).
    assert missing.select_one('meta[name="viewport"]')["content"] == "width=device-width, initial-scale=1"
    assert missing.h1.get_text() == "Nothing here" and missing.select_one('main a[href="/"]')


def test_the_incident_page_runs_the_same_few_queries_whatever_its_number_of_sources(client, full_incident):
    incident = full_incident["incident"]
    small = queries_for(client, "/incidents/exo-mail/")
    status_source = SourceFactory(kind="statuspage")
    for n in range(15):
        MembershipFactory(incident=incident)
        post = stored(status_source, StatusItemFactory(updates=(ItemUpdateFactory(), ItemUpdateFactory(text="more"))))
        MembershipFactory(article=post, incident=incident)
        resolved(incident.started_at - timedelta(days=n + 1), vendor=incident.vendor,
                 services=list(incident.services.all()))
    connection.check_constraints()  # as a commit would: PostgreSQL moves the content version at commit
    assert queries_for(client, "/incidents/exo-mail/") == small <= INCIDENT_PAGE_QUERIES


# --- vendor and service pages ----------------------------------------------------------------------


def test_the_vendor_page_says_operational_when_the_vendors_latest_post_is_resolved(client, now):
    vendor = VendorFactory(slug="slack-test", name="Slack", status_page_url="https://status.slack.example/")
    resolved(now - timedelta(days=3), vendor=vendor, title="Slack messages delayed", status_count=1)
    IncidentFactory(vendor=vendor, title="Press says Slack is slow", status=Incident.Status.REPORTED,
                    started_at=now - timedelta(hours=1), last_activity_at=now - timedelta(hours=1))
    soup = page(client, "/vendors/slack-test/")
    status = soup.select_one('section[aria-labelledby="status-title"]')
    assert status.select_one(".badge").get_text() == "operational"
    assert "Slack messages delayed" in status.get_text()
    assert titles(status) == ["Press says Slack is slow"]  # open, though the vendor has not posted
    assert titles(soup.select_one('section[aria-labelledby="history-title"]')) == [
        "Press says Slack is slow", "Slack messages delayed"]


def test_the_vendor_page_shows_the_open_status_of_the_vendors_latest_post(client, now):
    vendor = VendorFactory(slug="slack-test")
    resolved(now - timedelta(days=3), vendor=vendor, status_count=1)
    IncidentFactory(vendor=vendor, title="Slack degraded", status=Incident.Status.IDENTIFIED, status_count=1,
                    started_at=now - timedelta(hours=2), last_activity_at=now - timedelta(minutes=5))
    status = page(client, "/vendors/slack-test/").select_one('section[aria-labelledby="status-title"]')
    assert status.select_one(".current .badge").get_text() == "identified"
    assert "Slack degraded" in status.select_one(".current").get_text()


def test_the_vendor_page_counts_incidents_per_month_and_gives_median_duration_and_time_to_acknowledge(client, now):
    vendor = VendorFactory(slug="okta-test", name="Okta")
    press = SourceFactory()
    durations_and_delays = [(1, 10), (2, 30), (4, 50)]  # hours, minutes from first press to the vendor's post
    starts = [now - timedelta(days=1 + n * 20) for n in range(3)]
    for start, (hours, delay) in zip(starts, durations_and_delays, strict=True):
        incident = resolved(start, hours=hours, vendor=vendor, vendor_acknowledged_at=start + timedelta(minutes=delay))
        MembershipFactory(incident=incident, article=ArticleFactory(source=press, published_at=start))
    resolved(now - timedelta(days=2), hours=40, vendor=vendor, severity=1)  # maintenance: not in the medians
    resolved(now - timedelta(days=400), vendor=vendor)  # older than 12 months
    per_month = Counter(f"{start:%b %Y}" for start in [*starts, now - timedelta(days=2)])

    soup = page(client, "/vendors/okta-test/")
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
             for dt in soup.select('section[aria-labelledby="year-title"] dl dt')}
    assert facts["Incidents"] == "4"
    assert facts["Median duration"].startswith("2 h ")
    assert facts["Median time to acknowledge"].startswith("30 min ")
    svg = soup.select_one('section[aria-labelledby="year-title"] svg')
    assert svg["role"] == "img" and len(svg.select("rect.bar")) == 12
    months = dict(entry.split(": ") for entry in svg.desc.get_text().split("; "))
    assert {month: int(n) for month, n in months.items() if n != "0"} == per_month


def test_the_service_page_lists_only_that_services_incidents(client, now):
    vendor = VendorFactory(name="Google Cloud", slug="gcp-test")
    compute = ServiceFactory(vendor=vendor, name="Compute Engine", slug="gce-test")
    other = ServiceFactory(vendor=vendor, name="BigQuery", slug="bq-test")
    resolved(now - timedelta(days=1), vendor=vendor, services=[compute], title="VMs fail to start")
    resolved(now - timedelta(days=1), vendor=vendor, services=[other], title="Queries time out")
    soup = page(client, "/services/gce-test/")
    assert soup.h1.get_text() == "Google Cloud Compute Engine"
    assert soup.select_one('header a[href="/vendors/gcp-test/"]')
    assert titles(soup.select_one('section[aria-labelledby="history-title"]')) == ["VMs fail to start"]


def test_unknown_vendors_and_services_are_404(client):
    page(client, "/vendors/no-such-vendor/", status=404)
    page(client, "/services/no-such-service/", status=404)


def test_vendor_and_service_pages_run_the_same_few_queries_whatever_the_history(client, now):
    vendor = VendorFactory(slug="big-vendor")
    service = ServiceFactory(vendor=vendor, slug="big-service")

    def build(count):
        for n in range(count):
            incident = resolved(now - timedelta(days=n * 9 + 1), vendor=vendor, services=[service], status_count=1,
                                vendor_acknowledged_at=now - timedelta(days=n * 9))
            MembershipFactory(incident=incident)
            IncidentFactory(vendor=vendor, services=[service], started_at=now - timedelta(hours=n))

    build(2)
    small = queries_for(client, "/vendors/big-vendor/"), queries_for(client, "/services/big-service/")
    build(40)
    assert (queries_for(client, "/vendors/big-vendor/"), queries_for(client, "/services/big-service/")) == small
    assert max(small) <= MAX_QUERIES


# --- conditional GET -------------------------------------------------------------------------------


def test_a_repeat_request_with_the_pages_etag_gets_304_after_two_queries_at_most(client,
                                                                                django_assert_max_num_queries):
    incident = IncidentFactory(services=[ServiceFactory()])
    for url in ("/", "/?region=Europe&severity=major", f"/incidents/{incident.slug}/",
                f"/vendors/{incident.vendor.slug}/", f"/services/{incident.services.get().slug}/"):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"].startswith('W/"'), url
        with django_assert_max_num_queries(2):
            repeat = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert repeat.status_code == 304 and not repeat.content, url


def test_a_change_to_an_incident_changes_the_version_of_the_pages_that_show_it(client):
    incident = IncidentFactory(slug="changing")
    urls = ("/", "/incidents/changing/", f"/vendors/{incident.vendor.slug}/")
    tags = {url: client.get(url)["ETag"] for url in urls}
    incident.status = Incident.Status.RESOLVED
    incident.save()
    for url in urls:
        response = client.get(url, headers={"If-None-Match": tags[url]})
        assert response.status_code == 200 and response["ETag"] != tags[url], url


def test_hiding_an_incident_turns_its_cached_page_into_a_404(client):
    incident = IncidentFactory(slug="soon-hidden")
    tag = client.get("/incidents/soon-hidden/")["ETag"]
    incident.hidden = True
    incident.save()
    assert client.get("/incidents/soon-hidden/", headers={"If-None-Match": tag}).status_code == 404


def test_an_incident_left_open_but_quiet_for_days_is_not_happening_now_but_is_still_ongoing(client, now):
    IncidentFactory(title="Fresh", started_at=now - timedelta(hours=2), last_activity_at=now - timedelta(hours=1))
    IncidentFactory(title="Forgotten", started_at=now - timedelta(days=40), last_activity_at=now - timedelta(days=39))
    soup = page(client, "/")
    assert titles(soup, ".happening") == ["Fresh"]
    assert soup.select_one('.happening a[href="?status=ongoing"]')
    assert sorted(titles(page(client, "/?status=ongoing"), ".days")) == ["Forgotten", "Fresh"]


def test_an_acknowledgement_the_first_press_report_states_is_neither_before_nor_after_it(client, now):
    report = ArticleFactory(source=SourceFactory(name="Android Authority"), title="ChatGPT is down",
                            published_at=now - timedelta(hours=2))
    incident = IncidentFactory(slug="chatgpt-down", status=Incident.Status.REPORTED, started_at=report.published_at,
                               first_reported_at=report.published_at, vendor_acknowledged_at=report.published_at,
                               news_count=1, acknowledged_in=report)
    MembershipFactory(article=report, incident=incident)
    soup = page(client, "/incidents/chatgpt-down/")
    facts = {dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text(" ").split())
             for dt in soup.select("dl.facts dt")}
    acknowledged = facts["Acknowledged by the vendor"]
    assert acknowledged.endswith("as Android Authority reports")
    assert "before any press report" not in acknowledged and "after the first press report" not in acknowledged
