"""/status and the component strips of a vendor's page, on factory data and the real component store."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.component_store import store_page_status
from articles.items import Component, ComponentState, PageStatus
from incidents.models import Incident
from tests.factories import ArticleFactory, IncidentFactory, MembershipFactory, SourceFactory, VendorFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 6
# A vendor page reads one more than the board: the content version beside its own (conditional.py).
VENDOR_PAGE_QUERIES = MAX_QUERIES + 1


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def soup_of(client, url, status=200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.content[:800]
    return BeautifulSoup(response.content, "html.parser")


def status_source(vendor, now, state=ComponentState.OPERATIONAL, health="ok", **fields):
    source = SourceFactory(name=f"{vendor.name} status", kind="statuspage", vendor_name=vendor.name, health=health,
                           last_fetch_at=now - timedelta(minutes=10), last_success_at=now - timedelta(minutes=10),
                           **fields)
    store_page_status(source, PageStatus((Component("api", "API", state, state.value),), complete=True), now)
    return source


def live(vendor, now, outlets=0, posted=False, **fields):
    incident = IncidentFactory(vendor=vendor, started_at=now - timedelta(hours=1), last_activity_at=now,
                               status=Incident.Status.INVESTIGATING if posted else Incident.Status.REPORTED,
                               status_count=int(posted), news_count=outlets, **fields)
    for number in range(outlets):
        MembershipFactory(incident=incident, article=ArticleFactory(kind="news", source=SourceFactory(
            name=f"Outlet {incident.pk}-{number}")))
    return incident


def row_of(soup, slug):
    return soup.select_one(f"#vendor-{slug}")


def test_the_board_shows_each_vendor_by_its_page_and_the_press_and_flags_a_green_page_under_reports(client, now):
    github, slack, _ = (VendorFactory(slug=s, name=n) for s, n in
                            [("github", "GitHub"), ("slack", "Slack"), ("azure", "Microsoft Azure")])
    status_source(github, now)
    status_source(slack, now, state=ComponentState.MAJOR_OUTAGE)
    SourceFactory(name="Azure status", kind="azure", vendor_name="Microsoft Azure", health="failing",
                  last_fetch_at=now - timedelta(minutes=5), last_error="the server answered 503")
    outage = live(github, now, outlets=2, title="GitHub Actions is down")
    live(slack, now, outlets=1, posted=True)

    soup = soup_of(client, "/status")

    names = [h.get_text(strip=True) for h in soup.select(".board-name")]
    assert names[0] == "GitHub" and set(names) == {"GitHub", "Slack", "Microsoft Azure"}
    github_row = row_of(soup, "github")
    assert "disagree" in github_row["class"]
    assert "Its page is green" in github_row.select_one(".flag").get_text()
    assert github_row.select_one(f"a[href='/incidents/{outage.slug}/']").get_text() == "GitHub Actions is down"
    assert "operational" in github_row.select_one(".board-own").get_text()
    assert "press reports an outage" in github_row.select_one(".board-press").get_text()
    assert "checked 10 min ago" in github_row.select_one(".board-sources").get_text()
    slack_row = row_of(soup, "slack")
    assert "major outage" in slack_row.select_one(".board-own").get_text() and not slack_row.select(".flag")
    azure_row = row_of(soup, "azure")
    assert "failing" in azure_row.select_one(".board-sources .failing").get_text()
    assert "the server answered 503" in azure_row.get_text()
    assert soup.select_one("nav a[aria-current=page]").get_text() == "Status"


def test_a_resolved_or_quiet_incident_is_not_live_on_the_board(client, now):
    github = VendorFactory(slug="github", name="GitHub")
    status_source(github, now)
    IncidentFactory(vendor=github, status=Incident.Status.RESOLVED, started_at=now - timedelta(hours=3),
                    resolved_at=now - timedelta(hours=1), last_activity_at=now)
    IncidentFactory(vendor=github, status=Incident.Status.REPORTED, started_at=now - timedelta(days=9),
                    last_activity_at=now - timedelta(days=8))

    row = row_of(soup_of(client, "/status"), "github")
    assert not row.select(".board-incidents") and not row.select(".flag")


def test_a_list_of_vendors_in_the_address_keeps_only_them_even_without_a_source(client, now):
    vendors = {slug: VendorFactory(slug=slug, name=slug.title()) for slug in ("github", "cloudflare", "slack", "zoom")}
    for slug in ("github", "cloudflare", "slack"):
        status_source(vendors[slug], now)

    soup = soup_of(client, "/status?v=github,%20Slack,zoom")

    assert {h.get_text(strip=True) for h in soup.select(".board-name")} == {
        vendors[slug].name for slug in ("github", "slack", "zoom")}
    assert "no status page of it is read here" in row_of(soup, "zoom").get_text()


@pytest.mark.parametrize(("query", "named"), [("v=github,gitbub", "gitbub"), ("v=<script>", "<script>")])
def test_an_unknown_or_malformed_vendor_is_a_400_naming_it(client, now, query, named):
    VendorFactory(slug="github", name="GitHub")

    soup = soup_of(client, f"/status?{query}", status=400)

    assert named in soup.select_one("[role=alert]").get_text()
    assert not soup.select("script:-soup-contains('<script>')")


def test_the_board_runs_the_same_few_queries_whatever_the_number_of_vendors_and_incidents(client, now):
    def grow(n):
        for _ in range(n):
            vendor = VendorFactory()
            status_source(vendor, now)
            live(vendor, now, outlets=2)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/status").status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/status").status_code == 200
    assert len(small) == len(large) <= MAX_QUERIES


def test_a_repeat_request_gets_304_after_two_queries_and_a_poll_changes_the_version(client, now,
                                                                                    django_assert_num_queries):
    source = status_source(VendorFactory(slug="github", name="GitHub"), now)
    etag = client.get("/status").headers["ETag"]

    with django_assert_num_queries(2):  # the board's version and the content version (conditional.py)
        assert client.get("/status", headers={"If-None-Match": etag}).status_code == 304
    source.last_fetch_at = now + timedelta(seconds=1)
    source.save(update_fields=["last_fetch_at"])
    assert client.get("/status", headers={"If-None-Match": etag}).status_code == 200


# --- the vendor page's components ----------------------------------------------------------------


def test_the_vendor_page_draws_a_strip_per_component_with_its_uptime(client, now):
    github = VendorFactory(slug="github", name="GitHub")
    source = SourceFactory(name="GitHub status", kind="statuspage", vendor_name="GitHub")
    day = timedelta(days=1)
    calm = [Component("api", "API", ComponentState.OPERATIONAL, "operational", "Core"),
            Component("actions", "Actions", ComponentState.OPERATIONAL, "operational", "Core")]
    store_page_status(source, PageStatus(tuple(calm), True), now - 200 * day)  # before the window
    down = [calm[0], Component("actions", "Actions", ComponentState.MAJOR_OUTAGE, "major_outage", "Core")]
    store_page_status(source, PageStatus(tuple(down), True), now - 9 * day)
    store_page_status(source, PageStatus(tuple(calm), True), now - 9 * day + timedelta(hours=18))

    soup = soup_of(client, f"/vendors/{github.slug}/")

    components = soup.select(".components .component")
    assert [c.select_one("strong").get_text() for c in components] == ["API", "Actions"]
    api, actions = components
    assert "uptime 100.00%" in api.get_text()
    first_day = (now - 89 * day).replace(hour=0, minute=0, second=0)
    assert f"uptime {100 * (1 - timedelta(hours=18) / (now - first_day)):.2f}%" in actions.get_text()  # 18 h down
    assert len(actions.select("svg.strip rect")) == 90
    outage_days = {(now - 9 * day).date(), (now - 9 * day + timedelta(hours=18) - timedelta(seconds=1)).date()}
    assert len(actions.select("rect.state-major_outage")) == len(outage_days)
    assert len(api.select("rect.state-operational")) == 90
    assert soup.select_one(".current .badge.state-operational").get_text() == "operational"


def test_the_vendor_page_stays_within_seven_queries_with_components_and_a_change_moves_its_version(client, now):
    github = VendorFactory(slug="github", name="GitHub")
    source = status_source(github, now - timedelta(days=3))
    live(github, now, outlets=2)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/vendors/github/")
    assert response.status_code == 200 and len(captured) <= VENDOR_PAGE_QUERIES
    etag = response.headers["ETag"]

    store_page_status(source, PageStatus((Component("api", "API", ComponentState.DEGRADED, "x"),), True), now)
    assert client.get("/vendors/github/", headers={"If-None-Match": etag}).status_code == 200
