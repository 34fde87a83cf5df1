"""The status board: one row per vendor, its state now by its own page and by the press, and
whether the two disagree.

A vendor's own state is the worst of its status sources' page states (read from their components)
and of the live incidents its page posted about; with neither, it is operational when one of its
sources was read successfully (its page shows no open incident), else unknown. The press reports
an outage when a live incident has no post from the vendor. The flag marks a vendor whose own page
is operational while a live incident is reported by at least DISAGREE_OUTLETS distinct outlets.

Pure: plain data in, rows out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from articles.items import STATE_RANK, ComponentState

DISAGREE_OUTLETS = 2
FAILING_HEALTH = frozenset({"failing", "gave_up"})
# What a live incident the vendor posted says about its page, by the incident's severity
# (incidents.models.Severity: 1 maintenance, 2 minor, 3 major, 4 critical).
SEVERITY_STATES = {1: ComponentState.MAINTENANCE, 3: ComponentState.PARTIAL_OUTAGE, 4: ComponentState.MAJOR_OUTAGE}
STATE_WORDS = {
    ComponentState.OPERATIONAL: "operational",
    ComponentState.MAINTENANCE: "maintenance",
    ComponentState.DEGRADED: "degraded",
    ComponentState.PARTIAL_OUTAGE: "partial outage",
    ComponentState.MAJOR_OUTAGE: "major outage",
    ComponentState.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class StatusSource:
    name: str
    vendor: str  # the vendor's name, as Source.vendor_name
    health: str
    checked_at: datetime | None  # the start of its latest poll
    last_error: str
    page_state: str  # "" when its kind publishes no component states
    page_label: str
    page_since: datetime | None

    @property
    def failing(self) -> bool:
        return self.health in FAILING_HEALTH


@dataclass(frozen=True)
class LiveIncident:
    slug: str
    title: str
    vendor: str  # the vendor's name, or the incident's subject when the catalogue does not know it
    severity: int
    vendor_posted: bool  # a status post of the vendor is among its sources
    outlets: int  # distinct news sources reporting it
    started_at: datetime


@dataclass
class BoardRow:
    name: str
    slug: str  # the vendor's slug; "" for a subject outside the catalogue
    own_state: ComponentState
    own_words: str  # how it was decided, for the reader
    sources: list[StatusSource] = field(default_factory=list)
    incidents: list[LiveIncident] = field(default_factory=list)
    press_outlets: int = 0  # most distinct outlets on one live incident without a vendor post

    @property
    def own_word(self) -> str:
        return STATE_WORDS[self.own_state]

    @property
    def press_reports(self) -> bool:
        return self.press_outlets > 0 or any(not i.vendor_posted for i in self.incidents)

    @property
    def disagree(self) -> bool:
        """Its page is green while at least DISAGREE_OUTLETS outlets report one live incident."""
        return (self.own_state == ComponentState.OPERATIONAL
                and max((i.outlets for i in self.incidents), default=0) >= DISAGREE_OUTLETS)

    @property
    def failing(self) -> list[StatusSource]:
        return [s for s in self.sources if s.failing]

    @property
    def trouble(self) -> int:
        """How much this row needs a look, for the order of the board."""
        return max(STATE_RANK[self.own_state], 2 if self.press_reports else 0) + (5 if self.disagree else 0)


def board_rows(vendors: list[tuple[str, str]], sources: list[StatusSource],
               live: list[LiveIncident]) -> list[BoardRow]:
    """One row per vendor of `vendors` ((slug, name) pairs) and per other name a status source or a
    live incident has (a vendor the catalogue does not know); the rows in trouble first, then by name."""
    sources_of, live_of = defaultdict(list), defaultdict(list)
    for source in sources:
        sources_of[source.vendor].append(source)
    for incident in live:
        live_of[incident.vendor].append(incident)
    slugs = dict((name, slug) for slug, name in vendors)
    names = list(dict.fromkeys([*slugs, *(s.vendor for s in sources), *(i.vendor for i in live if i.vendor)]))
    rows = [_row(name, slugs.get(name, ""), sources_of[name], live_of[name]) for name in names]
    return sorted(rows, key=lambda row: (-row.trouble, row.name.casefold()))


def _row(name: str, slug: str, sources: list[StatusSource], live: list[LiveIncident]) -> BoardRow:
    states = [(ComponentState(s.page_state), f"{s.name}: {s.page_label or STATE_WORDS[ComponentState(s.page_state)]}")
              for s in sources if s.page_state]
    states += [(SEVERITY_STATES.get(i.severity, ComponentState.DEGRADED), f"its page posted: {i.title}")
               for i in live if i.vendor_posted]
    known = [pair for pair in states if pair[0] != ComponentState.UNKNOWN]
    if known:
        state, words = max(known, key=lambda pair: STATE_RANK[pair[0]])
    elif any(s.checked_at and not s.failing for s in sources):
        state, words = ComponentState.OPERATIONAL, "no open incident on its page"
    elif sources:
        state, words = ComponentState.UNKNOWN, "its status page could not be read"
    else:
        state, words = ComponentState.UNKNOWN, "no status page of it is read here"
    press = max((i.outlets for i in live if not i.vendor_posted), default=0)
    return BoardRow(name=name, slug=slug, own_state=state, own_words=words, sources=sources,
                    incidents=sorted(live, key=lambda i: i.started_at, reverse=True), press_outlets=press)
