"""The verdict of /healthz, decided on plain values (outagehub/health.py)."""

from datetime import UTC, datetime, timedelta

from outagehub.health import FAILING, OK, UNKNOWN, Limits, Observations, judge

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
LIMITS = Limits(fetch_age=1800, overdue=300, beat_age=180)


def seen(**changes) -> Observations:
    """A healthy system: one source fetched a minute ago, nothing overdue, beat ticked 20 s ago."""
    values = {"now": NOW, "enabled_sources": 3, "last_success_at": NOW - timedelta(minutes=1), "due_sources": 1,
              "oldest_due_at": NOW - timedelta(seconds=10), "beat_at": NOW - timedelta(seconds=20)}
    return Observations(**(values | changes))


def statuses(observations: Observations) -> dict[str, str]:
    return {check.name: check.status for check in judge(observations, LIMITS).checks}


def test_a_working_system_is_healthy_with_every_check_ok_and_its_ages():
    verdict = judge(seen(), LIMITS)
    assert verdict.healthy
    answer = verdict.as_dict()
    assert answer["status"] == "healthy"
    assert {name: check["status"] for name, check in answer["checks"].items()} == {
        "database": OK, "broker": OK, "network": OK, "last_fetch": OK, "oldest_due": OK, "beat": OK}
    assert answer["checks"]["last_fetch"]["age_seconds"] == 60
    assert answer["checks"]["oldest_due"]["age_seconds"] == 10
    assert answer["checks"]["beat"]["age_seconds"] == 20


def test_an_unreachable_database_fails_and_what_it_holds_is_unknown():
    verdict = judge(Observations(now=NOW, database_error="not reachable (OperationalError)"), LIMITS)
    assert not verdict.healthy
    assert statuses(Observations(now=NOW, database_error="x")) == {
        "database": FAILING, "broker": OK, "network": UNKNOWN, "last_fetch": UNKNOWN, "oldest_due": UNKNOWN,
        "beat": UNKNOWN}
    assert verdict.as_dict()["checks"]["database"]["detail"] == "not reachable (OperationalError)"


def test_an_unreachable_broker_alone_makes_it_unhealthy():
    verdict = judge(seen(broker_error="not reachable (OperationalError)"), LIMITS)
    assert not verdict.healthy
    assert [c.name for c in verdict.checks if c.status != OK] == ["broker"]


def test_no_successful_fetch_within_the_limit_fails_and_says_for_how_long():
    at_limit = seen(last_success_at=NOW - timedelta(seconds=1800))
    assert judge(at_limit, LIMITS).healthy
    stale = judge(seen(last_success_at=NOW - timedelta(seconds=1801)), LIMITS)
    [check] = [c for c in stale.checks if c.name == "last_fetch"]
    assert check.status == FAILING and check.age_seconds == 1801
    assert "no source fetched successfully for 1801 s (the limit is 1800 s)" in check.detail


def test_sources_never_fetched_successfully_fail_but_no_sources_at_all_is_fine():
    assert statuses(seen(last_success_at=None))["last_fetch"] == FAILING
    assert statuses(seen(enabled_sources=0, last_success_at=None, due_sources=0, oldest_due_at=None)) == {
        "database": OK, "broker": OK, "network": OK, "last_fetch": OK, "oldest_due": OK, "beat": OK}


def test_a_source_due_for_longer_than_the_limit_means_beat_is_not_dispatching():
    assert statuses(seen(oldest_due_at=NOW - timedelta(seconds=300)))["oldest_due"] == OK
    late = judge(seen(due_sources=4, oldest_due_at=NOW - timedelta(seconds=301)), LIMITS)
    [check] = [c for c in late.checks if c.name == "oldest_due"]
    assert check.status == FAILING and check.detail.startswith("4 sources due, the oldest for 301 s")


def test_beat_is_dead_when_the_dispatch_task_never_ran_or_ran_too_long_ago():
    assert statuses(seen(beat_at=None))["beat"] == FAILING
    assert statuses(seen(beat_at=NOW - timedelta(seconds=180)))["beat"] == OK
    assert statuses(seen(beat_at=NOW - timedelta(seconds=181)))["beat"] == FAILING


def test_no_network_fails_the_network_check_with_its_message():
    message = "no network: name resolution failed for every source since 09:02 UTC"
    verdict = judge(seen(network_message=message), LIMITS)
    [check] = [c for c in verdict.checks if c.name == "network"]
    assert not verdict.healthy and check.status == FAILING and check.detail == message


def test_a_time_in_the_future_counts_as_age_zero():
    # Clocks of web and worker hosts differ a little; a stamp from the future is fresh, not negative.
    verdict = judge(seen(beat_at=NOW + timedelta(seconds=5)), LIMITS)
    assert verdict.healthy and verdict.as_dict()["checks"]["beat"]["age_seconds"] == 0
