"""Which events are due, from the state and the ledger (pure)."""

from incidents.alerts.events import (
    ACKNOWLEDGED,
    OPENED,
    REPORT,
    RESOLVED,
    SEVERITY_RAISED,
    IncidentState,
    due_events,
)


def state(severity=2, acknowledged=False, over=False, has_report=False):
    return IncidentState(severity, acknowledged, over, has_report)


def kinds(events):
    return [e.kind for e in events]


def test_a_press_report_opens_and_the_vendor_acknowledges_later():
    events, ledger = due_events(frozenset(), state())
    assert kinds(events) == [OPENED] and events[0].covers == (OPENED,)
    events, ledger = due_events(ledger, state(acknowledged=True))
    assert kinds(events) == [ACKNOWLEDGED]


def test_an_incident_the_vendor_opens_is_opened_and_acknowledged_in_one_event():
    events, ledger = due_events(frozenset(), state(acknowledged=True))
    assert kinds(events) == [OPENED] and events[0].covers == (OPENED, ACKNOWLEDGED)
    assert due_events(ledger, state(acknowledged=True))[0] == []


def test_severity_raised_once_per_new_level_and_never_for_a_lower_one():
    _, ledger = due_events(frozenset(), state(severity=2))
    events, ledger = due_events(ledger, state(severity=3))
    assert kinds(events) == [SEVERITY_RAISED] and events[0].severity == 3
    assert due_events(ledger, state(severity=2))[0] == []
    assert due_events(ledger, state(severity=3))[0] == []
    assert kinds(due_events(ledger, state(severity=4))[0]) == [SEVERITY_RAISED]


def test_resolved_and_the_report_once_each_even_if_it_reopens():
    _, ledger = due_events(frozenset(), state(acknowledged=True))
    events, ledger = due_events(ledger, state(acknowledged=True, over=True, severity=4))
    assert kinds(events) == [RESOLVED]  # a raise that arrives with the end is said by "resolved"
    assert due_events(ledger, state(acknowledged=True))[0] == []
    events, ledger = due_events(ledger, state(acknowledged=True, over=True, has_report=True))
    assert kinds(events) == [REPORT]
    assert due_events(ledger, state(acknowledged=True, over=True, has_report=True))[0] == []


def test_the_union_of_two_ledgers_announces_nothing_either_announced():
    _, one = due_events(frozenset(), state(severity=2))
    _, other = due_events(frozenset(), state(severity=4, acknowledged=True, over=True))
    assert due_events(one | other, state(severity=4, acknowledged=True, over=True))[0] == []


def test_an_incident_first_seen_over_is_one_message_that_covers_its_opening_and_end():
    events, ledger = due_events(frozenset(), state(severity=3, acknowledged=True, over=True, has_report=True))
    assert kinds(events) == [RESOLVED] and events[0].covers == (OPENED, ACKNOWLEDGED, RESOLVED, REPORT)
    assert due_events(ledger, state(severity=3, acknowledged=True, over=True, has_report=True))[0] == []
    events, _ = due_events(frozenset(), state(over=True))
    assert events[0].covers == (OPENED, RESOLVED)  # a watch of openings hears of it too
