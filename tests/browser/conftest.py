"""Headless Chromium (Debian's `chromium` package) driven by Playwright against a live server.

The pages are served by pytest-django's live server on the test database, filled through the real
pipeline from recorded payloads. Every page load collects JavaScript errors; a test fails on any.
Screenshots go to test-artifacts/screenshots/ (ignored by git) for a person to look at.
"""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article
from incidents.models import Incident
from incidents.pipeline import process_article
from incidents.summaries.service import write_all_due
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
from tests.httpserver import FIXTURES_DIR

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
RECORDED = [
    ("Ars Technica", "feed", "", "technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss"),
    ("GitHub status", "statuspage_feed", "GitHub", "statuspage/githubstatus-history-2019-11-22.atom"),
    ("Google Cloud status", "gcp", "Google Cloud", "gcp/gcp-status-incidents-2022-07-03.json"),
]



def chromium_path() -> str:
    path = os.environ.get("OUTAGEHUB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's package (apt-get install chromium) or set "
                    "OUTAGEHUB_CHROMIUM to its path. .ci/run installs it.")
    return path


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """Chromium for one test. It starts after the test database and stops before the database is
    flushed: Playwright's sync API keeps an event loop running in this thread while it is open, and
    the ORM calls made meanwhile (the test's own, the flush) are synchronous all the same, so
    Django's guard against async contexts is lifted for exactly that span."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()
        # ORM calls made while Playwright's event loop runs get a connection of their own (Django keeps
        # connections per context): close it here, or it outlives the test and blocks dropping the
        # test database on PostgreSQL.
        connections.close_all()


def csp_violation(message) -> bool:
    """Chromium's console message for anything the Content-Security-Policy blocked ("Refused to
    execute inline script because it violates the following Content Security Policy directive …")."""
    return "Content Security Policy" in message.text


@pytest.fixture
def page(browser):
    """A fresh page whose JavaScript errors and console errors are collected in `page.js_errors`, and
    whatever the Content-Security-Policy blocked (an error too) in `page.csp_violations`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.js_errors = []
    page.csp_violations = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("console", lambda message: page.js_errors.append(message.text) if message.type == "error" else None)
    page.on("console", lambda message: page.csp_violations.append(message.text) if csp_violation(message) else None)
    yield page
    context.close()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """What the reader sees on the first screen (or the whole page), as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def recorded_site(transactional_db, live_server):
    """The live server's database filled from recorded payloads through the pipeline, summarised.
    The catalogue comes back first: an earlier transactional test's flush emptied every table."""
    call_command("load_catalogue", verbosity=0)
    for name, kind, vendor, fixture in RECORDED:
        source = SourceFactory(name=name, kind=kind, vendor_name=vendor)
        store_items(source, parse_payload(kind, (FIXTURES_DIR / fixture).read_bytes()),
                    fetched_at=datetime(2026, 1, 1, tzinfo=UTC), scrape_teasers=False)
    for article_id in Article.objects.order_by("published_at", "pk").values_list("pk", flat=True):
        process_article(article_id)
    write_all_due()
    return live_server


@pytest.fixture
def unwieldy_incident(transactional_db):
    """An incident with everything that stretches a phone's screen: a title that is mostly an address,
    long vendor ids and error messages, sources with long names and addresses, one sentence citing
    four of them, a vendor update quoting an address, an earlier incident of the same service."""
    vendor = VendorFactory(slug="unwieldy-cloud", name="Unwieldy Cloud Platform Infrastructure Services")
    service = ServiceFactory(vendor=vendor, slug="unwieldy-identity",
                             name="Unwieldy Identity and Access Management for Enterprise Tenants")
    incident = IncidentFactory(unwieldy=True, slug="unwieldy-sign-in", vendor=vendor, services=[service])
    news = ArticleFactory.create_batch(3, unwieldy=True)
    post = stored(SourceFactory(unwieldy=True, kind="statuspage", vendor_name=vendor.name), StatusItemFactory(
        url=f"https://status.unwieldy.example/incidents/{'fc7GCA6kAgnBihezUAkx' * 4}",
        updates=(ItemUpdateFactory(text="Requests to https://graph.unwieldy.example/v1.0/users/"
                                        f"{'a1b2c3d4' * 10}/messages answer HTTP 503; we are rerouting traffic."),)))
    for article in (*news, post):
        MembershipFactory(article=article, incident=incident)
    cited = [f"article:{article.pk}" for article in news] + [f"update:{post.updates.get().pk}"]
    SummaryFactory(incident=incident, current=True, why_this_matters=[
        {"text": "Sign-in to Unwieldy Identity fails for tenants in Europe and North America.", "citations": cited},
    ], takeaways=[
        {"text": "Users see AADSTS50058 with a trace id.", "citations": cited, "kind": "errors"},
        {"text": "The vendor is rerouting traffic.", "citations": cited[-1:], "kind": "latest"},
    ])
    IncidentFactory(unwieldy=True, vendor=vendor, services=[service], status=Incident.Status.RESOLVED,
                    started_at=datetime(2025, 10, 2, 9, 0, tzinfo=UTC),
                    resolved_at=datetime(2025, 10, 2, 11, 30, tzinfo=UTC))
    return incident
