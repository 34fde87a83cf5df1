"""Curation operations on the database, and the rule that the machine never undoes an editor:
recluster, summary regeneration and new articles leave every merge, split, pin, exclusion,
override and lock as the editor made it."""

from dataclasses import replace
from datetime import timedelta

import factory
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.items import VendorStatus
from incidents import curation
from incidents.curation import CurationError
from incidents.models import ArticleExclusion, ExclusionRule, Incident, Membership, Revision, Service, Summary
from incidents.pipeline import process_article
from incidents.summaries.brief import Statement
from incidents.summaries.service import write_all_due, write_summary
from tests.factories import ItemUpdateFactory, SourceFactory, stored
from tests.incidents.cloudflare_outage import T0, cloudflare_post, news

pytestmark = pytest.mark.django_db
LATER_BODY = (
    "<p>Cloudflare's dashboard and API failed for customers in North America on Thursday; users saw "
    "\"Error 1101\" while the company rolled back a change to its database cluster.</p>"
)


# --- helpers: an editor, articles through the real pipeline -------------------------------------------------


class EditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"editor-{n}")
    is_staff = True



def place(source, item, at=None):
    """Store the item as a poll would and run it through the pipeline; returns the article."""
    article = stored(source, item, at)
    process_article(article.pk)
    return article


def incident_of(article):
    return Membership.objects.get(article=article).incident


@pytest.fixture
def editor():
    return EditorFactory()


@pytest.fixture
def event(press, cloudflare_status):
    """One outage the machine clustered itself: the vendor's post and a press report, together."""
    post = place(cloudflare_status, cloudflare_post())
    report = place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike",
                               at=T0 + timedelta(minutes=20)))
    assert incident_of(post) == incident_of(report)
    return post, report


@pytest.fixture
def later(press):
    """A report of another Cloudflare outage three days later: the machine opens a second incident."""
    return place(press, news("Cloudflare dashboard and API down for customers", LATER_BODY,
                             at=T0 + timedelta(days=3), url="https://news.example/cloudflare-dashboard"))


def revision(incident, action):
    return Revision.objects.filter(incident=incident, action=action).get()


# --- merge -------------------------------------------------------------------------------------------------------


def test_merge_moves_every_source_into_the_survivor_pinned_and_hides_the_other(event, later, editor):
    post, report = event
    survivor, other = incident_of(post), incident_of(later)
    assert survivor != other
    curation.merge(survivor, [other], editor)
    survivor.refresh_from_db()
    other.refresh_from_db()
    assert set(survivor.memberships.values_list("article_id", flat=True)) == {post.pk, report.pk, later.pk}
    assert set(Membership.objects.values_list("assigned_by", flat=True)) == {"editor"}
    assert other.hidden and other.merged_into == survivor and not other.memberships.exists()
    assert list(Incident.objects.public()) == [survivor]
    assert not other.keys.exists()
    # Ids, errors and regions of both, derived from all the sources.
    assert "Error 1101" in survivor.error_messages and "500 Internal Server Error" in survivor.error_messages
    assert survivor.vendor_incident_ids == ["cf-1"] and survivor.news_count == 2
    assert {"Europe", "North America"} <= set(survivor.regions)
    merge = revision(survivor, "merge")
    assert merge.editor == editor and other.title in merge.description
    assert merge.before == {"merged": [{"slug": other.slug, "title": other.title}]}
    assert revision(other, "merge").description == f"Merged into «{survivor.title}»."
    assert survivor.reviewed_at == merge.created_at and other.reviewed_at is not None


def test_the_survivor_keeps_its_title_rather_than_take_the_other_incidents_vendor_post(event, later, editor):
    survivor = incident_of(later)  # press only: named after its report
    curation.merge(survivor, [incident_of(event[0])], editor)
    survivor.refresh_from_db()
    assert survivor.title == later.title and survivor.overridden_fields == ["title"]
    assert survivor.status == "investigating"  # the vendor's post now drives the lifecycle


def test_an_incident_merged_earlier_into_a_merged_one_points_at_the_survivor(event, later, press, editor):
    third = place(press, news("Cloudflare outage hits websites", LATER_BODY, at=T0 + timedelta(days=12),
                              url="https://news.example/cloudflare-third"))
    first, second, third = incident_of(event[0]), incident_of(later), incident_of(third)
    curation.merge(second, [third], editor)
    curation.merge(first, [second], editor)
    third.refresh_from_db()
    assert third.merged_into == first


def test_a_merge_that_fails_halfway_changes_nothing(event, later):
    survivor, other = incident_of(event[0]), incident_of(later)
    unsaved_editor = User(username="not-saved")  # the revision cannot point at it: the merge fails at its end
    before = list(Membership.objects.order_by("pk").values())
    with pytest.raises(ValueError, match="unsaved related object"):
        curation.merge(survivor, [other], unsaved_editor)
    assert list(Membership.objects.order_by("pk").values()) == before
    other.refresh_from_db()
    assert not other.hidden and other.merged_into is None and not Revision.objects.exists()


def test_merge_refuses_an_incident_already_merged_away(event, later, press, editor):
    third = place(press, news("Cloudflare outage hits websites", LATER_BODY, at=T0 + timedelta(days=12),
                              url="https://news.example/cloudflare-third"))
    curation.merge(incident_of(event[0]), [incident_of(later)], editor)
    gone = Incident.objects.get(merged_into__isnull=False)
    with pytest.raises(CurationError, match="already merged"):
        curation.merge(incident_of(third), [gone], editor)
    with pytest.raises(CurationError, match="at least one other"):
        curation.merge(incident_of(third), [incident_of(third)], editor)


def test_regions_an_editor_corrected_on_a_merged_incident_stay_on_the_survivor(event, later, editor):
    survivor, other = incident_of(event[0]), incident_of(later)
    curation.override(other, "regions", ["Japan"], editor)
    curation.merge(survivor, [other], editor)
    survivor.refresh_from_db()
    assert "regions" in survivor.overridden_fields
    assert {"Japan", "Europe"} <= set(survivor.regions)
    assert survivor.region_rows.filter(label="Asia").exists()  # the region filter's index follows


# --- split -------------------------------------------------------------------------------------------------------


def test_split_moves_sources_into_a_new_incident_and_pins_both_sides(event, editor):
    post, report = event
    original = incident_of(post)
    new = curation.split(original, [report.pk], editor)
    original.refresh_from_db()
    assert new != original and incident_of(report) == new and incident_of(post) == original
    # press only now, and its report is older than the quiet period: no recent reports
    assert new.title == report.title and new.status == "quiet" and new.news_count == 1
    assert original.news_count == 0 and original.status_count == 1
    assert set(Membership.objects.values_list("assigned_by", flat=True)) == {"editor"}
    assert revision(original, "split").description == f"Split: 1 source moved to «{new.title}»."
    assert revision(new, "split").after == {"articles": [report.pk]}


def test_split_into_an_existing_incident(event, later, editor):
    post, report = event
    curation.split(incident_of(post), [report.pk], editor, into=incident_of(later))
    assert incident_of(report) == incident_of(later)
    assert incident_of(later).news_count == 2


def test_split_refuses_sources_of_another_incident_and_taking_every_source(event, later, editor):
    post, report = event
    original = incident_of(post)
    with pytest.raises(CurationError, match="not in"):
        curation.split(original, [later.pk], editor)
    with pytest.raises(CurationError, match="merge it"):
        curation.split(original, [post.pk, report.pk], editor)
    with pytest.raises(CurationError, match="another incident"):
        curation.split(original, [report.pk], editor, into=original)
    assert not Revision.objects.exists()


# --- pin, exclude, create ----------------------------------------------------------------------------------------


def test_pin_moves_an_article_into_another_incident_and_the_emptied_one_redirects(event, later, editor):
    emptied = incident_of(later)
    target = incident_of(event[0])
    assert curation.pin_articles([later.pk], target, editor) == 1
    emptied.refresh_from_db()
    membership = Membership.objects.get(article=later)
    assert membership.incident == target and membership.assigned_by == "editor"
    assert emptied.hidden and emptied.merged_into == target
    assert revision(target, "attach").description == "1 source added by an editor."
    assert "no sources are left" in revision(emptied, "pin_article").description


def test_pinning_an_excluded_article_returns_it_to_an_incident(event, press, editor):
    stray = stored(press, news("Cloudflare quarterly results", "<p>Revenue grew 28 percent.</p>",
                               url="https://news.example/results"))
    curation.exclude_articles([stray.pk], editor, "not news")
    curation.pin_articles([stray.pk], incident_of(event[0]), editor)
    assert not ArticleExclusion.objects.exists() and incident_of(stray) == incident_of(event[0])


def test_exclude_takes_an_article_out_of_its_incident_and_out_of_clustering(event, editor):
    post, report = event
    incident = incident_of(post)
    assert curation.exclude_articles([report.pk], editor, "a stock-market story") == 1
    incident.refresh_from_db()
    assert not Membership.objects.filter(article=report).exists() and incident.news_count == 0
    assert ArticleExclusion.objects.get().reason == "a stock-market story"
    assert process_article(report.pk).action == "excluded"
    assert revision(incident, "exclude_article").description == (
        f"«{report.title}» excluded by an editor: a stock-market story.")


def test_excluding_the_original_of_a_copy_makes_the_copy_count(press, editor):
    mirror = SourceFactory(name="Mirror", kind="feed")
    title = "Widespread Cloudflare outage blamed on mysterious traffic spike"
    original = place(press, news(title))
    copy = place(mirror, news(title, url="https://mirror.example/cloudflare"))
    place(press, news("Cloudflare outage takes down X and ChatGPT", url="https://news.example/cf-2",
                      at=T0 + timedelta(minutes=30)))
    assert Membership.objects.get(article=copy).duplicate_of_id == original.pk
    curation.exclude_articles([original.pk], editor)
    assert Membership.objects.get(article=copy).duplicate_of_id is None
    assert incident_of(copy).news_count == 2


def test_returning_an_excluded_article_to_clustering_places_it_again(event, editor):
    post, report = event
    curation.exclude_articles([report.pk], editor)
    assert curation.include_articles([report.pk]) == 1
    assert incident_of(report) == incident_of(post)


def test_an_editor_creates_an_incident_from_a_tip_and_attaches_an_article(event, press, editor):
    tip = stored(press, news("Readers report Cloudflare Zero Trust login failures", LATER_BODY,
                             at=T0 + timedelta(days=30), url="https://news.example/tip"))
    service = Service.objects.get(slug="cloudflare-zero-trust")
    incident = curation.create_incident("Cloudflare Zero Trust sign-in failures", editor,
                                        services=[service], article_ids=[tip.pk])
    assert incident.title == "Cloudflare Zero Trust sign-in failures" and incident.started_at == tip.published_at
    assert set(incident.overridden_fields) == {"title", "services"}
    assert list(incident.services.all()) == [service]
    assert Membership.objects.get(article=tip).assigned_by == "editor" and incident.news_count == 1
    assert revision(incident, "create").editor == editor
    with pytest.raises(CurationError, match="title"):
        curation.create_incident("  ", editor)


# --- publish, hide, not an outage ----------------------------------------------------------------------------------


def test_hide_and_publish(event, editor):
    incident = incident_of(event[0])
    assert curation.hide(incident, editor) is True
    assert not Incident.objects.public().exists()
    assert curation.hide(incident, editor) is False  # already hidden: nothing recorded twice
    assert curation.publish(incident, editor) is True
    assert list(Incident.objects.public()) == [incident]
    assert list(Revision.objects.values_list("action", flat=True)) == ["publish", "hide"]


def test_a_merged_incident_cannot_be_published_or_summarised_on_its_own(event, later, editor):
    curation.merge(incident_of(event[0]), [incident_of(later)], editor)
    merged = Incident.objects.get(merged_into__isnull=False)
    with pytest.raises(CurationError, match="merged"):
        curation.publish(merged, editor)
    with pytest.raises(CurationError, match="merged"):
        curation.regenerate_summary(merged, editor)


def test_not_an_outage_hides_it_and_teaches_the_pipeline_until_the_rule_is_turned_off(press, editor):
    body = ("<p>Insurers now sell cover to Cloudflare customers after the last outage left websites down "
            "with 500 errors for hours.</p>")
    # The detector's mistake: a story about insurance placed as an outage (assume_outage stands in for it).
    noise = stored(press, news("Cloudflare insurance market booms", body))
    process_article(noise.pk, assume_outage=True)
    incident = incident_of(noise)
    rule = curation.not_an_outage(incident, editor)
    incident.refresh_from_db()
    assert incident.hidden and rule.vendor.slug == "cloudflare" and rule.from_incident == incident
    assert set(rule.terms) == {"insuranc", "boom"}  # stems of its rarest words, the vendor left out
    assert revision(incident, "not_an_outage").after == {"hidden": True, "rule": rule.pk, "terms": rule.terms}
    again = stored(press, news("Cloudflare insurance booms again", body, at=T0 + timedelta(days=40),
                               url="https://news.example/insurance-2"))
    assert process_article(again.pk, assume_outage=True).action == "excluded_by_rule"
    ExclusionRule.objects.update(active=False)  # the editor turns it off in admin
    assert process_article(again.pk, assume_outage=True).action in {"opened", "joined"}


# --- overrides -----------------------------------------------------------------------------------------------------


def test_an_override_is_recorded_and_clearing_it_derives_the_value_again(event, editor):
    incident = incident_of(event[0])
    assert curation.override(incident, "status", "resolved", editor) is True
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.overridden_fields == ["status"]
    assert revision(incident, "override").description == "Status corrected to resolved."
    assert revision(incident, "override").before == {"status": "investigating"}
    assert curation.override(incident, "status", "resolved", editor) is False
    assert curation.clear_override(incident, "status", editor) is True
    incident.refresh_from_db()
    assert incident.status == "investigating" and incident.overridden_fields == []
    assert revision(incident, "clear_override").description == "Status correction removed: now investigating."


def test_every_field_an_editor_can_correct(event, editor):
    incident = incident_of(event[0])
    service = Service.objects.get(slug="cloudflare-dns")
    curation.override(incident, "severity", 4, editor)
    curation.override(incident, "title", "Cloudflare's global network fails", editor)
    curation.override(incident, "services", [service], editor)
    curation.override(incident, "regions", ["germany", "us-east-1"], editor)
    incident.refresh_from_db()
    assert (incident.severity, incident.title) == (4, "Cloudflare's global network fails")
    assert list(incident.services.all()) == [service]
    assert incident.regions == ["Germany", "aws:us-east-1"]
    assert set(incident.overridden_fields) == {"severity", "title", "services", "regions"}
    curation.clear_override(incident, "title", editor)
    incident.refresh_from_db()
    assert incident.title == "Cloudflare Global Network experiencing issues"  # the vendor's, as before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("status", "down", "not a status"),
    ("severity", 9, "not a severity"),
    ("title", " ", "cannot be empty"),
    ("regions", ["Atlantis"], "Unknown regions: Atlantis"),
    ("services", [10**9], "No services"),
    ("vendor", "x", "cannot be corrected"),
])
def test_an_override_with_a_bad_value_is_refused_and_changes_nothing(event, editor, field, value, message):
    incident = incident_of(event[0])
    with pytest.raises(CurationError, match=message):
        curation.override(incident, field, value, editor)
    incident.refresh_from_db()
    assert incident.overridden_fields == [] and not Revision.objects.exists()


# --- summaries -----------------------------------------------------------------------------------------------------


def test_editing_the_summary_makes_a_locked_version_in_the_editors_words(event, editor):
    post, report = event
    incident = incident_of(post)
    write_summary(incident.pk)
    summary = curation.edit_summary(
        incident, [Statement("Cloudflare's network failed worldwide.", (f"article:{post.pk}",))],
        [Statement("The press saw it first.", (f"article:{report.pk}",))], editor)
    incident.refresh_from_db()
    assert (summary.version, summary.backend, summary.edited_by) == (2, "editor", editor)
    assert incident.summary == summary and incident.summary_locked
    assert summary.takeaways == [{"text": "The press saw it first.", "citations": [f"article:{report.pk}"]}]
    assert revision(incident, "edit_summary").after == {"version": 2, "locked": True}


def test_a_summary_citing_what_is_not_a_source_of_the_incident_is_refused(event, later, editor):
    incident = incident_of(event[0])
    with pytest.raises(CurationError, match=f"article:{later.pk}"):
        curation.edit_summary(incident, [Statement("Something.", (f"article:{later.pk}",))], [], editor)
    with pytest.raises(CurationError, match="at least one"):
        curation.edit_summary(incident, [], [], editor)
    assert not Summary.objects.filter(backend="editor").exists()


def test_lock_unlock_and_regenerate(event, editor):
    incident = incident_of(event[0])
    with pytest.raises(CurationError, match="no summary to lock"):
        curation.lock_summary(incident, editor)
    write_summary(incident.pk)
    assert curation.lock_summary(incident, editor) is True
    with pytest.raises(CurationError, match="unlock it first"):
        curation.regenerate_summary(incident, editor)
    assert curation.unlock_summary(incident, editor) is True
    summary = curation.regenerate_summary(incident, editor)
    assert (summary.version, summary.backend) == (2, "offline")
    assert revision(incident, "regenerate_summary").after == {"version": 2, "backend": "offline"}
    assert [r.action for r in Revision.objects.order_by("pk")] == ["lock_summary", "unlock_summary",
                                                                   "regenerate_summary"]


def test_citable_sources_name_each_source_and_each_vendor_update(event, django_assert_max_num_queries):
    post, report = event
    incident = incident_of(post)
    with django_assert_max_num_queries(2):
        refs = curation.citable_sources(incident)
    update = post.updates.get()
    assert list(refs) == [f"article:{post.pk}", f"article:{report.pk}", f"update:{update.pk}"]
    assert refs[f"article:{report.pk}"] == f"Ars Technica: {report.title}"


def test_a_statement_the_editor_left_as_it_was_keeps_its_kind_and_links(event, editor):
    post, _ = event
    incident = incident_of(post)
    history = Statement("It is the second outage this month.", (f"article:{post.pk}",), kind="history",
                        links=(("An earlier outage", "an-earlier-outage"),))
    curation.edit_summary(incident, [Statement("First words.", (f"article:{post.pk}",))], [history], editor)
    again = curation.edit_summary(incident, [Statement("Other words.", (f"article:{post.pk}",))],
                                  [Statement(history.text, history.citations)], editor)
    assert again.takeaways == [history.to_json()]


# --- the machine never undoes an editor ---------------------------------------------------------------------------


def test_recluster_keeps_a_merge(event, later, editor):
    survivor = incident_of(event[0])
    curation.merge(survivor, [incident_of(later)], editor)
    call_command("recluster")
    assert set(Membership.objects.values_list("incident_id", flat=True)) == {survivor.pk}
    assert list(Incident.objects.public()) == [survivor]


def test_a_new_article_about_a_merged_incident_joins_the_survivor(event, later, press, editor):
    survivor = incident_of(event[0])
    curation.merge(survivor, [incident_of(later)], editor)
    follow_up = stored(press, news("Cloudflare dashboard outage over after database rollback", LATER_BODY,
                                   at=T0 + timedelta(days=3, hours=2), url="https://news.example/dashboard-back"))
    process_article(follow_up.pk, assume_outage=True)  # where it goes is the point here, not whether it counts
    assert incident_of(follow_up) == survivor and list(Incident.objects.public()) == [survivor]


def test_recluster_and_new_articles_keep_a_split(event, press, editor):
    post, report = event
    new = curation.split(incident_of(post), [report.pk], editor)
    call_command("recluster")
    assert incident_of(report) == new and incident_of(post) != new
    place(press, news("Cloudflare outage: the company explains the traffic spike", at=T0 + timedelta(minutes=40),
                      url="https://news.example/cf-explains"))
    assert incident_of(report) == new and incident_of(post) != new


def test_recluster_keeps_a_pin(event, later, editor):
    target = incident_of(later)
    curation.pin_articles([event[1].pk], target, editor)
    call_command("recluster")
    assert incident_of(event[1]) == target


def test_recluster_and_reprocessing_keep_an_exclusion(event, editor):
    _, report = event
    curation.exclude_articles([report.pk], editor)
    call_command("recluster")
    assert not Membership.objects.filter(article=report).exists()
    assert process_article(report.pk).action == "excluded"


def test_recluster_keeps_a_hidden_incident_hidden(event, editor):
    incident = incident_of(event[0])
    curation.hide(incident, editor)
    call_command("recluster")
    assert not Incident.objects.public().exists()


def test_new_articles_recluster_and_summaries_keep_an_override(event, cloudflare_status, editor):
    post, _ = event
    incident = incident_of(post)
    curation.override(incident, "status", "monitoring", editor)
    curation.override(incident, "title", "Cloudflare network outage", editor)
    resolved = replace(cloudflare_post(), status=VendorStatus.RESOLVED, updates=(
        ItemUpdateFactory(posted_at=T0, text="We are investigating elevated error rates."),
        ItemUpdateFactory(posted_at=T0 + timedelta(hours=3), status=VendorStatus.RESOLVED,
                          text="This incident has been resolved.")))
    assert process_article(stored(cloudflare_status, resolved, at=T0 + timedelta(hours=3)).pk).action == "refreshed"
    write_all_due()
    call_command("recluster")
    incident.refresh_from_db()
    assert (incident.status, incident.title) == ("monitoring", "Cloudflare network outage")
    assert incident.resolved_at == T0 + timedelta(hours=3)  # what the editor did not correct still follows the vendor
    assert incident_of(post) == incident


def test_new_articles_recluster_and_regeneration_keep_a_locked_summary(event, press, editor):
    post, _ = event
    incident = incident_of(post)
    mine = curation.edit_summary(incident, [Statement("Editors' words.", (f"article:{post.pk}",))], [], editor)
    place(press, news("Cloudflare outage takes down X and ChatGPT", url="https://news.example/cf-2",
                      at=T0 + timedelta(minutes=30)))
    assert write_all_due()["locked"] == 1
    call_command("recluster")
    write_all_due()
    assert write_summary(incident.pk, force=True) == "locked"
    with pytest.raises(CurationError):
        curation.regenerate_summary(incident, editor)
    incident.refresh_from_db()
    assert incident.summary == mine and incident.summaries.count() == 1

