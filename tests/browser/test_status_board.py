"""A reader on the status board and a vendor's component strips, at 1280 px and on a 360 px phone:
components stored from the recorded status pages (Twilio's Statuspage summary, Docker's status.io
page, Slack's current status), a live press-only outage of a vendor whose page is green."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.adapters import parse_components
from articles.component_store import store_page_status
from incidents.models import Incident, Vendor
from tests.browser.conftest import screenshot
from tests.factories import ArticleFactory, IncidentFactory, MembershipFactory, SourceFactory
from tests.httpserver import FIXTURES_DIR

pytestmark = pytest.mark.browser
PAGES_WITH_COMPONENTS = [
    ("Twilio status", "statuspage", "Twilio", "statuspage/twilio-summary-incidents-2020-06-16.json"),
    ("Docker status", "statusio", "Docker", "statusio/docker-statusio-public-status-partial-2020-07-16.json"),
    ("Slack status", "slack", "Slack", "slack/slack-status-v2-current-active-2020-07-30.json"),
]
WIDTHS = (1280, 360)


@pytest.fixture
def board_site(transactional_db, live_server):
    call_command("load_catalogue", verbosity=0)
    now = timezone.now()
    for name, kind, vendor, fixture in PAGES_WITH_COMPONENTS:
        source = SourceFactory(name=name, kind=kind, vendor_name=vendor, health="ok",
                               last_fetch_at=now - timedelta(seconds=30), last_success_at=now - timedelta(seconds=30))
        page = parse_components(kind, (FIXTURES_DIR / fixture).read_bytes())
        store_page_status(source, page, datetime(2026, 1, 1, tzinfo=UTC))  # first seen, all calm until...
        store_page_status(source, page, now - timedelta(days=2))  # ...the recorded states, two days ago
    SourceFactory(name="Docker Hub feed", kind="statuspage", vendor_name="Docker", health="failing",
                  last_fetch_at=now - timedelta(minutes=3), last_error="HTTP 503: the server is unavailable; "
                  "polling again with backoff")
    # Twilio's page says degraded; GitHub's green page meets a press-only outage two outlets report.
    github_source = SourceFactory(name="GitHub status", kind="statuspage", vendor_name="GitHub", health="ok",
                                  last_fetch_at=now - timedelta(seconds=50), last_success_at=now)
    store_page_status(github_source, parse_components("statuspage", b'{"components": [{"id": "a", "name": '
                                                      b'"Git Operations", "status": "operational"}]}'), now)
    outage = IncidentFactory(vendor=Vendor.objects.get(slug="github"), title="GitHub is down for many users",
                             status=Incident.Status.REPORTED, started_at=now - timedelta(hours=1),
                             last_activity_at=now, status_count=0, news_count=2)
    for outlet in ("The Register", "BleepingComputer"):
        MembershipFactory(incident=outage, article=ArticleFactory(kind="news", source=SourceFactory(name=outlet)))
    return live_server


def phone_or_desktop(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 500,
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("console", lambda message: page.js_errors.append(message.text) if message.type == "error" else None)
    return context, page


def assert_fits(page, width: int, path: str) -> None:
    scroll = page.evaluate("document.body.scrollWidth")
    assert scroll <= width, f"{path} is {scroll}px wide on a {width}px screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_board_shows_every_vendor_flags_a_green_page_under_press_reports_and_fits_the_screen(
        browser, board_site, width):
    context, page = phone_or_desktop(browser, width)
    page.goto(f"{board_site.url}/status")

    expect(page.locator("h1")).to_have_text("Is it me or them?")
    github = page.locator("#vendor-github")
    expect(github.locator(".flag")).to_contain_text("Its page is green")
    expect(github.locator(".board-incidents a")).to_have_text("GitHub is down for many users")
    expect(page.locator("#vendor-twilio .board-own")).to_contain_text("degraded")
    expect(page.locator("#vendor-docker .board-sources .failing")).to_contain_text("failing")
    expect(page.locator(".board-row").first).to_have_id("vendor-github")  # the disagreement first
    assert_fits(page, width, "/status")
    screenshot(page, f"status-board-{width}", full_page=True)

    page.goto(f"{board_site.url}/status?v=twilio,slack")
    expect(page.locator(".board-name")).to_have_count(2)
    assert_fits(page, width, "/status?v=twilio,slack")
    assert page.js_errors == []
    response = page.goto(f"{board_site.url}/status?v=twilio,twillio")  # Chromium logs the 400 as an error
    assert response.status == 400
    expect(page.locator("[role=alert]")).to_contain_text("twillio")
    assert_fits(page, width, "/status?v=twilio,twillio")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_vendor_page_draws_a_strip_per_component_and_fits_the_screen(browser, board_site, width):
    context, page = phone_or_desktop(browser, width)
    page.goto(f"{board_site.url}/status")
    page.click("#vendor-twilio .board-name a")

    expect(page.locator("h1")).to_have_text("Twilio")
    components = page.locator(".components .component")
    expect(components).to_have_count(65)
    mms = components.filter(has_text="MMS Short Code, North America")
    expect(mms.locator(".badge")).to_have_text("degraded")
    strip = mms.locator("svg.strip")
    expect(strip).to_be_visible()
    assert strip.bounding_box()["width"] <= width
    expect(strip.locator("rect")).to_have_count(90)
    expect(strip.locator("rect.state-degraded")).not_to_have_count(0)
    assert_fits(page, width, "/vendors/twilio/")
    screenshot(page, f"vendor-components-{width}")
    assert page.js_errors == []
    context.close()
