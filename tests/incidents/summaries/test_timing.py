from datetime import UTC, datetime, timedelta

from incidents.summaries.timing import SETTLE, summary_due_at

T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_a_first_summary_is_written_once_the_poll_has_settled():
    assert summary_due_at(T0, None, MINUTE) == T0 + SETTLE


def test_a_change_long_after_the_last_version_is_written_without_waiting_the_debounce():
    assert summary_due_at(T0, T0 - timedelta(hours=1), MINUTE) == T0 + SETTLE


def test_a_change_soon_after_a_version_waits_until_the_debounce_has_passed_since_it():
    assert summary_due_at(T0, T0 - timedelta(seconds=20), MINUTE) == T0 + timedelta(seconds=40)


def test_no_debounce_means_no_settling_either():
    assert summary_due_at(T0, T0, timedelta(0)) == T0
