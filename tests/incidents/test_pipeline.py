"""process_article end to end on the database: extraction, relevance, clustering, lifecycle."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.adapters import azure
from articles.items import VendorStatus
from articles.models import Article
from incidents import pipeline
from incidents.models import ArticleFacts, Incident, Membership
from incidents.pipeline import (
    DERIVED_FIELDS,
    assignment_lock,
    covered_labels,
    process_article,
    rebuild_from_members,
)
from incidents.site.queries import live_incidents
from incidents.site.search import views as search_views
from incidents.site.search.query import parse_query
from tests.factories import ItemUpdateFactory, SourceFactory, StatusItemFactory, SummaryFactory, stored
from tests.httpserver import FIXTURES_DIR
from tests.incidents.cloudflare_outage import BODY, T0, cloudflare_post, news

pytestmark = pytest.mark.django_db



def test_a_vendor_post_opens_an_incident_acknowledged_by_the_vendor(cloudflare_status):
    outcome = process_article(stored(cloudflare_status, cloudflare_post()).pk)
    incident = Incident.objects.get()
    assert outcome.action == "opened" and outcome.incident_id == incident.pk
    assert (incident.status, incident.started_at, incident.vendor_acknowledged_at) == ("investigating", T0, T0)
    assert incident.vendor.slug == "cloudflare" and incident.status_count == 1 and incident.news_count == 0
    assert incident.vendor_incident_ids == ["cf-1"]


def test_press_reports_open_a_press_only_incident_that_the_vendor_post_then_joins(press, cloudflare_status):
    first = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike",
                               at=T0 - timedelta(minutes=25)))
    process_article(first.pk)
    incident = Incident.objects.get()
    # press only, its one report older than the quiet period as of today; the report says the company
    # is investigating, which counts as the vendor's acknowledgement until its own post arrives
    assert incident.status == "quiet" and incident.vendor_acknowledged_at == T0 - timedelta(minutes=25)
    assert process_article(stored(cloudflare_status, cloudflare_post()).pk).action == "joined"
    incident.refresh_from_db()
    assert Incident.objects.count() == 1
    assert incident.status == "investigating" and incident.vendor_acknowledged_at == T0
    assert incident.first_reported_at == T0 - timedelta(minutes=25)
    assert incident.title == "Cloudflare Global Network experiencing issues"
    assert "500 Internal Server Error" in incident.error_messages


def test_the_vendors_updates_drive_the_incident_to_resolved(cloudflare_status):
    post = cloudflare_post()
    process_article(stored(cloudflare_status, post).pk)
    resolved = replace(post, status=VendorStatus.RESOLVED, updates=(
        *post.updates, ItemUpdateFactory(posted_at=T0 + timedelta(hours=3), status=VendorStatus.RESOLVED,
                                         text="This incident has been resolved."),
    ))
    outcome = process_article(stored(cloudflare_status, resolved, at=T0 + timedelta(hours=3)).pk)
    incident = Incident.objects.get()
    assert outcome.action == "refreshed"
    assert incident.status == "resolved" and incident.resolved_at == T0 + timedelta(hours=3)


def test_an_article_that_is_not_about_an_outage_opens_nothing_and_keeps_its_evidence(press):
    article = stored(press, news("Cloudflare reports record quarterly earnings",
                                 "<p>Revenue grew 28 percent and the company raised its guidance.</p>"))
    assert process_article(article.pk).action == "not_relevant"
    facts = ArticleFacts.objects.get(article=article)
    assert not facts.is_outage and facts.evidence and facts.vendors == ["cloudflare"]
    assert not Incident.objects.exists()


def test_a_vendors_planned_maintenance_is_an_incident_but_not_an_outage(cloudflare_status):
    maintenance = StatusItemFactory(
        title="Scheduled maintenance in Frankfurt", impact="maintenance", status=VendorStatus.SCHEDULED,
        summary_html="", content_html="", updates=(ItemUpdateFactory(
            status=VendorStatus.SCHEDULED, text="We will be performing scheduled maintenance in our FRA datacenter."),),
    )
    article = stored(cloudflare_status, maintenance)
    assert process_article(article.pk).action == "opened"
    incident = Incident.objects.get()
    assert (incident.status, incident.severity) == ("scheduled", 1)
    assert ArticleFacts.objects.get(article=article).is_outage is False


def test_processing_an_article_twice_changes_nothing(press):
    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    process_article(article.pk)
    before = list(Incident.objects.values())
    assert process_article(article.pk).action == "unchanged"
    assert list(Incident.objects.values()) == before and Membership.objects.count() == 1


def test_two_outages_of_one_service_days_apart_stay_apart(press):
    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    later = news("Cloudflare outage takes down websites again", at=T0 + timedelta(days=16),
                 url="https://news.example/cloudflare-again")
    process_article(stored(press, later).pk)
    assert Incident.objects.count() == 2


def test_an_outage_of_a_service_the_catalogue_lacks_still_becomes_one_incident(press):
    body = "<p>Players could not log in to Fortnite on Tuesday as Epic's matchmaking servers went down for hours.</p>"
    for n, title in enumerate(["Fortnite servers down: players unable to log in",
                               "Fortnite outage leaves players unable to log in for hours"]):
        process_article(stored(press, news(title, body, at=T0 + timedelta(minutes=30 * n),
                                           url=f"https://news.example/fortnite-{n}")).pk)
    assert Incident.objects.count() == 1
    assert Membership.objects.count() == 2


def test_a_syndicated_copy_is_counted_once(press):
    mirror = SourceFactory(name="Mirror", kind="feed")
    title = "Widespread Cloudflare outage blamed on mysterious traffic spike"
    process_article(stored(press, news(title)).pk)
    process_article(stored(mirror, news(title, url="https://mirror.example/cloudflare")).pk)
    incident = Incident.objects.get()
    assert incident.memberships.count() == 2 and incident.news_count == 1


def test_processed_clears_the_mark_of_the_version_read_only_and_indexes_the_article_as_it_now_is(press):
    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    changed = stored(press, news("Fastly edge errors", url="https://press.example/fastly"))
    Article.objects.filter(pk=changed.pk).update(title="Fastly edge errors resolved", content_hash="newer")

    def searched(words: str) -> list[int]:
        return [hit.article.pk for hit in search_views.search(parse_query(words)).articles]

    for each in (article, changed, article):  # the last: done already, indexed again all the same
        pipeline.processed(each)
    article.refresh_from_db()
    changed.refresh_from_db()
    assert article.pending_since is None and changed.pending_since is not None  # its new version is still to do
    assert searched("mysterious traffic spike") == [article.pk]
    assert searched("fastly resolved") == [changed.pk]


def test_an_article_that_cannot_be_placed_keeps_no_facts_stays_pending_and_is_searchable(press, monkeypatch):
    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))

    def lookup_fails(*args, **kwargs):
        raise RuntimeError("the lookup failed")

    monkeypatch.setattr(pipeline, "candidates_for", lookup_fails)
    with pytest.raises(RuntimeError):
        process_article(article.pk)
    article.refresh_from_db()
    assert article.pending_since is not None and not ArticleFacts.objects.filter(article=article).exists()
    assert [hit.article.pk for hit in search_views.search(parse_query("mysterious traffic spike")).articles] == [
        article.pk]
    monkeypatch.undo()
    assert process_article(article.pk).action == "opened"  # the next run places it
    article.refresh_from_db()
    assert article.pending_since is None


def test_the_cost_of_placing_an_article_does_not_grow_with_the_archive(press, django_assert_max_num_queries):
    def place(n):
        # Outages ten days apart: each opens its own incident, among ever more incidents.
        at = T0 + timedelta(days=10 * n)
        process_article(stored(press, news(f"Service {n} outage: users unable to sign in", at=at,
                                           url=f"https://news.example/{n}")).pk)

    place(0)
    with django_assert_max_num_queries(60) as small:
        place(1)
    for n in range(2, 40):
        place(n)
    with django_assert_max_num_queries(len(small.captured_queries)):
        place(41)


def test_fetch_sources_sync_runs_the_whole_pipeline(http_server, capsys):
    http_server.serve_file("/summary.json", "statuspage/twilio-summary-incidents-2020-06-16.json")
    SourceFactory(slug="twilio", kind="statuspage", vendor_name="Twilio", url=http_server.url("/summary.json"))
    call_command("fetch_sources", "--sync")
    assert "articles placed in incidents" in capsys.readouterr().out
    assert Incident.objects.filter(vendor__slug="twilio").exists()
    # Every post of the vendor's own status page is placed, planned maintenance included.
    assert Membership.objects.count() == Article.objects.filter(kind="status").count() > 0
    assert Incident.objects.filter(severity=1).exists()  # Twilio's scheduled maintenance


def test_an_alias_an_editor_adds_in_admin_counts_for_the_next_article(press):
    from incidents.models import Service

    service = Service.objects.get(name="Exchange Online")
    article = stored(press, news("Mailflow down: users unable to send email", "<p>Mailflow is down for many users.</p>",
                                 url="https://news.example/mailflow"))
    process_article(article.pk)
    assert "exchange-online" not in ArticleFacts.objects.get(article=article).services
    service.aliases = [*service.aliases, "Mailflow"]
    service.save()
    again = stored(press, news("Mailflow outage continues", "<p>Mailflow is still down for users.</p>",
                               url="https://news.example/mailflow-2"))
    process_article(again.pk)
    assert ArticleFacts.objects.get(article=again).services == [service.slug]


def microsoft_story(n: int, ident: str, at):
    return news(f"Microsoft 365 outage, update {n}: users unable to sign in to Outlook",
                f"<p>Microsoft is investigating incident {ident}: users cannot sign in to Outlook and Teams "
                f"and see \"503 Service Unavailable\" errors. This is report {n}.</p>",
                at=at + timedelta(minutes=n), url=f"https://news.example/{ident}/{n}")


def test_the_queries_of_a_join_do_not_grow_with_the_incident(press):
    def incident_of(size: int, ident: str, at) -> list[int]:
        outcomes = [process_article(stored(press, microsoft_story(n, ident, at)).pk) for n in range(size)]
        assert [o.action for o in outcomes] == ["opened"] + ["joined"] * (size - 1)
        return outcomes[0].incident_id

    def queries_of_a_join(incident_id: int, ident: str, at) -> int:
        article = stored(press, microsoft_story(999, ident, at))
        with CaptureQueriesContext(connection) as queries:
            outcome = process_article(article.pk)
        assert (outcome.action, outcome.incident_id) == ("joined", incident_id)
        # Nothing reads the incident's members: the join updates the incident's tally from the new one.
        assert not [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "incidents_membership"' in q[
            "sql"] and '"incidents_membership"."incident_id" =' in q["sql"]]
        return len(queries)

    small = incident_of(5, "MO502273", T0)
    large = incident_of(200, "MO502274", T0 + timedelta(days=20))  # outside the small one's time window
    assert Membership.objects.filter(incident=large).count() == 200
    assert queries_of_a_join(small, "MO502273", T0) == queries_of_a_join(large, "MO502274", T0 + timedelta(days=20))


def derived(incident: Incident) -> dict:
    incident.refresh_from_db()
    fields = {name: getattr(incident, name) for name in DERIVED_FIELDS if name != "updated_at"}
    return {**fields, "tally": incident.tally, "services": sorted(incident.services.values_list("slug", flat=True)),
            "region_rows": sorted(incident.region_rows.values_list("label", flat=True))}


def test_joining_one_at_a_time_derives_what_counting_every_member_again_derives(press, cloudflare_status):
    mirror = SourceFactory(name="Mirror", kind="feed")
    title = "Widespread Cloudflare outage blamed on mysterious traffic spike"
    # Out of publication order, as polls deliver them: reports before and after the vendor's post, a
    # copy, one saying service is restored, and the post itself, updated to resolved at the end.
    arrivals = [
        (press, news(title, at=T0 + timedelta(minutes=40))),
        (press, news("Cloudflare outage: 502 Bad Gateway errors hit websites in Germany",
                     "<p>Websites behind Cloudflare showed \"502 Bad Gateway\" errors in Germany and Japan.</p>",
                     at=T0 - timedelta(minutes=25), url="https://news.example/cloudflare-germany")),
        (mirror, news(title, at=T0 + timedelta(minutes=45), url="https://mirror.example/cloudflare")),
        (cloudflare_status, cloudflare_post()),
        (press, news("Cloudflare says websites are back after outage",
                     BODY.replace("</p>", " Cloudflare said service has been restored.</p>"),
                     at=T0 + timedelta(hours=4), url="https://news.example/cloudflare-back")),
    ]
    for source, item in arrivals:
        process_article(stored(source, item).pk)
    post = cloudflare_post()
    resolved = replace(post, status=VendorStatus.RESOLVED, updates=(*post.updates, ItemUpdateFactory(
        posted_at=T0 + timedelta(hours=3), status=VendorStatus.RESOLVED, text="This incident has been resolved.")))
    assert process_article(stored(cloudflare_status, resolved, at=T0 + timedelta(hours=3)).pk).action == "refreshed"
    incident = Incident.objects.get()
    assert incident.memberships.count() == 5 and (incident.news_count, incident.status_count) == (3, 1)

    joined = derived(incident)
    with assignment_lock():  # as curation does after moving sources
        rebuild_from_members(incident)
    assert derived(incident) == joined
    assert joined["status"] == "resolved" and joined["first_reported_at"] == T0 - timedelta(minutes=25)
    assert joined["error_messages"][0] == "502 Bad Gateway" and "500 Internal Server Error" in joined["error_messages"]


def test_a_vendors_post_about_another_providers_outage_opens_no_incident_of_its_own(cloudflare_status):
    watching = StatusItemFactory(
        external_id="cf-az", vendor_incident_id="cf-az", title="Azure Experiencing Downtime, Cloudflare Monitoring",
        url="https://www.cloudflarestatus.com/incidents/cfaz", published_at=T0, status=VendorStatus.MONITORING,
        summary_html="", content_html="", updates=(ItemUpdateFactory(
            posted_at=T0, text="We are closely monitoring the situation with Azure, Cloudflare remains available."),),
    )
    outcome = process_article(stored(cloudflare_status, watching).pk)
    assert outcome.action == "about_another_vendor"
    assert not Incident.objects.exists()
    facts = ArticleFacts.objects.get()
    assert facts.about_vendor == "azure" and any("watches" in line for line in facts.evidence)


def test_press_about_the_vendor_joins_its_incident_in_other_words(press, cloudflare_status):
    process_article(stored(cloudflare_status, cloudflare_post()).pk)
    report = stored(press, news("Cloudflare is down, and half the web with it",
                                "Sites from shops to newsrooms showed error pages for much of the morning.",
                                at=T0 + timedelta(minutes=40)))
    assert process_article(report.pk).action == "joined"
    assert Incident.objects.count() == 1
    assert Membership.objects.get(article=report).score_parts["vendor_post"] > 0  # joined by the rule, not only words


# --- lifecycle from the press, post-incident reports, attribution ---------------------------------


def test_a_post_incident_report_days_later_joins_the_outage_it_explains(press):
    outage = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    report = stored(press, news(
        "Cloudflare explains what caused last week's outage",
        body="<p>In its post-incident report, Cloudflare said a bot-management feature file doubled in size.</p>",
        at=T0 + timedelta(days=6)))
    incident = Incident.objects.get(pk=process_article(outage.pk).incident_id)
    outcome = process_article(report.pk)
    incident.refresh_from_db()
    assert outcome.action == "joined" and outcome.incident_id == incident.pk
    assert Membership.objects.get(article=report).score_parts == {"post_incident_report": 1.0}
    assert incident.post_incident_report_id == report.pk and Incident.objects.count() == 1
    # it explains the outage; it does not report it again
    assert incident.first_reported_at == T0 and incident.news_count == 2


def test_a_post_incident_report_after_the_vendors_last_update_closes_a_post_never_seen_closed(press, cloudflare_status):
    process_article(stored(cloudflare_status, cloudflare_post()).pk)
    report = stored(press, news(
        "Cloudflare explains what caused last week's outage",
        body="<p>In its post-incident report, Cloudflare said a bot-management feature file doubled in size.</p>",
        at=T0 + timedelta(days=2)))
    process_article(report.pk)
    incident = Incident.objects.get()
    assert incident.post_incident_report_id == report.pk
    # written once the outage was over, though the vendor's post still says "investigating": over, no end known
    assert (incident.status, incident.resolved_at, incident.started_at) == ("resolved", None, T0)


def test_follow_up_coverage_the_model_doubts_joins_the_live_incident_of_its_subject_and_opens_none(press):
    from incidents.clustering import scoring
    from incidents.extraction import outage_model

    follow_up_title = "Cloudflare error pages everywhere"
    doubt = outage_model.score(follow_up_title).probability
    assert scoring.CONTINUED_COVERAGE_PROBABILITY <= doubt < outage_model.shipped_model().threshold, (
        "the shipped model no longer doubts this headline: pick another for this test")
    alone = stored(press, news(follow_up_title, body="", at=T0 - timedelta(days=5)))
    assert process_article(alone.pk).action == "not_relevant"  # no live incident: it opens nothing

    outage = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    incident_id = process_article(outage.pk).incident_id
    follow_up = stored(press, news(follow_up_title, body="", at=T0 + timedelta(hours=3)))
    outcome = process_article(follow_up.pk)
    assert (outcome.action, outcome.incident_id) == ("joined", incident_id)
    assert Membership.objects.get(article=follow_up).score_parts == {"continued_coverage": 1.0}
    facts = ArticleFacts.objects.get(article=follow_up)  # in that incident's context it reports the outage
    assert facts.is_outage
    assert facts.evidence[-1] == "joined as continued coverage of a live incident of its own subject"
    assert not ArticleFacts.objects.get(article=alone).is_outage
    launch = stored(press, news("Cloudflare launches new AI crawler controls", body="", at=T0 + timedelta(hours=4)))
    assert process_article(launch.pk).action == "not_relevant"


def test_an_incident_that_opens_pulls_in_the_doubted_reports_of_its_subject_from_the_hours_before(press):
    from incidents.clustering import scoring

    early = stored(press, news("Cloudflare error pages everywhere", body="", at=T0 - timedelta(hours=2)))
    too_early = stored(press, news("Cloudflare error pages everywhere again", body="",
                                   at=T0 - scoring.EARLIER_COVERAGE_WINDOW - timedelta(hours=1)))
    launch = stored(press, news("Cloudflare launches new AI crawler controls", body="", at=T0 - timedelta(hours=1)))
    for article in (too_early, early, launch):
        assert process_article(article.pk).action == "not_relevant"  # no incident yet: they open none
    outage = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    incident_id = process_article(outage.pk).incident_id
    members = set(Membership.objects.filter(incident_id=incident_id).values_list("article_id", flat=True))
    assert members == {outage.pk, early.pk}
    assert Incident.objects.get(pk=incident_id).first_reported_at == T0 - timedelta(hours=2)
    assert process_article(early.pk).action == "unchanged"  # placed once; processing it again changes nothing


@pytest.fixture
def doubting_model(tmp_path, monkeypatch):
    """An outage model whose only word is "glitch": a headline with it scores 0.2, half way between half
    the threshold (0.3) and the threshold; any other 0.01."""
    import json
    import math

    from incidents.extraction import outage_model

    def logit(p):
        return math.log(p / (1 - p))

    artefact = tmp_path / "model.json"
    artefact.write_text(json.dumps({"weights": {"t:w:glitch": logit(0.2) - logit(0.01)}, "intercept": logit(0.01),
                                    "threshold": 0.3, "version": "test", "training": {"fingerprint": "test"}}))
    monkeypatch.setenv(outage_model.MODEL_PATH_ENV, str(artefact))


def test_doubted_reports_of_one_subject_from_two_outlets_open_an_incident_from_the_first(press, doubting_model):
    first = stored(press, news("Cloudflare glitch? What to know", body="", url="https://one.example/a"))
    same_outlet = stored(press, news("Cloudflare glitch: more reports", body="", url="https://one.example/b",
                                     at=T0 + timedelta(hours=6)))
    for article in (first, same_outlet):  # one outlet twice is no corroboration
        assert process_article(article.pk).action == "not_relevant"
    assert not Incident.objects.exists()

    other_outlet = stored(press, news("How to get around the Cloudflare glitch", body="",
                                      url="https://two.example/c", at=T0 + timedelta(hours=20)))
    outcome = process_article(other_outlet.pk)
    incident = Incident.objects.get()
    assert (outcome.action, outcome.incident_id) == ("joined", incident.pk)
    members = set(Membership.objects.filter(incident=incident).values_list("article_id", flat=True))
    assert members == {first.pk, same_outlet.pk, other_outlet.pk}
    assert incident.first_reported_at == T0  # the earliest report opened it
    evidence = ArticleFacts.objects.get(article=first).evidence
    assert evidence[-1] == "corroborated by two.example: How to get around the Cloudflare glitch"


def test_doubted_reports_a_day_apart_or_of_two_subjects_corroborate_nothing(press, doubting_model):
    from incidents.clustering import scoring

    stored_reports = [
        stored(press, news("Cloudflare glitch? What to know", body="", url="https://one.example/a")),
        stored(press, news("Fastly glitch? What to know", body="", url="https://two.example/b",
                           at=T0 + timedelta(hours=1))),
        stored(press, news("How to get around the Cloudflare glitch", body="", url="https://three.example/c",
                           at=T0 + scoring.CORROBORATION_WINDOW + timedelta(hours=1))),
    ]
    assert [process_article(article.pk).action for article in stored_reports] == ["not_relevant"] * 3
    assert not Incident.objects.exists()


def test_a_report_in_other_words_joins_the_live_incident_of_its_subject_hours_later_but_not_days(press):
    from incidents.clustering import scoring

    # Its other name, too: "X" and "Twitter" share no word, but both are the vendor X (Twitter).
    first = stored(press, news("X is down for thousands of users", body=""))
    incident_id = process_article(first.pk).incident_id
    other_words = stored(press, news("Twitter.com - Is Twitter Down?", body="", at=T0 + timedelta(hours=3)))
    outcome = process_article(other_words.pk)
    assert (outcome.action, outcome.incident_id) == ("joined", incident_id)
    assert Membership.objects.get(article=other_words).score_parts == {"same_subject": 1.0}
    days_later = stored(press, news("Twitter.com - Is Twitter Down?", body="",
                                    at=T0 + scoring.CONTINUED_COVERAGE_WINDOW + timedelta(days=1)))
    assert process_article(days_later.pk).action == "opened"


def test_a_post_incident_report_of_an_outage_we_never_saw_opens_an_incident_of_its_own(press):
    report = stored(press, news("Cloudflare explains what caused last week's outage",
                                body="<p>In its post-incident report, Cloudflare blamed a config file.</p>"))
    incident = Incident.objects.get(pk=process_article(report.pk).incident_id)
    assert incident.post_incident_report_id == report.pk
    assert incident.status == "resolved" and incident.resolved_at is None  # over, its end not stated


def test_bad_press_input_gives_a_sane_lifecycle(press):
    # A report dated a year ahead: stored at its fetch time, so the incident starts then, not in the future.
    future = stored(press, news("Widespread Cloudflare outage takes down websites", at=T0 + timedelta(days=365)),
                    at=T0 + timedelta(minutes=1))
    incident = Incident.objects.get(pk=process_article(future.pk).incident_id)
    assert incident.started_at <= T0 + timedelta(minutes=1)
    # "Resolved" said of an earlier incident does not close this one.
    history = stored(press, news(
        "Outlook is down for thousands of users",
        body="<p>Outlook users cannot send mail this morning. In March, Microsoft said an earlier Outlook outage "
             "was \u201cfully resolved\u201d within hours.</p>", at=T0 + timedelta(hours=2)))
    outlook = Incident.objects.get(pk=process_article(history.pk).incident_id)
    assert outlook.status in ("reported", "quiet") and outlook.resolved_at is None  # quiet: T0 is long past
    # An article naming ten vendors: placed once, with one vendor at most and no crash.
    crowd = stored(press, news(
        "Internet outage hits Cloudflare, AWS, Azure, Google Cloud, GitHub, Slack, Zoom, Spotify, Discord and X",
        body="<p>Cloudflare, Amazon Web Services, Microsoft Azure, Google Cloud, GitHub, Slack, Zoom, Spotify, "
             "Discord and X all reported errors during the outage.</p>", at=T0 + timedelta(hours=3)))
    outcome = process_article(crowd.pk)
    assert Membership.objects.filter(article=crowd).count() == (1 if outcome.incident_id else 0)
    assert ArticleFacts.objects.get(article=crowd).vendors  # read, not refused


def test_press_only_incidents_go_quiet_after_the_quiet_period_and_a_new_report_revives_them(press, settings):
    now = timezone.now().replace(microsecond=0)
    first = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike",
                               at=now - timedelta(hours=2)))
    incident = Incident.objects.get(pk=process_article(first.pk).incident_id)
    assert incident.status == "reported"
    assert pipeline.quieten(now) == 0
    settings.OUTAGEHUB_QUIET_HOURS = 1
    assert pipeline.quieten(now) == 1
    incident.refresh_from_db()
    assert incident.status == "quiet"
    again = stored(press, news("Cloudflare outage continues, sites still showing 500 errors", at=now))
    assert process_article(again.pk).incident_id == incident.pk
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_a_cdn_outage_lists_the_victims_as_also_affected_not_as_its_services(press, cloudflare_status):
    process_article(stored(cloudflare_status, cloudflare_post()).pk)
    for n, title in enumerate(["Cloudflare outage takes down ChatGPT and X", "ChatGPT down as Cloudflare fails"]):
        process_article(stored(press, news(title, at=T0 + timedelta(minutes=10 + n))).pk)
    incident = Incident.objects.get()
    assert incident.vendor.slug == "cloudflare"
    assert all(service.vendor.slug == "cloudflare" for service in incident.services.all())
    assert "ChatGPT" in incident.also_affected


def test_regions_come_only_from_sentences_that_say_they_are_affected(press):
    body = ("<p>Amazon EC2 in us-east-1 failed with elevated error rates. Requests were served successfully from "
            "Frankfurt, and customers in Japan were not affected. For help, contact AWS Support.</p>")
    incident = Incident.objects.get(pk=process_article(stored(press, news("AWS outage hits EC2", body=body)).pk)
                                    .incident_id)
    assert incident.regions == ["aws:us-east-1"]


def test_fragments_merge_automatically_with_a_revision_and_a_redirect_but_pinned_ones_stay(client, press):
    from incidents.models import Revision
    from incidents.pipeline import merge_fragments
    articles = [stored(press, news(f"Cloudflare outage report {n}", at=T0 + timedelta(minutes=n))) for n in range(3)]
    incidents = []
    for article in articles:
        process_article(article.pk)
        incident = Incident.objects.get(memberships__article=article)
        if incident in incidents:  # the pipeline joined them already: split one off by hand
            incident = rebuild_as_own_incident(article)
        incidents.append(incident)
    survivor, fragment, pinned = incidents
    Membership.objects.filter(incident=pinned).update(assigned_by=Membership.AssignedBy.EDITOR)
    with assignment_lock():
        assert merge_fragments(survivor, [fragment.pk, pinned.pk], articles[0]) == [fragment.pk]
    fragment.refresh_from_db()
    survivor.refresh_from_db()
    assert fragment.merged_into == survivor and fragment.hidden and survivor.memberships.count() == 2
    assert Incident.objects.get(pk=pinned.pk).merged_into is None
    assert Revision.objects.filter(incident=survivor, editor=None, action="merge",
                                   description__contains=f"«{articles[0].title}» reports both").count() == 1
    assert client.get(f"/incidents/{fragment.slug}/").status_code == 301


def rebuild_as_own_incident(article) -> Incident:
    """Move one article into an incident of its own, as the pipeline would have opened it."""
    from incidents.pipeline import open_incident
    membership = Membership.objects.get(article=article)
    donor = membership.incident
    incident = open_incident(article, ArticleFacts.objects.get(article=article))
    membership.incident = incident
    membership.save(update_fields=["incident"])
    rebuild_from_members(donor)
    rebuild_from_members(incident)
    return incident


def test_a_victims_own_post_that_blames_the_root_links_its_incident_as_caused_by_it(client, cloudflare_status):
    root = Incident.objects.get(pk=process_article(stored(cloudflare_status, cloudflare_post()).pk).incident_id)
    github = SourceFactory(name="GitHub status", kind="statuspage", vendor_name="GitHub")
    post = StatusItemFactory(
        external_id="gh-1", vendor_incident_id="gh-1", title="Degraded performance for Git operations",
        published_at=T0 + timedelta(minutes=5), summary_html="", content_html="",
        updates=(ItemUpdateFactory(posted_at=T0 + timedelta(minutes=5), text=(
            "Some users may be unable to push due to an outage at our upstream provider Cloudflare.")),))
    victim = Incident.objects.get(pk=process_article(stored(github, post).pk).incident_id)
    assert victim != root and victim.vendor.slug == "github" and victim.caused_by == root
    assert "Caused by" in client.get(f"/incidents/{victim.slug}/").content.decode()
    root_page = client.get(f"/incidents/{root.slug}/").content.decode()
    assert f'href="/incidents/{victim.slug}/"' in root_page


def test_the_facts_saved_first_under_the_assignment_lock_are_saved_by_the_statement_that_takes_it(press):
    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    facts = pipeline.extract_facts(article)
    with CaptureQueriesContext(connection) as queries, assignment_lock(saving_facts=(article, facts)):
        if connection.vendor == "postgresql":  # SQLite's write lock is its transaction's
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                               "AND pid = pg_backend_pid() AND granted", [pipeline.ASSIGNMENT_LOCK_ID])
                assert cursor.fetchone() == (1,)
    if connection.vendor == "postgresql":
        [locking] = [q["sql"] for q in queries if "pg_advisory_xact_lock" in q["sql"]]
        assert locking.startswith('INSERT INTO "incidents_articlefacts"')
    saved = ArticleFacts.objects.get(article=article)
    assert (saved.content_hash, saved.subject, saved.vendors) == (article.content_hash, facts.subject,
                                                                  list(facts.vendors))


@pytest.mark.django_db(transaction=True)  # the assignment's own transaction, not a savepoint in the test's
@pytest.mark.parametrize("async_commit", [False, True])
@pytest.mark.parametrize("saving_facts", [False, True])
def test_placing_an_article_commits_without_waiting_for_the_disk_only_when_asked(press, settings, async_commit,
                                                                                  saving_facts):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no asynchronous commit")
    settings.OUTAGEHUB_PIPELINE_ASYNC_COMMIT = async_commit
    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with assignment_lock(saving_facts=(article, pipeline.extract_facts(article)) if saving_facts else None):
        # Only placing an article: other work under the lock (alerts, curation) always waits for the disk.
        assert synchronous_commit() == ("off" if async_commit and saving_facts else "on")
    assert synchronous_commit() == "on"  # for that transaction only


def test_a_candidate_read_whole_is_the_incident_as_stored(press):
    from incidents.clustering import signals
    from incidents.pipeline import article_time, candidates_for, extract_facts, read_whole, signals_of

    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    article = stored(press, news("Cloudflare outage: sites down worldwide", url="https://news.example/cf"))
    keys = signals.retrieval_keys(signals_of(article, extract_facts(article)))
    stored_incident = Incident.objects.get()
    Incident.objects.filter(pk=stored_incident.pk).update(alerts_due_at=None)  # a column left empty too
    summary = SummaryFactory(incident=stored_incident, current=True)
    stored_incident.refresh_from_db()
    [candidate], _ = candidates_for(keys, article_time(article))
    whole = read_whole(candidate)
    assert {field.attname: getattr(whole, field.attname) for field in Incident._meta.concrete_fields} == {
        field.attname: getattr(stored_incident, field.attname) for field in Incident._meta.concrete_fields}
    assert whole.summary_written_at == summary.created_at and whole.summary_written_at.tzinfo is not None
    assert whole.started_at.tzinfo is not None


def test_the_article_to_place_is_read_as_the_orm_reads_it(press):
    from incidents.models import ArticleExclusion
    from incidents.pipeline import ARTICLE_TO_PLACE, article_to_place

    placed = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    process_article(placed.pk)
    excluded = stored(press, news("Cloudflare outage: sites down worldwide", url="https://news.example/cf"))
    ArticleExclusion.objects.create(article=excluded, reason="not news")
    fresh = stored(press, news("Fastly edge errors", url="https://news.example/fastly"))

    def as_read(article) -> dict:
        related = {name: getattr(article, name, None) for name in ("facts", "membership", "exclusion")}
        return {"fields": {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields},
                "related": {name: None if obj is None else {f.attname: getattr(obj, f.attname)
                                                            for f in type(obj)._meta.concrete_fields}
                            for name, obj in related.items()},
                "annotations": {name: getattr(article, name) for name in ARTICLE_TO_PLACE.query.annotations}}

    for article in (placed, excluded, fresh, placed):  # the last: the query compiled before
        with CaptureQueriesContext(connection) as queries:  # one query: no relation read on its own
            read = as_read(article_to_place(article.pk))
        assert read == as_read(ARTICLE_TO_PLACE.get(pk=article.pk)) and len(queries) == 1
    assert as_read(article_to_place(placed.pk))["related"]["facts"] is not None
    assert article_to_place(fresh.pk + 1000) is None


@pytest.mark.parametrize("due_before", ["none", "later", "earlier"])
def test_save_derived_saves_the_fields_and_marks_the_summary_due_as_mark_due_would(press, due_before):
    from django.db import DatabaseError
    from django.utils import timezone

    from incidents.pipeline import save_derived

    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    incident = Incident.objects.get()
    due = timezone.now() + timedelta(minutes=5)
    stored_due = {"none": None, "later": due + timedelta(hours=1), "earlier": due - timedelta(hours=1)}[due_before]
    Incident.objects.update(summary_due_at=stored_due, updated_at=T0)
    incident.title, incident.news_count, incident.tally = "Cloudflare outage", 3, {"kept": [1, 2]}
    save_derived(incident, ["title", "news_count", "tally", "updated_at", "vendor"], due)
    assert "summary_due_at" not in incident.__dict__  # an expression was saved: read again if asked
    saved = Incident.objects.get()
    assert (saved.title, saved.news_count, saved.tally) == ("Cloudflare outage", 3, {"kept": [1, 2]})
    assert saved.updated_at == incident.updated_at > T0 and saved.vendor_id == incident.vendor_id
    assert saved.summary_due_at == (stored_due if due_before == "earlier" else due)
    Incident.objects.all().delete()
    with pytest.raises(DatabaseError):
        save_derived(incident, ["title"], due)


@pytest.mark.parametrize("own_transaction", [
    False, pytest.param(True, marks=pytest.mark.django_db(transaction=True)),  # as a worker runs it: not nested
])
def test_an_article_another_worker_placed_meanwhile_is_left_where_it_is(press, own_transaction):
    from incidents.pipeline import assign, extract_facts

    article = stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    placed = process_article(article.pk)
    # As a worker that read the article before the other placed it: its membership's insert fails.
    outcome = assign(article, extract_facts(article))
    assert (outcome.action, Membership.objects.get().incident_id) == ("unchanged", placed.incident_id)
    assert Incident.objects.count() == 1


def test_a_candidates_profile_is_read_as_it_is_stored_now(press):
    from incidents.clustering import scoring, signals
    from incidents.pipeline import article_time, candidates_for, extract_facts, signals_of

    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    article = stored(press, news("Cloudflare outage: sites down worldwide", url="https://news.example/cf"))
    keys = signals.retrieval_keys(signals_of(article, extract_facts(article)))
    [before], _ = candidates_for(keys, article_time(article))
    assert before.profile == scoring.IncidentProfile.from_dict(Incident.objects.get().profile)
    # Changed since it was read (decoded profiles are kept between lookups): read anew.
    Incident.objects.update(profile={**Incident.objects.get().profile, "sources": 7})
    [after], _ = candidates_for(keys, article_time(article))
    assert (before.profile.sources, after.profile.sources) == (1, 7)
    assert after.profile == replace(before.profile, sources=7)


# The clustering cost target (issue 13): placing one article runs at most this many statements,
# PostgreSQL's advisory lock included (the transaction's own BEGIN/COMMIT are not logged).
MAX_QUERIES_TO_PLACE = 12
ARCHIVE_VENDORS = ("GitHub", "GitLab", "Atlassian", "Docker", "CircleCI", "Postman", "Sentry", "Datadog", "PagerDuty",
                   "Fastly", "Akamai", "Linode", "DigitalOcean", "Vercel", "Netlify", "Heroku", "Supabase", "Oracle",
                   "Hetzner", "OVHcloud", "Backblaze", "Squarespace", "GoDaddy", "MongoDB", "Snowflake")


def test_placing_an_article_among_a_full_set_of_candidates_runs_at_most_twelve_queries(press):
    from incidents.clustering import signals
    from incidents.pipeline import MAX_CANDIDATES, article_time, candidates_for, extract_facts, signals_of

    # An archive in the article's time window in which more incidents share its keys (outage, users,
    # sign in) than are scored: each a different vendor's outage, so none joins another.
    for n, vendor in enumerate(ARCHIVE_VENDORS):
        body = f"<p>Users of {vendor} were unable to sign in on Tuesday; the outage lasted hours.</p>"
        outcome = process_article(stored(press, news(f"{vendor} outage: users unable to sign in", body,
                                                     at=T0 + timedelta(minutes=n), url=f"https://news.example/{n}")).pk)
        assert outcome.action == "opened", vendor
    first = process_article(stored(press, microsoft_story(1, "MO502273", T0)).pk)
    assert first.action == "opened"

    def place(item) -> tuple[str, list[str]]:
        article = stored(press, item)
        keys = signals.retrieval_keys(signals_of(article, extract_facts(article)))
        assert len(candidates_for(keys, article_time(article))[0]) == MAX_CANDIDATES
        with CaptureQueriesContext(connection) as queries:
            outcome = process_article(article.pk)
        # The test's own transaction turns the assignment's BEGIN/COMMIT into SAVEPOINT/RELEASE, which
        # Django logs; production's outermost transaction logs neither, so they are not counted.
        return outcome.action, [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]

    action, joining = place(microsoft_story(2, "MO502273", T0))
    assert action == "joined"
    assert len(joining) <= MAX_QUERIES_TO_PLACE, "\n".join(joining)
    opening_story = news("Google Workspace outage: users unable to sign in to Gmail",
                         "<p>Gmail users in Europe could not sign in and saw \"502 Bad Gateway\" errors.</p>",
                         at=T0 + timedelta(minutes=30), url="https://news.example/gmail")
    action, opening = place(opening_story)
    assert action == "opened"  # with its services and regions indexed, its summary marked due
    assert len(opening) <= MAX_QUERIES_TO_PLACE, "\n".join(opening)
    incident = Incident.objects.get(memberships__article__url="https://news.example/gmail")
    assert incident.summary_due_at is not None and incident.region_rows.exists() and incident.services.exists()


def test_a_join_that_adds_a_region_indexes_it_without_reading_the_index_first(press):
    from incidents.models import IncidentRegion

    first = stored(press, news("AWS outage hits EC2", body="<p>Amazon EC2 in us-east-1 failed with errors.</p>"))
    incident_id = process_article(first.pk).incident_id
    later = stored(press, news("AWS EC2 outage spreads", at=T0 + timedelta(minutes=20),
                               body="<p>Amazon EC2 in us-east-1 and eu-west-1 failed with elevated error rates.</p>"))
    with CaptureQueriesContext(connection) as queries:
        assert process_article(later.pk).incident_id == incident_id
    incident = Incident.objects.get(pk=incident_id)
    assert set(incident.regions) == {"aws:us-east-1", "aws:eu-west-1"}
    # the index is what the regions cover, as a full rebuild would make it
    indexed = set(IncidentRegion.objects.filter(incident=incident).values_list("label", flat=True))
    assert indexed == covered_labels(incident.regions) and len(indexed) > len(incident.regions)
    assert not any('FROM "incidents_incidentregion"' in q["sql"] for q in queries)


def test_a_join_moves_the_incidents_keys_forward_in_time_never_back(press):
    from incidents.models import IncidentKey

    later = process_article(stored(press, microsoft_story(1, "MO502273", T0 + timedelta(hours=2))).pk)
    seen = dict(IncidentKey.objects.filter(incident=later.incident_id).values_list("key", "last_seen_at"))
    earlier = process_article(stored(press, microsoft_story(2, "MO502273", T0)).pk)  # delivered late
    assert earlier.incident_id == later.incident_id
    after = dict(IncidentKey.objects.filter(incident=later.incident_id).values_list("key", "last_seen_at"))
    assert all(after[key] == at for key, at in seen.items())  # not moved back to the older article's time
    assert set(after) >= set(seen) and len(after) == IncidentKey.objects.filter(incident=later.incident_id).count()
    newest = process_article(stored(press, microsoft_story(3, "MO502273", T0 + timedelta(hours=3))).pk)
    assert newest.incident_id == later.incident_id
    moved = dict(IncidentKey.objects.filter(incident=later.incident_id).values_list("key", "last_seen_at"))
    assert all(moved[key] >= at for key, at in after.items())
    assert max(moved.values()) == T0 + timedelta(hours=3, minutes=3)  # its keys moved forward to its time


def test_two_incidents_of_one_azure_status_feed_stay_apart_by_their_tracking_ids():
    # The Front Door post (9 Oct) shares the vendor with the Virtual Machines one (8 Oct): only the
    # tracking ids (a guid, a ?trackingid= link) tell them apart, as they tell Azure's readers.
    source = SourceFactory(name="Azure status", kind="azure", vendor_name="Microsoft Azure")
    items = azure.parse((FIXTURES_DIR / "synthetic/azure-status-feed-synthetic.rss").read_bytes())
    for item in sorted(items, key=lambda item: item.published_at):
        process_article(stored(source, item).pk)

    by_title = {incident.title: incident for incident in Incident.objects.all()}
    assert len(by_title) == 3
    front_door = by_title["Azure Front Door \u2013 Connectivity issues"]
    assert (front_door.status, front_door.vendor_incident_ids) == ("investigating", ["SYN1-AFD"])
    machines = by_title["Mitigated \u2013 Virtual Machines \u2013 Allocation failures in East US 2"]
    assert (machines.status, machines.vendor_incident_ids) == ("resolved", ["SYN2-VMA"])


def test_an_incident_is_as_fresh_as_what_its_sources_told_not_as_when_we_fetched_them(press, cloudflare_status):
    now = timezone.now().replace(microsecond=0)
    # An open post whose last update is years old, first fetched now (a source added later, the demo's payloads)
    old_post = stored(cloudflare_status, cloudflare_post(at=T0), at=now)
    incident = Incident.objects.get(pk=process_article(old_post.pk).incident_id)
    assert incident.status == "investigating" and incident.last_activity_at == T0
    assert not live_incidents().filter(pk=incident.pk).exists()  # still ongoing by its word, but not happening now
    # A fresh update is news again.
    fresh = stored(cloudflare_status, cloudflare_post(at=T0, updates=(
        ItemUpdateFactory(posted_at=T0), ItemUpdateFactory(posted_at=now - timedelta(minutes=5)))), at=now)
    process_article(fresh.pk)
    incident.refresh_from_db()
    assert incident.last_activity_at == now - timedelta(minutes=5)
    assert live_incidents().filter(pk=incident.pk).exists()


def test_the_candidate_lookup_reads_the_key_index_alone_on_postgresql(press):
    from incidents.clustering import signals
    from incidents.pipeline import article_time, candidates_for, extract_facts, signals_of

    if connection.vendor != "postgresql":
        pytest.skip("an index-only scan is PostgreSQL's (SQLite has no included columns)")
    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    article = stored(press, news("Cloudflare outage: sites down worldwide", url="https://news.example/cf"))
    keys = signals.retrieval_keys(signals_of(article, extract_facts(article)))
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        candidates_for(keys, article_time(article))
    [(sql, params)] = statements
    with connection.cursor() as cursor:
        # A few rows: the planner would scan the table; the question is what the index can do alone.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using incidents_key_covering on incidents_incidentkey" in plan, plan


@pytest.mark.django_db(transaction=True)  # closes the connection: not inside the test's transaction
def test_the_hot_statements_share_one_kept_cursor_per_connection():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs them on Django's own cursors")

    def one(cursor) -> int:
        cursor.execute("SELECT %s::int", [1])
        return cursor.fetchone()[0]

    with pipeline.hot_cursor() as first, pipeline.hot_cursor() as second:
        assert first.cursor is second.cursor and one(first) == one(second) == 1
    connection.close()  # a new connection: a new cursor, the closed one never reused
    with pipeline.hot_cursor() as third:
        assert third.cursor is not first.cursor and one(third) == 1
    assert first.cursor.connection.closed  # and nothing keeps it: only the current one is kept
    assert [kept.connection for kept in pipeline._KEPT_CURSORS.values()].count(first.cursor.connection) == 0


@pytest.mark.django_db(transaction=True)  # the placement's own transaction
@pytest.mark.parametrize("prepared", [True, False])  # off behind a pooler that cannot carry either
def test_placing_an_article_sends_its_statements_without_waiting_for_each_on_postgresql(press, monkeypatch, settings,
                                                                                       prepared):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no network round trips")
    settings.OUTAGEHUB_PREPARED_STATEMENTS = prepared
    pipelined = []
    insert = pipeline.insert_membership

    def observed(membership):
        pipelined.append(connection.connection._pipeline is not None)
        insert(membership)

    monkeypatch.setattr(pipeline, "insert_membership", observed)
    first = process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    second = process_article(stored(press, news("Cloudflare outage: sites down worldwide",
                                                 url="https://news.example/cf")).pk)
    assert (first.action, second.action, second.incident_id) == ("opened", "joined", first.incident_id)
    assert pipelined == [prepared, prepared] and connection.connection._pipeline is None  # left when placed
    assert Membership.objects.count() == 2 and not Article.objects.filter(pending_since__isnull=False).exists()


def _memberships_seen_by_another_connection() -> int:
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as other:
        return other.execute("SELECT COUNT(*) FROM incidents_membership").fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the placement's own transaction, and a caller's around it
def test_a_placement_commits_its_own_transaction_and_never_its_callers(press):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: its placement's COMMIT goes out with its other statements")
    from django.db import transaction

    process_article(stored(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike")).pk)
    assert _memberships_seen_by_another_connection() == 1
    article = stored(press, news("Cloudflare outage: sites down worldwide", url="https://news.example/cf"))
    with pytest.raises(RuntimeError), transaction.atomic():
        assert process_article(article.pk).action == "joined"
        assert (Membership.objects.count(), _memberships_seen_by_another_connection()) == (2, 1)
        raise RuntimeError("the caller's transaction fails after the placement: the placement goes with it")
    assert Membership.objects.count() == 1 and Article.objects.get(pk=article.pk).pending_since is not None
