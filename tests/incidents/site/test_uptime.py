from datetime import UTC, datetime, timedelta

import pytest

from incidents.site.uptime import NOT_SEEN, Change, Span, daily_worst, spans, uptime

START = datetime(2026, 9, 1, tzinfo=UTC)
END = START + timedelta(days=10)
OK, DOWN, SLOW, GONE = "operational", "major_outage", "degraded", "unknown"


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def test_no_history_at_all_is_not_seen_until_the_component_was_first_seen():
    history = spans([], OK, day(4), START, END)

    assert history == [Span(START, day(4), NOT_SEEN), Span(day(4), END, OK)]
    assert uptime(history) == 100


def test_a_state_entered_before_the_window_covers_it_all():
    history = spans([Change(day(-30), "", DOWN)], DOWN, day(-30), START, END)

    assert history == [Span(START, END, DOWN)]
    assert uptime(history) == 0


def test_the_state_at_the_start_is_the_first_change_inside_its_from_and_the_open_state_runs_to_the_end():
    changes = [Change(day(-50), "", OK), Change(day(2), OK, DOWN), Change(day(2.5), DOWN, SLOW)]

    history = spans(changes, SLOW, day(2.5), START, END)

    assert history == [Span(START, day(2), OK), Span(day(2), day(2.5), DOWN), Span(day(2.5), END, SLOW)]
    assert uptime(history) == pytest.approx(95)  # half a day down in ten; degraded counts as up


def test_a_component_first_seen_inside_the_window_and_unknown_time_are_left_out_of_uptime():
    changes = [Change(day(5), "", OK), Change(day(6), OK, GONE), Change(day(8), GONE, DOWN)]

    history = spans(changes, DOWN, day(8), START, END)

    assert history[0] == Span(START, day(5), NOT_SEEN)
    assert uptime(history) == pytest.approx(100 * 1 / 3)  # known: 1 day up, 2 days down


def test_changes_after_the_window_are_ignored_and_nothing_known_has_no_uptime():
    assert uptime(spans([Change(day(20), "", OK)], OK, day(20), START, END)) is None


def test_each_day_shows_its_worst_state_and_a_day_before_any_knowledge_none():
    changes = [Change(day(1.5), "", OK), Change(day(2.25), OK, DOWN), Change(day(2.5), DOWN, OK)]

    days = daily_worst(spans(changes, OK, day(2.5), START, END), START, 4)

    assert days == [(day(0), NOT_SEEN), (day(1), OK), (day(2), DOWN), (day(3), OK)]
