"""A component's history over a window, from its recorded state changes: the spans it spent in each
state, its uptime, and the worst state of each day for the strips on a vendor's page.

Uptime is the share of the known time (after we first saw the component, in a state we know) that
it was not in a partial or major outage: degraded performance and maintenance count as up, as the
vendor's page itself keeps the component usable then.

Pure: plain data in, plain data out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from articles.items import STATE_RANK, ComponentState  # STATE_RANK takes the plain strings too (StrEnum)

NOT_SEEN = ""  # before we first saw the component
DOWN = frozenset({ComponentState.PARTIAL_OUTAGE, ComponentState.MAJOR_OUTAGE})
UNKNOWN = frozenset({NOT_SEEN, ComponentState.UNKNOWN})


@dataclass(frozen=True)
class Change:
    since: datetime
    from_state: str  # NOT_SEEN for the change that first recorded it
    to_state: str


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    state: str


def spans(changes: Iterable[Change], current: str, current_since: datetime, start: datetime,
          end: datetime) -> list[Span]:
    """The states the component was in between `start` and `end`, in order, covering the window.

    `changes` may hold changes outside the window (they are ignored); `current` is its state now,
    entered at `current_since`. The state at `start` is the first change inside the window's "from",
    or, with no change inside, the current one (entered before the window, or not seen before
    `current_since` when a component has no history at all)."""
    inside = sorted((c for c in changes if start <= c.since < end), key=lambda c: c.since)
    if inside:
        state, cursor = inside[0].from_state, start
    elif current_since > start:
        inside = [Change(min(current_since, end), NOT_SEEN, current)]
        state, cursor = NOT_SEEN, start
    else:
        state, cursor = current, start
    found = []
    for change in inside:
        if change.since > cursor:
            found.append(Span(cursor, change.since, state))
        state, cursor = change.to_state, change.since
    if end > cursor:
        found.append(Span(cursor, end, state))
    return found


def uptime(history: list[Span]) -> float | None:
    """Percent of the known time not down; None when no time is known."""
    known = sum(((s.end - s.start) for s in history if s.state not in UNKNOWN), timedelta())
    if not known:
        return None
    down = sum(((s.end - s.start) for s in history if s.state in DOWN), timedelta())
    return 100 * (known - down) / known


def daily_worst(history: list[Span], first_day: datetime, days: int) -> list[tuple[datetime, str]]:
    """(day start, worst state that day) for `days` days from `first_day`; NOT_SEEN for a day with
    no known state, unknown only when nothing better is known. `history` is in order, as spans()
    gives it, so one pass over it serves every day."""
    result, first = [], 0
    for number in range(days):
        day = first_day + timedelta(days=number)
        following = day + timedelta(days=1)
        while first < len(history) and history[first].end <= day:
            first += 1
        worst, worst_rank = NOT_SEEN, None
        index = first
        while index < len(history) and history[index].start < following:
            state = history[index].state
            if state != NOT_SEEN and (worst_rank is None or STATE_RANK[state] > worst_rank):
                worst, worst_rank = state, STATE_RANK[state]
            index += 1
        result.append((day, worst))
    return result
