"""The normalised item every source adapter returns, whatever the source's format.

Adapters are pure: bytes and headers in, a list of Item out, no Django and no network. The
HTML they carry is the source's own, unsanitised; `articles.ingest` sanitises it before storing.
All datetimes are timezone-aware UTC.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ItemKind(StrEnum):
    NEWS = "news"
    STATUS = "status"


class VendorStatus(StrEnum):
    """The incident lifecycle words, normalised across status-page providers."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    SCHEDULED = "scheduled"  # planned maintenance, not yet started
    IN_PROGRESS = "in_progress"  # planned maintenance under way
    VERIFYING = "verifying"
    COMPLETED = "completed"  # planned maintenance over
    UPDATE = "update"  # a post that carries no lifecycle word


class AdapterError(Exception):
    """The payload cannot be read as this format. The message is shown to people as is."""


@dataclass(frozen=True)
class StatusUpdate:
    posted_at: datetime
    status: VendorStatus
    text: str
    html: str = ""
    vendor_status: str = ""  # the provider's own word, e.g. "Service disruption"
    external_id: str = ""  # the provider's id for this update, when it has one


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    external_id: str  # stable within its source: guid, entry id, vendor incident id
    title: str
    url: str = ""
    # False where the link is not the item's own page (AWS links every item to its dashboard),
    # so the URL must not be used to deduplicate across sources.
    url_identifies: bool = True
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str = ""
    summary_html: str = ""
    content_html: str = ""  # full text when the source gives it (content:encoded)
    categories: tuple[str, ...] = ()
    # Status-page fields (empty for news).
    vendor_incident_id: str = ""
    status: VendorStatus | None = None
    impact: str = ""  # none, minor, major, critical, maintenance or the vendor's severity word
    components: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()  # regions the vendor names, verbatim (us-east-1, europe-west3)
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: tuple[StatusUpdate, ...] = field(default_factory=tuple)


class ComponentState(StrEnum):
    """A component's state on one scale for every status-page provider, best to worst; the vendor's
    own label is kept beside it (Component.label)."""

    OPERATIONAL = "operational"
    MAINTENANCE = "maintenance"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNKNOWN = "unknown"  # a state word we do not know, or a component no longer listed


# How bad each state is: the worst of a page's components is the page's state. Unknown says
# nothing, so it ranks below operational and wins only when nothing else is known.
STATE_RANK = {
    ComponentState.UNKNOWN: -1,
    ComponentState.OPERATIONAL: 0,
    ComponentState.MAINTENANCE: 1,
    ComponentState.DEGRADED: 2,
    ComponentState.PARTIAL_OUTAGE: 3,
    ComponentState.MAJOR_OUTAGE: 4,
}


def worst_state(states) -> ComponentState | None:
    """The worst of these states (None for none)."""
    return max(states, key=STATE_RANK.__getitem__, default=None)


@dataclass(frozen=True)
class Component:
    key: str  # stable within its source: the provider's component id, else its name
    name: str
    state: ComponentState
    label: str  # the provider's own word for the state ("degraded_performance", "Service disruption")
    group: str = ""  # the group it is shown under on the vendor's page, when it has one


@dataclass(frozen=True)
class PageStatus:
    """What a status page says about its components now.

    `complete` is True when the payload lists every component, so one missing from a later poll
    was removed from the page; False when it lists only the affected ones (derived from open
    incidents), so one missing later is no longer affected."""

    components: tuple[Component, ...]
    complete: bool
    state: ComponentState | None = None  # the page's own overall indicator, when it publishes one
    label: str = ""  # its wording ("All Systems Operational")
