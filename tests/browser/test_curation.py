"""An editor in headless Chromium: log in to admin, merge two incidents, regenerate and lock the
summary, and see the public pages change (the merged address redirects to the survivor, which lists
the sources of both) while the machine leaves the locked summary alone."""

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from incidents.models import Incident, Revision
from incidents.summaries.service import write_all_due
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_an_editor_merges_two_incidents_locks_the_summary_and_the_public_pages_follow(page, recorded_site):
    # Google posted an incident, then retitled it "This incident is being merged with an existing
    # incident … https://status.cloud.google.com/incidents/fc7GCA6kAgnBihezUAkx": one event, two incidents.
    google_id = "fc7GCA6kAgnBihezUAkx"
    survivor = Incident.objects.get(memberships__article__url__endswith=google_id)
    merged = Incident.objects.get(title__startswith="This incident is being merged", title__endswith=google_id)
    merged_post = merged.memberships.get().article
    editor = User.objects.create_user("editor", password="demo-editor", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__in=["view_incident", "change_incident"]))

    page.goto(f"{recorded_site.url}/incidents/{survivor.slug}/")
    assert merged_post.title not in page.content()

    page.goto(f"{recorded_site.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "demo-editor")
    page.click("input[type=submit]")
    page.goto(f"{recorded_site.url}/admin/incidents/incident/")
    page.check(f"input[name=_selected_action][value='{survivor.pk}']")
    page.check(f"input[name=_selected_action][value='{merged.pk}']")
    page.select_option("select[name=action]", "merge_incidents")
    page.click("button[name=index]")
    page.check(f"input[name=survivor][value='{survivor.pk}']")
    screenshot(page, "curation-merge-choose-survivor")
    page.click("input[type=submit][value='Merge incidents']")
    expect(page.locator(".messagelist")).to_contain_text("Merged 1 incident into")

    page.goto(f"{recorded_site.url}/admin/incidents/incident/{survivor.pk}/change/")
    page.click("button[value=regenerate_summary]")
    expect(page.locator(".messagelist")).to_contain_text("A new summary was written.")
    page.click("button[value=lock_summary]")
    expect(page.locator(".messagelist")).to_contain_text("Summary locked.")
    screenshot(page, "curation-incident-after-merge-and-lock")
    expect(page.locator("#revisions-group")).to_contain_text("Merged with")  # the incident's history
    assert set(Revision.objects.filter(incident=survivor).values_list("action", flat=True)) == {
        "merge", "regenerate_summary", "lock_summary"}

    # The public side: the merged address leads to the survivor, which lists the sources of both.
    page.goto(f"{recorded_site.url}/incidents/{merged.slug}/")
    expect(page).to_have_url(f"{recorded_site.url}/incidents/{survivor.slug}/")
    expect(page.locator("body")).to_contain_text(merged_post.title)
    expect(page.locator("body")).to_contain_text(survivor.title)
    screenshot(page, "curation-public-page-after-merge")

    # The machine respects the lock: a due summary is not rewritten.
    survivor.refresh_from_db()
    locked_version = survivor.summary_id
    Incident.objects.filter(pk=survivor.pk).update(summary_due_at=survivor.started_at)
    write_all_due()
    assert Incident.objects.get(pk=survivor.pk).summary_id == locked_version
    assert page.js_errors == []
