"""Which events of an incident are due, from its state and its ledger of what was announced (pure).

The ledger is a set of keys: "opened", "acknowledged", "severity:<n>" (every severity announced),
"resolved", "report". An event is due when the state shows something the ledger lacks; announcing
it adds its keys. Taking the union of two ledgers (a merge) therefore announces nothing either side
had announced, and running the same state past the same ledger twice announces nothing the second time.
"""

from dataclasses import dataclass

OPENED, ACKNOWLEDGED, SEVERITY_RAISED, RESOLVED, REPORT = (
    "opened", "acknowledged", "severity_raised", "resolved", "report_published")
KINDS = (OPENED, ACKNOWLEDGED, SEVERITY_RAISED, RESOLVED, REPORT)
LABELS = {
    OPENED: "Incident opened",
    ACKNOWLEDGED: "Acknowledged by the vendor",
    SEVERITY_RAISED: "Severity raised",
    RESOLVED: "Resolved",
    REPORT: "Post-incident report published",
}


@dataclass(frozen=True)
class IncidentState:
    """What the announcements follow of an incident, as the pipeline or an editor left it."""

    severity: int
    acknowledged: bool
    over: bool
    has_report: bool


@dataclass(frozen=True)
class Event:
    """One announcement. `covers` are the kinds a watch may have asked for that it answers: an incident
    opened by the vendor's own post is opened and acknowledged in one message."""

    kind: str
    severity: int
    covers: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.severity}" if self.kind == SEVERITY_RAISED else self.kind


def severity_key(severity: int) -> str:
    return f"severity:{severity}"


def announced_severity(ledger: frozenset[str]) -> int:
    return max((int(key.split(":", 1)[1]) for key in ledger if key.startswith("severity:")), default=0)


def due_events(ledger: frozenset[str], state: IncidentState) -> tuple[list[Event], frozenset[str]]:
    """The events due, in the order they happened, and the ledger once they are announced."""
    events: list[Event] = []
    keys = set(ledger)
    if OPENED not in keys and state.over:
        # First seen when it was already over: one message that it happened and ended, not two at once.
        covers = (OPENED, *((ACKNOWLEDGED,) if state.acknowledged else ()), RESOLVED,
                  *((REPORT,) if state.has_report else ()))
        keys.update((*covers, severity_key(state.severity)))
        return [Event(RESOLVED, state.severity, covers)], frozenset(keys)
    if OPENED not in keys:
        covers = (OPENED, ACKNOWLEDGED) if state.acknowledged else (OPENED,)
        events.append(Event(OPENED, state.severity, covers))
        keys.update(covers)
        keys.add(severity_key(state.severity))
    if state.acknowledged and ACKNOWLEDGED not in keys:
        events.append(Event(ACKNOWLEDGED, state.severity, (ACKNOWLEDGED,)))
        keys.add(ACKNOWLEDGED)
    # A raise is news while it lasts; one that arrives with the end is said by "resolved".
    if state.severity > announced_severity(frozenset(keys)) and not state.over:
        events.append(Event(SEVERITY_RAISED, state.severity, (SEVERITY_RAISED,)))
    keys.add(severity_key(state.severity))
    if state.over and RESOLVED not in keys:
        events.append(Event(RESOLVED, state.severity, (RESOLVED,)))
        keys.add(RESOLVED)
    if state.has_report and REPORT not in keys:
        events.append(Event(REPORT, state.severity, (REPORT,)))
        keys.add(REPORT)
    return events, frozenset(keys)
