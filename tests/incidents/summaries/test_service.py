"""Summaries on the database: the brief, versions, locks, debounce and the faithfulness of what is written."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.items import VendorStatus
from incidents.catalogue_store import current_catalogue
from incidents.models import Incident, Membership, Summary
from incidents.pipeline import process_article
from incidents.summaries.brief import missing_parts
from incidents.summaries.faithfulness import unsupported_claims
from incidents.summaries.roles import wrong_role_claims
from incidents.summaries.service import (
    brief_for,
    lease_due,
    mark_due,
    stored_summary,
    write_all_due,
    write_due_summary,
    write_summary,
)
from incidents.summaries.timing import SETTLE
from tests.factories import ItemUpdateFactory, SourceFactory, StatusItemFactory, stored
from tests.incidents.cloudflare_outage import BODY, T0, cloudflare_post, news

pytestmark = pytest.mark.django_db



def place(source, item, at=None) -> Incident:
    outcome = process_article(stored(source, item, at).pk)
    return Incident.objects.get(pk=outcome.incident_id)


def check(incident: Incident) -> tuple[list, list]:
    """(claims unsupported or in a wrong role, missing parts)."""
    incident.refresh_from_db()
    summary = stored_summary(incident.summary)
    brief = brief_for(incident, now=incident.summary.created_at)
    claims = [*unsupported_claims(summary, brief, current_catalogue()), *wrong_role_claims(summary, brief,
                                                                                          current_catalogue())]
    return [str(c) for c in claims], missing_parts(summary)


def test_an_incident_with_press_and_a_vendor_post_gets_a_complete_faithful_summary(press, cloudflare_status):
    place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", at=T0 - timedelta(minutes=25)))
    incident = place(cloudflare_status, cloudflare_post())
    assert write_summary(incident.pk) == "written"
    incident.refresh_from_db()
    row = incident.summary
    assert 2 <= len(row.why_this_matters) <= 4 and 3 <= len(row.takeaways) <= 6
    refs = brief_for(incident).refs()
    assert all(s["citations"] and set(s["citations"]) <= refs for s in row.why_this_matters + row.takeaways)
    text = " ".join(s["text"] for s in row.why_this_matters + row.takeaways)
    assert "Cloudflare acknowledged it at 11:48 UTC on 18 Nov" in text  # cf-1 is the API's key, not shown
    assert "25 min after the first press report" in text
    assert "“500 Internal Server Error”" in text
    assert check(incident) == ([], [])


def test_the_vendors_own_incident_id_is_named_with_the_acknowledgement():
    microsoft = SourceFactory(name="Microsoft 365 status", kind="statuspage", vendor_name="Microsoft")
    post = StatusItemFactory(
        external_id="MO502273", vendor_incident_id="MO502273", title="Users can't send email in Exchange Online",
        published_at=T0, summary_html="", content_html="",
        updates=(ItemUpdateFactory(posted_at=T0, text=(
            "MO502273: We're investigating an issue where users can't send email in Exchange Online and receive "
            "the error \"550 5.7.708 Service unavailable. Access denied\".")),),
    )
    incident = place(microsoft, post)
    write_summary(incident.pk)
    incident.refresh_from_db()
    acknowledgement = next(t for t in incident.summary.takeaways if t["kind"] == "acknowledgement")
    assert acknowledgement["text"].startswith("Microsoft acknowledged it as MO502273 at 11:48 UTC on 18 Nov")
    errors = next(t for t in incident.summary.takeaways if t["kind"] == "errors")
    assert errors["text"] == "Error users see: “550 5.7.708 Service unavailable. Access denied”."
    assert check(incident) == ([], [])


def test_a_press_only_incident_says_the_vendor_has_not_acknowledged_it(press, cloudflare_status):
    cloudflare_status.last_success_at = T0 + timedelta(minutes=5)
    cloudflare_status.save()
    # The press reports the outage without quoting Cloudflare: the vendor is silent so far.
    body = "<p>Websites behind Cloudflare showed error pages to visitors across the world on Tuesday morning.</p>"
    incident = place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", body=body))
    write_summary(incident.pk, now=T0 + timedelta(hours=1))
    incident.refresh_from_db()
    acknowledgement = next(t for t in incident.summary.takeaways if t["kind"] == "acknowledgement")
    assert acknowledgement["text"].startswith("Not yet acknowledged by Cloudflare as of 12:48 UTC on 18 Nov, 1 h")
    assert "Cloudflare's status page still shows operational." in acknowledgement["text"]
    assert check(incident) == ([], [])


def test_an_acknowledgement_the_press_reports_counts_and_is_cited_to_that_report(press, cloudflare_status):
    incident = place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    assert incident.vendor_acknowledged_at == T0 and incident.acknowledged_in_id is not None
    write_summary(incident.pk, now=T0 + timedelta(hours=1))
    incident.refresh_from_db()
    acknowledgement = next(t for t in incident.summary.takeaways if t["kind"] == "acknowledgement")
    assert acknowledgement["text"] == f"Cloudflare acknowledged it at 11:48 UTC on 18 Nov, as {press.name} reports."
    assert acknowledgement["citations"] == [f"article:{incident.acknowledged_in_id}"]
    assert check(incident) == ([], [])


def test_a_vendor_quoted_by_the_press_is_not_called_silent(press, cloudflare_status):
    cloudflare_status.last_success_at = T0 + timedelta(minutes=5)
    cloudflare_status.save()
    # "Cloudflare said a configuration file … crashed the software …", and no other word that it acknowledged
    # it: speaking to the press is acknowledging it, for the incident's facts as for its summary.
    quoted = BODY.replace(", and the company said it was investigating elevated error rates", "")
    incident = place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", body=quoted))
    assert incident.vendor_acknowledged_at == T0 and incident.acknowledged_in_id is not None
    write_summary(incident.pk, now=T0 + timedelta(hours=1))
    incident.refresh_from_db()
    acknowledgement = next(t for t in incident.summary.takeaways if t["kind"] == "acknowledgement")
    assert acknowledgement["text"] == "Cloudflare acknowledged it at 11:48 UTC on 18 Nov, as Ars Technica reports."
    assert not any("status page still shows operational" in s["text"] or "not confirmed" in s["text"]
                   for s in [*incident.summary.why_this_matters, *incident.summary.takeaways])
    assert check(incident) == ([], [])


def test_a_headline_only_report_says_there_is_not_enough_information_yet(press):
    incident = place(press, news("Fortnite servers down: players unable to log in", body=""))
    write_summary(incident.pk)
    incident.refresh_from_db()
    assert not incident.summary.enough_information
    assert "Not enough information yet" in " ".join(s["text"] for s in incident.summary.why_this_matters)
    assert check(incident) == ([], [])


def test_a_source_in_another_language_is_not_quoted(press, cloudflare_status):
    german = ("<p>Der Ausfall bei Cloudflare hat am Dienstag zahlreiche Webseiten lahmgelegt, wie das Unternehmen "
              "auf seiner Statusseite mitteilte. Nutzer sahen Fehlermeldungen auf vielen bekannten Seiten.</p>")
    place(press, news("Cloudflare-Störung legt Webseiten lahm", body=german, url="https://heise.example/cf"))
    incident = place(cloudflare_status, cloudflare_post())
    write_summary(incident.pk)
    incident.refresh_from_db()
    quoted = " ".join(t["text"] for t in incident.summary.takeaways)
    assert "Ausfall" not in quoted and "Nutzer" not in quoted
    assert check(incident) == ([], [])


def test_the_resolution_and_its_duration_come_from_the_vendors_last_update(cloudflare_status):
    post = cloudflare_post()
    place(cloudflare_status, post)
    resolved = replace(post, status=VendorStatus.RESOLVED, updates=(
        *post.updates, ItemUpdateFactory(posted_at=T0 + timedelta(hours=3, minutes=10), status=VendorStatus.RESOLVED,
                                         text="This incident has been resolved."),
    ))
    incident = place(cloudflare_status, resolved, at=T0 + timedelta(hours=4))
    write_summary(incident.pk, now=T0 + timedelta(hours=5))
    incident.refresh_from_db()
    resolution = next(t for t in incident.summary.takeaways if t["kind"] == "resolution")
    assert resolution["text"] == "Resolved at 14:58 UTC on 18 Nov, 3 h 10 min after it began."
    assert brief_for(incident).updates[-1].ref in resolution["citations"]
    assert check(incident) == ([], [])


def test_an_earlier_incident_of_the_same_service_is_named_with_a_link(press):
    first = place(press, news("Cloudflare outage takes down websites", at=T0 - timedelta(days=9),
                              url="https://news.example/cf-earlier"))
    later = place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike"))
    assert first.pk != later.pk
    write_summary(later.pk)
    later.refresh_from_db()
    why = " ".join(s["text"] for s in later.summary.why_this_matters)
    assert "It is the second Cloudflare incident in 30 days." in why
    history = next(t for t in later.summary.takeaways if t["kind"] == "history")
    assert history["links"] == [{"title": first.title, "incident": first.slug}]
    assert check(later) == ([], [])


def test_every_version_is_kept_and_nothing_changes_without_a_change(press, cloudflare_status):
    incident = place(cloudflare_status, cloudflare_post())
    assert write_summary(incident.pk) == "written"
    assert write_summary(incident.pk) == "unchanged"
    place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", at=T0 + timedelta(minutes=5)))
    assert write_summary(incident.pk) == "written"
    assert list(Summary.objects.filter(incident=incident).values_list("version", flat=True)) == [2, 1]
    incident.refresh_from_db()
    assert incident.summary.version == 2


def test_a_locked_summary_is_never_replaced(press, cloudflare_status):
    incident = place(cloudflare_status, cloudflare_post())
    write_summary(incident.pk)
    Incident.objects.filter(pk=incident.pk).update(summary_locked=True)
    place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", at=T0 + timedelta(minutes=5)))
    assert write_summary(incident.pk, force=True) == "locked"
    assert write_all_due(now=T0 + timedelta(days=3650))["locked"] == 1
    assert Summary.objects.filter(incident=incident).count() == 1


def test_changes_mark_the_summary_due_after_the_debounce_and_a_lease_keeps_later_changes(
        press, cloudflare_status, settings):
    settings.OUTAGEHUB_SUMMARY_DEBOUNCE = 60
    incident = place(cloudflare_status, cloudflare_post())
    incident.refresh_from_db()
    due = incident.summary_due_at
    assert due is not None
    assert lease_due(now=due - timedelta(seconds=1)) == []
    [(leased_id, lease)] = lease_due(now=due)
    assert leased_id == incident.pk
    assert lease_due(now=due) == []  # a second beat takes nothing
    # A new source arrives while the worker writes: its mark replaces the lease, so it is not lost.
    place(press, news("Widespread Cloudflare outage blamed on mysterious traffic spike", at=T0 + timedelta(minutes=5)))
    assert write_due_summary(incident.pk, lease) == "written"
    incident.refresh_from_db()
    assert incident.summary_due_at is not None and incident.summary_due_at < lease


def test_a_summary_whose_message_was_lost_is_taken_again_when_its_lease_runs_out(cloudflare_status, settings):
    settings.OUTAGEHUB_REDELIVER_AFTER = 300
    incident = place(cloudflare_status, cloudflare_post())
    incident.refresh_from_db()
    [(_, lease)] = lease_due(now=incident.summary_due_at)  # its write_summary message is then lost
    assert lease_due(now=lease - timedelta(seconds=1)) == []
    [(retaken, second_lease)] = lease_due(now=lease)
    assert retaken == incident.pk and second_lease == lease + timedelta(seconds=300)
    assert write_due_summary(incident.pk, second_lease) == "written"
    incident.refresh_from_db()
    assert incident.summary_due_at is None


def test_a_change_to_an_incident_summarised_long_ago_is_due_at_once_and_one_just_summarised_waits(
        press, cloudflare_status, settings):
    settings.OUTAGEHUB_SUMMARY_DEBOUNCE = 60
    incident = place(cloudflare_status, cloudflare_post())
    incident.refresh_from_db()
    assert incident.summary_due_at <= timezone.now() + SETTLE  # the first summary does not wait the debounce
    write_all_due()
    incident.refresh_from_db()
    written = incident.summary.created_at
    Incident.objects.filter(pk=incident.pk).update(summary_due_at=None)
    mark_due(incident.pk, now=written + timedelta(seconds=10))
    incident.refresh_from_db()
    assert incident.summary_due_at == written + timedelta(seconds=60)
    Incident.objects.filter(pk=incident.pk).update(summary_due_at=None)
    mark_due(incident.pk, now=written + timedelta(hours=1))
    incident.refresh_from_db()
    assert incident.summary_due_at == written + timedelta(hours=1) + SETTLE


def test_the_brief_costs_the_same_queries_for_a_big_incident(press, cloudflare_status):
    def queries_for_brief(incident):
        with CaptureQueriesContext(connection) as captured:
            brief_for(incident)
        return len(captured)

    incident = place(cloudflare_status, cloudflare_post())
    small = queries_for_brief(Incident.objects.select_related("vendor").get(pk=incident.pk))
    for n in range(12):
        place(press, news(f"Cloudflare outage report {n}: websites down", at=T0 + timedelta(minutes=n),
                          url=f"https://news.example/cf-{n}"))
    big = queries_for_brief(Incident.objects.select_related("vendor").get(pk=incident.pk))
    assert Incident.objects.count() == 1
    assert small == big <= 6


def test_conflicting_start_times_give_one_start_and_every_stated_time_is_backed(press, cloudflare_status):
    early = news("Cloudflare outage takes down websites",
                 body="<p>Readers said Cloudflare sites failed from 7:00 a.m. ET on Tuesday, hours before the "
                      "company's status page mentioned elevated error rates.</p>", at=T0 - timedelta(hours=2))
    place(press, early)
    incident = place(cloudflare_status, cloudflare_post())
    write_summary(incident.pk, now=T0 + timedelta(hours=1))
    incident.refresh_from_db()
    why = " ".join(s["text"] for s in incident.summary.why_this_matters)
    assert f"since {incident.started_at:%H:%M} UTC on 18 Nov" in why
    assert check(incident) == ([], [])


def test_an_incident_left_with_no_sources_gets_no_summary(cloudflare_status):
    incident = place(cloudflare_status, cloudflare_post())
    Membership.objects.filter(incident=incident).delete()  # its sources merged into another incident
    assert write_summary(incident.pk, force=True) == "empty"


def test_the_name_most_reports_give_is_what_is_down_when_the_catalogue_lacks_it():
    from types import SimpleNamespace

    from incidents.summaries.service import _named_subject

    def member(subject, name=""):
        return SimpleNamespace(article=SimpleNamespace(facts=SimpleNamespace(subject=subject, subject_name=name)))

    chromecast = [member("name:chromecast", "Chromecast"), member("name:chromecast", "Chromecast"),
                  member("vendor:google", "Google")]
    assert _named_subject(chromecast) == "Chromecast"
    assert _named_subject([*chromecast, member("vendor:google", "Google")]) == ""  # not most of them
    assert _named_subject([member("vendor:google", "Google")]) == ""  # a vendor is named as the vendor
    assert _named_subject([]) == ""
