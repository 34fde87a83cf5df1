"""The Content-Security-Policy in a real browser (issue 11, finding 10): Chromium enforces it, and
nothing on the reader's pages or the editors' admin pages is blocked by it."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import csp_violation

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/?vendor=github&severity=major", "/?to=9999-12-31", "/vendors/github/", "/services/github-actions/",
          "/search?q=Actions", "/sources", "/feeds", "/api/", "/incidents/no-such-incident/"]


def log_in(page, site) -> None:
    User.objects.create_superuser("editor", "editor@example.com", "demo-editor")
    page.goto(f"{site.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "demo-editor")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_the_browser_enforces_the_policy_and_the_check_sees_what_it_blocks(page, recorded_site):
    page.goto(f"{recorded_site.url}/")
    # Markup added after the page loaded, as an injection would: its inline handler must not run.
    with page.expect_console_message(csp_violation) as blocked:
        page.evaluate("""document.body.insertAdjacentHTML('beforeend',
            '<img src="/static/favicon.svg" onload="document.body.dataset.ran = 1">')""")
    assert "inline event handler" in blocked.value.text
    assert page.evaluate("document.body.dataset.ran") is None
    assert page.csp_violations == [blocked.value.text]


def test_no_public_page_breaks_the_policy(page, recorded_site):
    for path in PUBLIC:
        page.goto(f"{recorded_site.url}{path}")
        expect(page.locator("h1").first).to_be_visible()
    incident = Incident.objects.filter(summary__isnull=False).order_by("-started_at").first()
    page.goto(f"{recorded_site.url}/incidents/{incident.slug}/")
    page.locator(".takeaways .cite a.jump").first.click()  # the page's own script runs (copy, local times)
    assert page.csp_violations == []


def test_no_admin_page_breaks_the_policy(page, recorded_site):
    log_in(page, recorded_site)
    incident = Incident.objects.filter(summary__isnull=False).order_by("-started_at").first()
    for path in ["/admin/", "/admin/incidents/incident/", "/admin/incidents/incident/?status__exact=resolved",
                 f"/admin/incidents/incident/{incident.pk}/change/", f"/admin/incidents/incident/{incident.pk}/split/",
                 f"/admin/incidents/incident/{incident.pk}/summary/", "/admin/incidents/incident/add/",
                 "/admin/articles/source/", "/admin/articles/article/", "/admin/articles/fetchattempt/",
                 "/admin/incidents/revision/", "/admin/incidents/exclusionrule/add/", "/admin/incidents/vendor/"]:
        response = page.goto(f"{recorded_site.url}{path}")
        assert response.status == 200, path
    # The changelist's scripts at work: select all, then an action's intermediate page.
    page.goto(f"{recorded_site.url}/admin/incidents/incident/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "merge_incidents")
    page.click("button[name=index]")
    expect(page.locator("input[name=survivor]").first).to_be_visible()
    assert page.csp_violations == []
