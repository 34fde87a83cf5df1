"""Atlassian Statuspage's public JSON API: /api/v2/incidents.json, /api/v2/incidents/unresolved.json
and /api/v2/summary.json (its `incidents` and `scheduled_maintenances`). One item per incident or
maintenance, with every incident_update. Times come in the page's own offset (-07:00 ...).

summary.json and /api/v2/components.json also list every component with its state, and summary.json
the page's overall indicator: `components` reads them (incidents.json has neither)."""

from ..items import AdapterError, Component, ComponentState, Item, ItemKind, PageStatus, StatusUpdate, worst_state
from .common import (
    dict_of,
    dicts_in,
    html_to_text,
    json_or_none,
    load_json,
    parse_time,
    require_object,
    require_objects,
    stable_id,
    text_of,
    text_to_html,
    unique,
    vendor_status,
)

KIND = "statuspage"
LABEL = "Atlassian Statuspage API (JSON)"

# What Statuspage puts in affected_components when an update touched none.
NO_COMPONENTS_PLACEHOLDER = "No components were affected by this update."


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    data = require_object(load_json(body), "a Statuspage API response")
    if not {"incidents", "scheduled_maintenances", "components"} & data.keys():
        raise AdapterError("not a Statuspage API response: it has no 'incidents', 'scheduled_maintenances' "
                           "or 'components'")
    page_url = text_of(dict_of(data.get("page")).get("url")).rstrip("/")
    incidents = [
        incident for key in ("incidents", "scheduled_maintenances")
        for incident in require_objects(data.get(key, []), f"'{key}'", "a Statuspage API response")
    ]
    return [_item(incident, page_url) for incident in incidents]


def _item(incident: dict, page_url: str) -> Item:
    incident_id = text_of(incident.get("id"))
    name = text_of(incident.get("name"))
    status = text_of(incident.get("status"))
    created = parse_time(incident.get("created_at"))
    started = parse_time(incident.get("started_at"))
    raw_updates = dicts_in(incident.get("incident_updates"))
    updates = [update for update in map(_update, raw_updates) if update is not None]
    page_link = f"{page_url}/incidents/{incident_id}" if page_url and incident_id else ""
    return Item(
        kind=ItemKind.STATUS,
        external_id=incident_id or stable_id(name, created),
        title=name or "(no title)",
        url=text_of(incident.get("shortlink")) or page_link,
        published_at=started or created,
        updated_at=parse_time(incident.get("updated_at")),
        vendor_incident_id=incident_id,
        status=vendor_status(status) if status else None,
        impact=text_of(incident.get("impact")),
        components=_component_names(incident, raw_updates),
        # A maintenance starts when it is scheduled for, not when it was announced.
        started_at=parse_time(incident.get("scheduled_for")) or started or created,
        resolved_at=parse_time(incident.get("resolved_at")),
        updates=tuple(sorted(updates, key=lambda update: update.posted_at)),
    )


def _update(update: dict) -> StatusUpdate | None:
    # display_at is the time the page shows; backfilled incidents are created long after it.
    posted_at = parse_time(update.get("display_at")) or parse_time(update.get("created_at"))
    if posted_at is None:
        return None
    word = text_of(update.get("status"))
    body = text_of(update.get("body"))
    return StatusUpdate(
        posted_at=posted_at,
        status=vendor_status(word),
        text=html_to_text(body),
        html=text_to_html(body),
        vendor_status=word,
        external_id=text_of(update.get("id")),
    )


def _component_names(incident: dict, updates: list[dict]) -> tuple[str, ...]:
    """The incident's components; older incidents.json payloads name them only per update, where
    a component that stayed operational was listed but not affected."""
    names = [text_of(component.get("name")) for component in dicts_in(incident.get("components"))]
    if not names:
        names = [
            text_of(component.get("name"))
            for update in updates
            for component in dicts_in(update.get("affected_components"))
            if {component.get("old_status"), component.get("new_status")} != {"operational"}
        ]
    return unique(name for name in names if name != NO_COMPONENTS_PLACEHOLDER)


# Statuspage's component states and overall indicators on the one scale.
_COMPONENT_STATES = {
    "operational": ComponentState.OPERATIONAL,
    "under_maintenance": ComponentState.MAINTENANCE,
    "degraded_performance": ComponentState.DEGRADED,
    "partial_outage": ComponentState.PARTIAL_OUTAGE,
    "major_outage": ComponentState.MAJOR_OUTAGE,
}
_INDICATORS = {
    "none": ComponentState.OPERATIONAL,
    "maintenance": ComponentState.MAINTENANCE,
    "minor": ComponentState.DEGRADED,
    "major": ComponentState.PARTIAL_OUTAGE,
    "critical": ComponentState.MAJOR_OUTAGE,
}


def components(body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    """Every component of summary.json or components.json with its state, under its group's name
    (a group's own row only sums up its members, so it is not a component here); None for a payload
    without components (incidents.json)."""
    data = require_object(load_json(body), "a Statuspage API response")
    if "components" not in data:
        return None
    rows = require_objects(data["components"], "'components'", "a Statuspage API response")
    groups = {text_of(row.get("id")): text_of(row.get("name")) for row in rows if row.get("group") is True}
    found = []
    for row in rows:  # in the page's own order
        name = text_of(row.get("name"))
        if row.get("group") is True or not name:
            continue
        word = text_of(row.get("status"))
        found.append(Component(
            key=text_of(row.get("id")) or name, name=name, label=word,
            state=_COMPONENT_STATES.get(word, ComponentState.UNKNOWN),
            group=groups.get(text_of(row.get("group_id")), ""),
        ))
    status = dict_of(data.get("status"))
    indicator = text_of(status.get("indicator"))
    state = _INDICATORS.get(indicator) if indicator else worst_state(c.state for c in found)
    return PageStatus(components=tuple(found), complete=True, state=state,
                      label=text_of(status.get("description")))


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    data = json_or_none(body)
    if not isinstance(data, dict) or not ({"incidents", "scheduled_maintenances", "components"} & data.keys()):
        return 0
    page = dict_of(data.get("page"))
    if "id" in page and "time_zone" in page:  # Statuspage's page object
        return 95
    return 60
