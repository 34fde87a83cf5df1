from datetime import UTC, datetime, timedelta

import pytest

from articles.items import VendorStatus
from incidents.clustering.lifecycle import (
    OUTLETS_MAJOR,
    OUTLETS_MINOR,
    QUIET_AFTER,
    Evidence,
    NewsReport,
    PostUpdate,
    StatusPost,
    decide,
    derive,
    severity_of,
)

T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
T, HOUR = T0, timedelta(hours=1)


def post(*updates, impact="major", **fields):
    return StatusPost(
        published_at=fields.pop("published_at", T0),
        status=fields.pop("status", updates[-1][1] if updates else None),
        impact=impact,
        updates=tuple(PostUpdate(T0 + timedelta(minutes=m), s) for m, s in updates),
        **fields,
    )


def test_a_vendor_post_sets_status_start_and_acknowledgement():
    life = derive([post((0, VendorStatus.INVESTIGATING), (30, VendorStatus.IDENTIFIED))], [])
    assert (life.status, life.started_at, life.resolved_at) == ("identified", T0, None)
    assert life.vendor_acknowledged_at == T0 and life.severity == 3 and life.vendor_severity == "major"


def test_it_is_resolved_at_the_first_resolved_update():
    life = derive([post((0, VendorStatus.INVESTIGATING), (90, VendorStatus.RESOLVED), (600, VendorStatus.POSTMORTEM))],
                  [])
    assert life.status == "resolved" and life.resolved_at == T0 + timedelta(minutes=90)


def test_a_plain_update_never_moves_the_incident_back():
    life = derive([post((0, VendorStatus.MONITORING), (10, VendorStatus.UPDATE))], [])
    assert life.status == "monitoring"


def test_the_vendors_own_start_and_end_win_when_given():
    given = post((10, VendorStatus.RESOLVED), started_at=T0 - timedelta(hours=1), resolved_at=T0 + timedelta(hours=2))
    life = derive([given], [])
    assert life.started_at == T0 - timedelta(hours=1) and life.resolved_at == T0 + timedelta(hours=2)


def test_press_before_the_vendor_makes_the_start_and_first_report_earlier():
    early = NewsReport(published_at=T0 - timedelta(minutes=20))
    life = derive([post((0, VendorStatus.INVESTIGATING))], [early])
    assert life.first_reported_at == life.started_at == T0 - timedelta(minutes=20)
    assert life.vendor_acknowledged_at == T0


def test_press_only_is_reported_and_not_acknowledged():
    life = derive([], [NewsReport(T0), NewsReport(T0 + timedelta(hours=1))])
    assert (life.status, life.vendor_acknowledged_at, life.resolved_at) == ("reported", None, None)
    resolved = derive([], [NewsReport(T0), NewsReport(T0 + timedelta(hours=3), says_resolved=True)])
    # over, but a report that says so without a time shows only that it was over by then: no end, no duration
    assert resolved.status == "resolved" and resolved.resolved_at is None


def test_an_incident_with_two_posts_is_over_only_when_both_are():
    done = post((0, VendorStatus.INVESTIGATING), (60, VendorStatus.RESOLVED))
    still_open = post((30, VendorStatus.IDENTIFIED), published_at=T0 + timedelta(minutes=30))
    assert derive([done, still_open], []).status == "identified"


def test_maintenance_ends_completed():
    life = derive([post((0, VendorStatus.SCHEDULED), (60, VendorStatus.IN_PROGRESS), (120, VendorStatus.COMPLETED),
                        impact="maintenance")], [])
    assert (life.status, life.severity) == ("completed", 1)


def test_severity_words_of_every_provider_share_one_scale():
    assert severity_of(["low"]) == (2, "low")
    assert severity_of(["minor", "critical"]) == (4, "critical")
    assert severity_of(["high", ""]) == (4, "high")
    assert severity_of([]) == (0, "")


def test_nothing_to_derive_from_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        derive([], [])


def test_a_post_the_vendor_closed_is_closed_even_if_its_only_update_came_later():
    # Google Cloud posts some incidents after the fact: one SERVICE_DISRUPTION update, and `end` set.
    late = post((90, VendorStatus.INVESTIGATING), status=VendorStatus.RESOLVED, started_at=T0,
                resolved_at=T0 + timedelta(minutes=27))
    life = derive([late], [])
    assert (life.status, life.started_at, life.resolved_at) == ("resolved", T0, T0 + timedelta(minutes=27))


def test_a_post_with_no_lifecycle_word_reads_as_investigating():
    informational = StatusPost(published_at=T0, status=VendorStatus.UPDATE)
    assert derive([informational], []).status == "investigating"


# --- press-only lifecycle -------------------------------------------------------------------------


def _press(**fields) -> Evidence:
    return Evidence(first_reported_at=T, last_report_at=T, **fields)


def test_press_only_starts_at_the_start_a_report_states():
    life = decide(_press(stated_start=T - timedelta(hours=2)), now=T)
    assert life.started_at == T - timedelta(hours=2) and life.first_reported_at == T


def test_press_only_ends_at_the_time_the_resolving_report_states():
    life = decide(_press(latest_news_says_resolved=True,
                         stated_end=T + timedelta(hours=1)), now=T)
    assert (life.status, life.resolved_at) == ("resolved", T + timedelta(hours=1))


def test_one_report_saying_resolved_gives_no_zero_minute_outage():
    life = decide(_press(latest_news_says_resolved=True), now=T)
    assert life.status == "resolved" and life.resolved_at is None


def test_press_only_goes_quiet_after_the_quiet_period_and_not_before():
    assert decide(_press(), now=T + QUIET_AFTER).status == "reported"
    assert decide(_press(), now=T + QUIET_AFTER + timedelta(seconds=1)).status == "quiet"
    assert decide(_press(), now=None).status == "reported"  # no clock: no quiet period
    resolved = decide(_press(latest_news_says_resolved=True), now=T + timedelta(days=9))
    assert resolved.status == "resolved"


def test_a_vendor_incident_never_goes_quiet():
    life = decide(Evidence(first_reported_at=T, posts=1, unplanned_posts=1, open_posts=1,
                           most_advanced_open=VendorStatus.IDENTIFIED, acknowledged_at=T, last_report_at=T),
                  now=T + timedelta(days=30))
    assert life.status == "identified"


def test_an_acknowledgement_the_press_reports_counts_only_without_vendor_posts():
    assert decide(_press(press_acknowledged_at=T), now=T).vendor_acknowledged_at == T
    with_post = Evidence(first_reported_at=T, posts=1, unplanned_posts=1, open_posts=1, acknowledged_at=T + HOUR,
                         most_advanced_open=VendorStatus.INVESTIGATING, press_acknowledged_at=T)
    assert decide(with_post).vendor_acknowledged_at == T + HOUR


def test_press_severity_from_what_reports_say_and_from_how_many_outlets():
    assert decide(_press()).severity == 0
    assert decide(_press(press_severity=(4, "worldwide"))).severity == 4
    assert decide(_press(outlets=OUTLETS_MINOR)).severity == 2
    assert decide(_press(outlets=OUTLETS_MAJOR, press_severity=(2, "some users"))).severity == 3
    vendor_word = Evidence(first_reported_at=T, posts=1, unplanned_posts=1, severity=(2, "minor"), outlets=9)
    assert decide(vendor_word).severity == 2  # the vendor's own word wins


def test_a_vendor_post_closed_with_no_time_apart_from_its_start_has_no_end_rather_than_0_minutes():
    life = derive([StatusPost(published_at=T0, status=VendorStatus.RESOLVED)], [])
    assert life.status == "resolved" and life.resolved_at is None


def test_a_word_less_note_after_a_resolved_post_does_not_reopen_the_incident():
    resolved = StatusPost(published_at=T0, status=VendorStatus.RESOLVED, updates=(
        PostUpdate(T0, VendorStatus.INVESTIGATING), PostUpdate(T0 + HOUR, VendorStatus.RESOLVED)))
    note = StatusPost(published_at=T0 + 12 * HOUR, status=VendorStatus.UPDATE,
                      updates=(PostUpdate(T0 + 12 * HOUR, VendorStatus.UPDATE),))
    life = derive([resolved, note], [])
    assert (life.status, life.resolved_at) == ("resolved", T0 + HOUR)
    reopened = StatusPost(published_at=T0 + 12 * HOUR, status=VendorStatus.INVESTIGATING)
    assert derive([resolved, reopened], []).status == "investigating"  # a lifecycle word does reopen it


def test_a_vendor_that_states_an_end_at_the_start_is_believed():
    retroactive = StatusPost(published_at=T0, status=VendorStatus.RESOLVED, started_at=T0, resolved_at=T0,
                             updates=(PostUpdate(T0, VendorStatus.RESOLVED),))
    assert derive([retroactive], []).resolved_at == T0
