"""What one poll's component states change in what is stored: which rows to write, which state
changes to record. Pure: the stored components and the page's PageStatus in, a plan out; a poll that
changes nothing plans nothing, so nothing is written."""

from dataclasses import dataclass, field, replace

from .items import Component, ComponentState, PageStatus, worst_state

# Why a component stopped being listed, as its label says.
REMOVED_LABEL = "no longer on the vendor's page"
NO_LONGER_AFFECTED_LABEL = "no longer named by an open incident"


@dataclass(frozen=True)
class Held:
    """A component as stored for its source."""

    component: Component
    position: int
    listed: bool = True


@dataclass(frozen=True)
class StateChange:
    key: str
    from_state: str  # "" when the component is new
    to_state: ComponentState
    label: str


@dataclass
class Plan:
    write: list[Held] = field(default_factory=list)  # new or changed rows, as they are to be stored
    changes: list[StateChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.write or self.changes)


def plan(held: dict[str, Held], page: PageStatus) -> Plan:
    """The rows to write and the state changes to record. A component the page no longer lists is
    removed (unknown, unlisted) when the page lists all its components, and back to operational when
    it lists only the affected ones."""
    result = Plan()
    for position, component in enumerate(page.components):
        _compare(result, held.get(component.key), Held(component, position))
    named = {component.key for component in page.components}
    for key, stored in held.items():
        if key in named or not stored.listed:
            continue
        if page.complete:
            gone = Held(replace(stored.component, state=ComponentState.UNKNOWN, label=REMOVED_LABEL),
                        stored.position, listed=False)
        else:
            gone = Held(replace(stored.component, state=ComponentState.OPERATIONAL, label=NO_LONGER_AFFECTED_LABEL),
                        stored.position)
        _compare(result, stored, gone)
    return result


def _compare(result: Plan, stored: Held | None, now: Held) -> None:
    if stored == now:
        return
    result.write.append(now)
    if stored is None or stored.component.state != now.component.state:
        result.changes.append(StateChange(now.component.key, stored.component.state if stored else "",
                                          now.component.state, now.component.label))


def page_state(page: PageStatus) -> tuple[ComponentState, str]:
    """The page's state and its words: its own indicator when it has one, else its worst component."""
    if page.state is not None:
        return page.state, page.label
    worst = worst_state(c.state for c in page.components)
    return (worst or ComponentState.UNKNOWN), page.label
