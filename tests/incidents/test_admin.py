from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import factory
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from incidents import curation
from incidents.models import ExclusionRule, Incident, Membership, Revision, Summary
from incidents.pipeline import process_article
from incidents.summaries.service import write_summary
from tests.factories import ArticleFactory, ItemFactory, ItemUpdateFactory, SourceFactory, StatusItemFactory, stored

pytestmark = pytest.mark.django_db


def test_the_incident_page_in_admin_lists_every_summary_version_with_its_backend(admin_client):
    press = SourceFactory(name="Ars Technica")
    first = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike",
                        published_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC))
    incident_id = process_article(stored(press, first).pk).incident_id
    write_summary(incident_id)
    second = ItemFactory(title="Cloudflare outage takes down X and ChatGPT", url="https://news.example/cf-2",
                         published_at=datetime(2025, 11, 18, 12, 30, tzinfo=UTC))
    process_article(stored(press, second).pk)
    write_summary(incident_id)
    incident = Incident.objects.get(pk=incident_id)
    page = admin_client.get(reverse("admin:incidents_incident_change", args=[incident_id]))
    assert page.status_code == 200
    html = page.content.decode()
    for row in incident.summaries.all():
        assert escape(" ".join(s["text"] for s in row.why_this_matters))[:60] in html
    assert html.count(">offline<") == 2


# --- curation in admin ---------------------------------------------------------------------------------------------
#
# Helpers: editors with Django's model permissions, incidents made by the real pipeline, and rows for the
# list-cost tests (IncidentRowFactory, MembershipRowFactory: defined here, not in tests/factories.py).

T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
BODY = ("<p>Cloudflare said a configuration file crashed the software that routes traffic across its network. "
        "Websites behind Cloudflare showed \"500 Internal Server Error\" pages to visitors in Europe.</p>")
OTHER_BODY = ("<p>Cloudflare's dashboard and API failed for customers in North America on Thursday; users saw "
              "\"Error 1101\" while the company rolled back a change.</p>")
CHANGELIST = "/admin/incidents/incident/"


def staff(*permissions):
    user = User.objects.create_user(f"staff-{User.objects.count()}", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def editor():
    return staff("view_incident", "change_incident", "add_incident", "view_article", "change_article",
                 "view_exclusionrule", "change_exclusionrule", "view_revision")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client):
    client.force_login(staff("view_incident", "view_article", "view_source"))
    return client


def news(source, title, body=BODY, at=T0, url=None):
    item = ItemFactory(title=title, content_html=body, summary_html="", published_at=at,
                       **({"url": url} if url else {}))
    article = stored(source, item)
    process_article(article.pk)
    return article


@pytest.fixture
def two_incidents():
    """The machine's two incidents: a Cloudflare post with a press report, and a press-only report days later."""
    vendor_source = SourceFactory(name="Cloudflare status", kind="statuspage", vendor_name="Cloudflare")
    press = SourceFactory(name="Ars Technica")
    post = stored(vendor_source, StatusItemFactory(
        external_id="cf-1", vendor_incident_id="cf-1", title="Cloudflare Global Network experiencing issues",
        published_at=T0, summary_html="", content_html="",
        updates=(ItemUpdateFactory(posted_at=T0, text="We are investigating elevated error rates."),)))
    process_article(post.pk)
    report = news(press, "Widespread Cloudflare outage blamed on mysterious traffic spike",
                  at=T0 + timedelta(minutes=20))
    later = news(press, "Cloudflare dashboard and API down for customers", OTHER_BODY, T0 + timedelta(days=3),
                 "https://news.example/dashboard")
    first, second = (Membership.objects.get(article=a).incident for a in (post, later))
    assert first != second and Membership.objects.get(article=report).incident == first
    return first, second


class FormFields(HTMLParser):
    """The values a browser would submit from the page's form with the given id."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data, self.select, self.textarea = form_id, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "checkbox", "radio"):
            self.data.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "select":
            self.select = attrs["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs["value"])
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.data[self.textarea][0] = self.data[self.textarea][0].lstrip("\n")
            self.textarea = None
        elif tag == "form":
            self.inside = False


def change_form_data(client, incident):
    parser = FormFields("incident_form")
    parser.feed(client.get(f"{CHANGELIST}{incident.pk}/change/").content.decode())
    return parser.data


# --- merge, publish, hide, not an outage from the list ---------------------------------------------------------------


def test_merging_from_the_list_asks_for_the_survivor_then_merges(editor_client, two_incidents, editor):
    first, second = two_incidents
    selection = {"action": "merge_incidents", "_selected_action": [first.pk, second.pk]}
    page = editor_client.post(CHANGELIST, selection)
    assert page.status_code == 200 and 'name="survivor"' in page.content.decode()
    assert not Incident.objects.filter(merged_into__isnull=False).exists()  # nothing happens before the choice
    done = editor_client.post(CHANGELIST, {**selection, "apply": "yes", "survivor": first.pk}, follow=True)
    assert "Merged 1 incident into" in done.content.decode()
    second.refresh_from_db()
    assert second.merged_into == first and second.hidden
    assert Revision.objects.filter(incident=first, action="merge", editor=editor).exists()


def test_a_merge_of_a_merged_incident_is_refused_with_a_message(editor_client, two_incidents, editor):
    first, second = two_incidents
    curation.merge(first, [second], editor)
    done = editor_client.post(CHANGELIST, {"action": "merge_incidents", "_selected_action": [first.pk, second.pk],
                                           "apply": "yes", "survivor": first.pk}, follow=True)
    assert "already merged" in done.content.decode()


@pytest.mark.parametrize(("action", "hidden"), [("hide", True), ("not_an_outage", True)])
def test_hide_and_not_an_outage_actions(editor_client, two_incidents, action, hidden):
    first, _ = two_incidents
    editor_client.post(CHANGELIST, {"action": action, "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.hidden is hidden and Revision.objects.get(incident=first).action == action


def test_summary_actions_from_the_list(editor_client, two_incidents):
    first, _ = two_incidents
    editor_client.post(CHANGELIST, {"action": "regenerate_summaries", "_selected_action": [first.pk]})
    editor_client.post(CHANGELIST, {"action": "lock_summaries", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.summary_locked and first.summary.version == 1
    refused = editor_client.post(CHANGELIST, {"action": "regenerate_summaries", "_selected_action": [first.pk]},
                                 follow=True)
    assert "unlock it first" in refused.content.decode()
    editor_client.post(CHANGELIST, {"action": "unlock_summaries", "_selected_action": [first.pk]})
    assert not Incident.objects.get(pk=first.pk).summary_locked


# --- the incident page: corrections, buttons, split, summary -------------------------------------------------------


def test_a_status_changed_on_the_incident_page_becomes_a_recorded_override(editor_client, two_incidents, editor):
    first, _ = two_incidents
    data = change_form_data(editor_client, first)
    data.update(status=["resolved"], regions=["Europe, Frankfurt"])
    response = editor_client.post(f"{CHANGELIST}{first.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert (first.status, first.regions) == ("resolved", ["Europe", "Frankfurt"])
    assert set(first.overridden_fields) == {"status", "regions"}
    assert set(Revision.objects.filter(incident=first).values_list("description", flat=True)) == {
        "Status corrected to resolved.", "Regions corrected to Europe, Frankfurt."}


def test_an_unknown_region_is_a_form_error_and_changes_nothing(editor_client, two_incidents):
    first, _ = two_incidents
    data = change_form_data(editor_client, first)
    data.update(regions=["Atlantis"], status=["resolved"])
    response = editor_client.post(f"{CHANGELIST}{first.pk}/change/", data)
    assert response.status_code == 200 and "Unknown regions: Atlantis" in response.content.decode()
    assert Incident.objects.get(pk=first.pk).overridden_fields == []


def test_the_incident_page_offers_the_curation_buttons_and_clears_an_override(editor_client, two_incidents, editor):
    first, _ = two_incidents
    curation.override(first, "severity", 4, editor)
    html = editor_client.get(f"{CHANGELIST}{first.pk}/change/").content.decode()
    for button in ('value="hide"', 'value="not_an_outage"', 'value="regenerate_summary"', 'value="mark_reviewed"',
                   'name="clear_override" value="severity"', "Split…", "Edit summary…"):
        assert button in html
    assert "Severity corrected to critical." in html  # the revision inline
    editor_client.post(f"{CHANGELIST}{first.pk}/curate/", {"clear_override": "severity"})
    first.refresh_from_db()
    assert first.overridden_fields == [] and first.severity != 4


def test_the_curate_buttons_accept_only_post(editor_client, two_incidents):
    first, _ = two_incidents
    assert editor_client.get(f"{CHANGELIST}{first.pk}/curate/").status_code == 405
    editor_client.post(f"{CHANGELIST}{first.pk}/curate/", {"operation": "hide"})
    editor_client.post(f"{CHANGELIST}{first.pk}/curate/", {"operation": "mark_reviewed"})
    first.refresh_from_db()
    assert first.hidden and first.reviewed_at is not None


def test_splitting_from_the_incident_page(editor_client, two_incidents):
    first, _ = two_incidents
    report = Membership.objects.get(incident=first, article__kind=Article.Kind.NEWS).article
    page = editor_client.get(f"{CHANGELIST}{first.pk}/split/")
    assert report.title in page.content.decode()
    response = editor_client.post(f"{CHANGELIST}{first.pk}/split/", {"articles": [report.pk], "into": ""})
    new = Membership.objects.get(article=report).incident
    assert new != first and response.url == f"{CHANGELIST}{new.pk}/change/"


def test_splitting_into_an_incident_named_by_its_slug(editor_client, two_incidents):
    first, second = two_incidents
    report = Membership.objects.get(incident=first, article__kind=Article.Kind.NEWS).article
    editor_client.post(f"{CHANGELIST}{first.pk}/split/", {"articles": [report.pk], "into": second.slug})
    assert Membership.objects.get(article=report).incident == second
    page = editor_client.post(f"{CHANGELIST}{second.pk}/split/", {"articles": [report.pk], "into": "no-such-thing"})
    assert "No incident" in page.content.decode()


def test_editing_the_summary_saves_a_locked_version_with_citations(editor_client, two_incidents, editor):
    first, _ = two_incidents
    post = Membership.objects.get(incident=first, article__kind=Article.Kind.STATUS).article
    write_summary(first.pk)
    page = editor_client.get(f"{CHANGELIST}{first.pk}/summary/").content.decode()
    assert f"article:{post.pk}" in page and "Sources you can cite" in page
    editor_client.post(f"{CHANGELIST}{first.pk}/summary/", {
        "why_this_matters": f"Cloudflare's network failed. [article:{post.pk}]\n\n"
                            f"Sites showed errors. [article:{post.pk}]",
        "takeaways": f"The vendor posted first. [article:{post.pk}, update:{post.updates.get().pk}]"})
    first.refresh_from_db()
    assert first.summary_locked and first.summary.backend == "editor" and first.summary.edited_by == editor
    assert [s["text"] for s in first.summary.why_this_matters] == ["Cloudflare's network failed.",
                                                                   "Sites showed errors."]
    assert first.summary.takeaways[0]["citations"] == [f"article:{post.pk}", f"update:{post.updates.get().pk}"]


@pytest.mark.parametrize(("why", "error"), [
    ("A sentence without its sources.", "end it with its sources"),
    ("A sentence. [article:999999]", "Not sources of this incident: article:999999"),
    ("A sentence. [the register]", "end it with its sources"),
])
def test_a_summary_line_without_valid_citations_is_refused(editor_client, two_incidents, why, error):
    first, _ = two_incidents
    page = editor_client.post(f"{CHANGELIST}{first.pk}/summary/", {"why_this_matters": why, "takeaways": ""})
    assert page.status_code == 200 and error in page.content.decode()
    assert not Summary.objects.filter(backend="editor").exists()


def test_a_new_incident_from_a_tip(editor_client, two_incidents):
    article = ArticleFactory(title="Reader tip: Cloudflare Zero Trust logins fail")
    page = editor_client.get(f"{CHANGELIST}add/")
    assert page.status_code == 200 and "New incident from a tip" in page.content.decode()
    response = editor_client.post(f"{CHANGELIST}add/", {"title": "Cloudflare Zero Trust login failures",
                                                         "articles": str(article.pk)})
    incident = Incident.objects.get(title="Cloudflare Zero Trust login failures")
    assert response.url == f"{CHANGELIST}{incident.pk}/change/"
    assert Membership.objects.get(article=article).incident == incident


# --- the review queue -----------------------------------------------------------------------------------------------


def test_the_review_queue_lists_press_only_incidents_until_reviewed_and_again_after_a_change(
        editor_client, two_incidents):
    first, second = two_incidents  # second has no vendor post
    def queue():
        return editor_client.get(CHANGELIST, {"review": "yes"}).content.decode()
    assert second.title in queue() and first.title not in queue()
    editor_client.post(CHANGELIST, {"action": "mark_reviewed", "_selected_action": [second.pk]})
    assert second.title not in queue()
    news(SourceFactory(), "Cloudflare dashboard outage continues for customers", OTHER_BODY,
         T0 + timedelta(days=3, hours=1), "https://news.example/dashboard-2")
    Incident.objects.filter(pk=second.pk).update(reviewed_at=T0)  # reviewed before the new source arrived
    assert second.title in queue()


def test_a_low_confidence_assignment_is_flagged(editor_client, two_incidents):
    first, _ = two_incidents
    Membership.objects.filter(incident=first, score__isnull=False).update(score=curation.LOW_CONFIDENCE_BELOW - 0.1)
    listed = editor_client.get(CHANGELIST, {"review": "low"}).content.decode()
    assert first.title in listed and "low-confidence source" in listed


# --- exclusion rules ------------------------------------------------------------------------------------------------


def test_an_editor_sees_a_learned_rule_edits_its_words_and_turns_it_off(editor_client, two_incidents, editor):
    rule = ExclusionRule.objects.create(terms=["insuranc"], created_by=editor)
    listed = editor_client.get("/admin/incidents/exclusionrule/").content.decode()
    assert "titles with insuranc" in listed
    editor_client.post(f"/admin/incidents/exclusionrule/{rule.pk}/change/",
                       {"vendor": "", "terms": "Insurance, Premiums", "active": "on"})
    rule.refresh_from_db()
    assert rule.terms == ["insuranc", "premium"]
    refused = editor_client.post(f"/admin/incidents/exclusionrule/{rule.pk}/change/",
                                 {"vendor": "", "terms": "outage", "active": "on"})
    assert "never apply" in refused.content.decode()
    editor_client.post("/admin/incidents/exclusionrule/", {"action": "deactivate", "_selected_action": [rule.pk]})
    assert ExclusionRule.objects.get().active is False


def test_each_change_an_editor_makes_to_a_rule_counts_for_the_next_article(editor_client, editor):
    # The pipeline keeps the active rules in memory and reads them again when their version changes.
    from incidents.pipeline import process_article
    from tests.factories import SourceFactory, stored
    from tests.incidents.cloudflare_outage import news

    press = SourceFactory(name="Ars Technica", kind="feed")
    rule = ExclusionRule.objects.create(terms=["insuranc"], created_by=editor)
    change = f"/admin/incidents/exclusionrule/{rule.pk}/change/"
    body = "<p>Insurers sell cover to Cloudflare customers after the last outage left websites down.</p>"
    arrivals = iter(range(100))

    def placed() -> bool:
        n = next(arrivals)
        article = stored(press, news("Cloudflare insurance premiums jump", body, url=f"https://news.example/i{n}"))
        return process_article(article.pk, assume_outage=True).action != "excluded_by_rule"

    assert not placed()
    editor_client.post(change, {"vendor": "", "terms": "Reinsurance", "active": "on"})
    assert placed()
    editor_client.post(change, {"vendor": "", "terms": "Insurance", "active": "on"})
    assert not placed()
    editor_client.post("/admin/incidents/exclusionrule/", {"action": "deactivate", "_selected_action": [rule.pk]})
    assert placed()
    editor_client.post("/admin/incidents/exclusionrule/", {"action": "activate", "_selected_action": [rule.pk]})
    assert not placed()
    rule.delete()
    assert placed()


# --- who may curate -------------------------------------------------------------------------------------------------


def test_staff_who_may_only_view_get_no_actions_and_403_on_curation_pages(viewer_client, two_incidents):
    first, second = two_incidents
    listed = viewer_client.get(CHANGELIST)
    assert listed.status_code == 200 and 'name="action"' not in listed.content.decode()
    viewer_client.post(CHANGELIST, {"action": "hide", "_selected_action": [first.pk]})
    viewer_client.post(CHANGELIST, {"action": "merge_incidents", "_selected_action": [first.pk, second.pk],
                                    "apply": "yes", "survivor": first.pk})
    for url in (f"{first.pk}/split/", f"{first.pk}/summary/", "add/"):
        assert viewer_client.get(CHANGELIST + url).status_code == 403
    assert viewer_client.post(f"{CHANGELIST}{first.pk}/curate/", {"operation": "hide"}).status_code == 403
    assert not Incident.objects.filter(hidden=True).exists() and not Revision.objects.exists()
    page = viewer_client.get(f"{CHANGELIST}{first.pk}/change/").content.decode()
    assert 'id="curate"' not in page


def test_curation_needs_the_csrf_token(editor, two_incidents):
    first, _ = two_incidents
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    assert browser.post(f"{CHANGELIST}{first.pk}/curate/", {"operation": "hide"}).status_code == 403
    assert browser.post(CHANGELIST, {"action": "hide", "_selected_action": [first.pk]}).status_code == 403
    assert not Incident.objects.get(pk=first.pk).hidden


def test_incidents_cannot_be_deleted_in_admin(editor_client, two_incidents):
    first, _ = two_incidents
    assert editor_client.get(f"{CHANGELIST}{first.pk}/delete/").status_code == 403


# --- the cost of the lists ------------------------------------------------------------------------------------------


class IncidentRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    slug = factory.Sequence(lambda n: f"row-{n}")
    title = factory.Sequence(lambda n: f"Row incident {n}")
    started_at = T0
    first_reported_at = T0
    last_activity_at = T0
    overridden_fields = ["status"]


class MembershipRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    article = factory.SubFactory(ArticleFactory)
    incident = factory.SubFactory(IncidentRowFactory)
    score = 0.9


@pytest.mark.parametrize("query", [{}, {"review": "yes"}, {"review": "low"}, {"published": "hidden"},
                                   {"acknowledged": "no"}, {"q": "incident"}])
def test_the_incident_list_costs_the_same_queries_for_more_rows(editor_client, django_assert_max_num_queries,
                                                                editor, query):
    def make_rows(n):
        for _ in range(n):
            membership = MembershipRowFactory()
            MembershipRowFactory(incident=membership.incident, score=0.1)
            Revision.objects.create(incident=membership.incident, editor=editor, action="hide", description="x")

    make_rows(2)
    with django_assert_max_num_queries(30) as few:
        assert editor_client.get(CHANGELIST, query).status_code == 200
    make_rows(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert editor_client.get(CHANGELIST, query).status_code == 200


@pytest.mark.parametrize("url", ["/admin/incidents/revision/", "/admin/incidents/exclusionrule/"])
def test_the_revision_and_rule_lists_cost_the_same_queries_for_more_rows(editor_client,
                                                                        django_assert_max_num_queries, editor, url):
    def make_rows(n):
        for _ in range(n):
            incident = IncidentRowFactory()
            Revision.objects.create(incident=incident, editor=editor, action="hide", description="hidden")
            ExclusionRule.objects.create(terms=["insuranc"], from_incident=incident, created_by=editor)

    make_rows(2)
    with django_assert_max_num_queries(20) as few:
        assert editor_client.get(url).status_code == 200
    make_rows(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert editor_client.get(url).status_code == 200


def test_the_incident_page_costs_the_same_queries_for_more_sources(editor_client, django_assert_max_num_queries):
    incident = MembershipRowFactory().incident
    with django_assert_max_num_queries(40) as few:
        assert editor_client.get(f"{CHANGELIST}{incident.pk}/change/").status_code == 200
    for _ in range(20):
        MembershipRowFactory(incident=incident)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert editor_client.get(f"{CHANGELIST}{incident.pk}/change/").status_code == 200


def test_subjects_the_catalogue_does_not_know_are_listed_for_editors_to_add(admin_client):
    from articles.models import Article
    from incidents.pipeline import process_article
    from tests.factories import ArticleFactory

    for n, title in enumerate(["Quokkanet goes dark for hours after botched update",
                               "Quokkanet is down again for thousands of users",
                               "Spotify is down for thousands of users"]):
        process_article(ArticleFactory(title=title, kind=Article.Kind.NEWS, body_text=f"Report {n}.").pk)
    page = admin_client.get(reverse("admin:incidents_newsubject_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Quokkanet" in text and "Spotify" not in text  # Spotify is in the catalogue
    assert reverse("admin:incidents_vendor_add") + "?name=Quokkanet&amp;slug=quokkanet" in text
    row = text.split("Quokkanet</td>", 1)[1]
    assert row.split("</td>", 1)[0].strip("<td>") == "2"


# --- times carry their zone ---------------------------------------------------------------------------------------


def test_incident_times_in_the_list_the_page_and_its_inlines_carry_their_zone(editor_client, two_incidents):
    first, _ = two_incidents

    listed = editor_client.get(CHANGELIST).content.decode()
    page = editor_client.get(f"{CHANGELIST}{first.pk}/change/").content.decode()

    assert "2025-11-18 11:48 UTC" in listed  # started_at, a list column
    for shown in ("2025-11-18 11:48 UTC",  # started_at and first_reported_at, read-only fields
                  f"{first.memberships.earliest('created_at').created_at:%Y-%m-%d %H:%M} UTC"):  # the sources inline
        assert shown in page
    assert "a.m." not in listed + page and "p.m." not in listed + page
