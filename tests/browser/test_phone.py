"""Every page on a 360 px phone: nothing sticks out sideways, so nobody scrolls horizontally, whatever
the page holds (titles that are addresses, long error messages, many citations, wide tables)."""

import pytest

from incidents.models import Incident
from tests.browser.conftest import screenshot
from tests.browser.test_site import wider_than

pytestmark = pytest.mark.browser

PHONE = 360
# Elements that scroll sideways inside the page (a table in an overflow box): the body fits, but the
# reader still has to scroll, so they count too.
SIDEWAYS_SCROLLERS = """() => [...document.querySelectorAll('body *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + ' in ' + e.clientWidth)"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": PHONE, "height": 740}, is_mobile=True, has_touch=True,
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


def phone_paths(unwieldy: Incident) -> list[str]:
    """Every kind of page: the unwieldy incident and the recorded ones with the most sources."""
    recorded = (Incident.objects.public().exclude(pk=unwieldy.pk).order_by("-news_count", "-status_count", "pk")
                .values_list("slug", flat=True)[:3])
    return [
        "/", "/?vendor=github&severity=critcal&region=Atlantis", "/?vendor=unwieldy-cloud",
        f"/incidents/{unwieldy.slug}/", *(f"/incidents/{slug}/" for slug in recorded),
        "/vendors/github/", "/vendors/unwieldy-cloud/", "/services/github-actions/", "/services/unwieldy-identity/",
        "/search?q=Actions", "/search?q=AADSTS50058", "/search?q=" + "x" * 300,
        "/sources", "/feeds", "/?from=0001-01-01", "/incidents/no-such-incident/", "/admin/login/",
    ]


def test_every_page_fits_a_360px_phone_without_sideways_scrolling(phone, recorded_site, unwieldy_incident):
    too_wide = {}
    for path in phone_paths(unwieldy_incident):
        phone.goto(f"{recorded_site.url}{path}")
        body = phone.evaluate("document.body.scrollWidth")
        document = phone.evaluate("document.documentElement.scrollWidth")
        scrollers = phone.evaluate(SIDEWAYS_SCROLLERS)
        if body > PHONE or document > PHONE or scrollers:
            too_wide[path] = (body, document, scrollers or wider_than(phone, PHONE))
        # localtime.js writes " (10:00 CET, 2 h ago)" after each time: a page must not bracket one itself.
        assert "))" not in phone.inner_text("body"), path
    screenshot(phone, "phone-admin-login")
    phone.goto(f"{recorded_site.url}/incidents/{unwieldy_incident.slug}/")
    screenshot(phone, "phone-unwieldy-incident", full_page=True)
    phone.goto(f"{recorded_site.url}/sources")
    screenshot(phone, "phone-sources", full_page=True)
    phone.goto(f"{recorded_site.url}/feeds")
    screenshot(phone, "phone-feeds", full_page=True)
    assert too_wide == {}, "\n".join(f"{path}: body {body} px, page {page} px: {what}"
                                      for path, (body, page, what) in too_wide.items())
    assert phone.js_errors == []
