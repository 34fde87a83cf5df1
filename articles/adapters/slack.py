"""Slack's status API v2.0.0: /api/v2.0.0/current ({"status", "active_incidents": [...]}) and
/api/v2.0.0/history (an array of the same incident objects). Each incident's notes are its
updates; they carry no status word of their own.

The API lists no components as such: `components` reads the services its active incidents name
(from /current only; /history is the past), each in the state of the worst incident naming it, and
the page's overall `status` (ok, active, broken)."""

from ..items import AdapterError, Component, ComponentState, Item, ItemKind, PageStatus, StatusUpdate, VendorStatus
from .common import (
    affected_only_page,
    dicts_in,
    html_to_text,
    json_or_none,
    load_json,
    parse_time,
    require_objects,
    stable_id,
    strings_in,
    text_of,
    text_to_html,
    unique,
    unlabelled_post_statuses,
)

KIND = "slack"
LABEL = "Slack status API"

_STATUSES = {
    "active": VendorStatus.INVESTIGATING,
    "resolved": VendorStatus.RESOLVED,
    "scheduled": VendorStatus.SCHEDULED,
    "completed": VendorStatus.COMPLETED,
    "cancelled": VendorStatus.COMPLETED,
}
_INCIDENT_KEYS = {"id", "title", "notes"}
_WHAT = "a Slack status API response"


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    data = load_json(body)
    if isinstance(data, dict) and "active_incidents" in data:
        incidents = require_objects(data["active_incidents"], "'active_incidents'", _WHAT)
    elif isinstance(data, list):
        incidents = require_objects(data, "the array", _WHAT)
    else:
        raise AdapterError(f"not {_WHAT}: expected an object with 'active_incidents' or an array of incidents")
    return [_item(incident) for incident in incidents]


def _item(incident: dict) -> Item:
    incident_id = text_of(incident.get("id"))
    title = text_of(incident.get("title"))
    created = parse_time(incident.get("date_created"))
    updated = parse_time(incident.get("date_updated"))
    word = text_of(incident.get("status"))
    status = _STATUSES.get(word.lower(), VendorStatus.UPDATE)
    notes = sorted(
        ((posted_at, text_of(note.get("body")))
         for note in dicts_in(incident.get("notes"))
         if (posted_at := parse_time(note.get("date_created"))) is not None),
        key=lambda note: note[0],
    )
    statuses = unlabelled_post_statuses(len(notes), status)
    return Item(
        kind=ItemKind.STATUS,
        external_id=incident_id or stable_id(title, created),
        title=title or "(no title)",
        url=text_of(incident.get("url")),
        published_at=created,
        updated_at=updated,
        vendor_incident_id=incident_id,
        status=status,
        impact=text_of(incident.get("type")),  # incident, notice or outage
        components=unique(strings_in(incident.get("services"))),
        started_at=created,
        resolved_at=updated if status in (VendorStatus.RESOLVED, VendorStatus.COMPLETED) else None,
        updates=tuple(
            StatusUpdate(posted_at=posted_at, status=note_status, text=html_to_text(body), html=text_to_html(body))
            for (posted_at, body), note_status in zip(notes, statuses, strict=True)
        ),
    )


# An incident's type on the one scale: an outage is Slack down, an incident some of it, a notice a
# heads-up about a problem.
_TYPE_STATES = {
    "outage": ComponentState.MAJOR_OUTAGE,
    "incident": ComponentState.PARTIAL_OUTAGE,
    "notice": ComponentState.DEGRADED,
    "maintenance": ComponentState.MAINTENANCE,
}


def components(body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    data = load_json(body)
    if not isinstance(data, dict) or "active_incidents" not in data:
        return None  # /history: past incidents say nothing about now
    affected = (
        Component(key=service, name=service, label=word, state=_TYPE_STATES.get(word, ComponentState.UNKNOWN))
        for incident in require_objects(data["active_incidents"], "'active_incidents'", _WHAT)
        if text_of(incident.get("status")).lower() == "active"
        for word in [text_of(incident.get("type")).lower()]
        for service in unique(strings_in(incident.get("services")))
    )
    page = affected_only_page(affected, calm_label="ok")
    word = text_of(data.get("status")).lower()
    if word == "broken":
        return PageStatus(page.components, page.complete, ComponentState.MAJOR_OUTAGE, word)
    return PageStatus(page.components, page.complete, page.state, page.label or word)


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    data = json_or_none(body)
    if isinstance(data, dict) and "active_incidents" in data:
        return 95
    if isinstance(data, list) and data and isinstance(data[0], dict) and data[0].keys() >= _INCIDENT_KEYS:
        return 80
    return 0
