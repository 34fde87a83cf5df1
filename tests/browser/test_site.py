"""A reader in headless Chromium: the timeline, a filter, an incident, a citation, and every other
page, on recorded data, with no JavaScript error anywhere."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_reader_filters_the_timeline_opens_an_incident_and_follows_a_citation(page, recorded_site):
    page.goto(f"{recorded_site.url}/")
    expect(page.locator("h1")).to_have_text("Outages, as they happen")
    expect(page.locator("main svg[role=img]").first).to_be_visible()  # the 7-day timeline
    screenshot(page, "site-timeline")

    # A filter is a plain GET form: the result is a URL a reader can share.
    page.locator("summary").filter(has_text="Filter by").click()
    page.select_option("#f-vendor", label="GitHub")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"\?vendor=github"))
    titles = page.locator(".incident-row .row-title a")
    expect(titles.first).to_be_visible()
    for vendor in page.locator(".incident-row .row-vendor").all_inner_texts():
        assert vendor == "GitHub"
    screenshot(page, "site-timeline-filtered")

    # An incident with a summary: its citations jump to the entry in the list of sources.
    incident = Incident.objects.filter(vendor__slug="github", summary__isnull=False).order_by("-started_at").first()
    page.click(f".incident-row .row-title a[href='/incidents/{incident.slug}/']")
    expect(page.locator("h1")).to_have_text(incident.title)
    expect(page.locator("#why-title")).to_have_text("Why this matters")
    expect(page.locator(".takeaways li")).not_to_have_count(0)
    jump = page.locator(".takeaways .cite a.jump").first
    target = jump.get_attribute("href")
    jump.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator(target)).to_be_in_viewport()
    # Times are written in UTC and converted for the reader (this browser is in Europe/Berlin).
    expect(page.locator("time").first).to_contain_text(re.compile(r"UTC"))
    screenshot(page, "site-incident")
    assert page.js_errors == []


PAGES = ["/vendors/github/", "/services/github-actions/", "/search?q=Actions",
         "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/sources", "/feeds", "/?region=Europe&severity=major",
         "/?from=not-a-date&page=999999"]


def test_every_page_renders_without_a_javascript_error(page, recorded_site):
    for path in PAGES:
        response = page.goto(f"{recorded_site.url}{path}")
        assert response.status == 200, path
        expect(page.locator("main")).to_be_visible()
        assert page.locator("script:has-text('alert(1)')").count() == 0, path
    screenshot(page, "site-feeds-page")
    assert page.js_errors == []


def wider_than(page, width: int) -> list[str]:
    """Elements that stick out of a screen this wide, for a readable failure."""
    return page.evaluate("""(width) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40) + ' '
                      + Math.round(e.getBoundingClientRect().right))""",
        width)


def test_the_timeline_reads_well_on_a_phone_in_dark_mode(browser, recorded_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{recorded_site.url}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen: {wider_than(page, 390)}"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    screenshot(page, "site-timeline-phone-dark")
    context.close()
    assert errors == []
