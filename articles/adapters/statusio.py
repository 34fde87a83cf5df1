"""status.io's public status JSON, https://api.status.io/1.0/status/<page_id>: the page's
overall status, its open incidents and its active and upcoming maintenances, each with messages.
One item per incident and per maintenance; `components` reads the state of every component
(`status`, each the worst of its containers) and of the page (`status_overall`)."""

import re

from ..items import AdapterError, Component, ComponentState, Item, ItemKind, PageStatus, StatusUpdate, VendorStatus
from .common import (
    current_status,
    dict_of,
    dicts_in,
    html_to_text,
    json_or_none,
    json_type,
    load_json,
    parse_time,
    require_object,
    require_objects,
    stable_id,
    text_of,
    text_to_html,
    unique,
)

KIND = "statusio"
LABEL = "status.io public status JSON"

# status.io's status codes, as its pages word them.
IMPACTS = {
    "100": "operational",
    "200": "planned maintenance",
    "300": "degraded performance",
    "400": "partial service disruption",
    "500": "service disruption",
    "600": "security issue",
}
_INCIDENT_STATES = {"100": VendorStatus.INVESTIGATING, "200": VendorStatus.IDENTIFIED, "300": VendorStatus.MONITORING}
_MAINTENANCE_STATES = {"100": VendorStatus.SCHEDULED, "200": VendorStatus.IN_PROGRESS, "300": VendorStatus.COMPLETED}
_PAGE_ID = re.compile(r"/status/([0-9a-fA-F]{24})\b")
_WHAT = "a status.io status response"


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    result = dict_of(require_object(load_json(body), _WHAT).get("result"))
    if not {"status_overall", "incidents", "maintenance"} & result.keys():
        raise AdapterError(f"not {_WHAT}: it has no 'result' with incidents or maintenance")
    page_id = _PAGE_ID.search(url)
    page = page_id[1] if page_id else ""
    maintenance = result.get("maintenance", {})
    if not isinstance(maintenance, dict):
        raise AdapterError(f"not {_WHAT}: 'maintenance' is {json_type(maintenance)}, expected an object")
    groups = [
        (result, "incidents", "incident", VendorStatus.INVESTIGATING),
        (maintenance, "active", "maintenance", VendorStatus.IN_PROGRESS),
        (maintenance, "upcoming", "maintenance", VendorStatus.SCHEDULED),
    ]
    return [_item(event, page, what, status) for parent, key, what, status in groups
            for event in require_objects(parent.get(key, []), f"'{key}'", _WHAT)]


def _item(event: dict, page: str, what: str, default_status: VendorStatus) -> Item:
    event_id = text_of(event.get("_id"))
    title = text_of(event.get("name"))
    opened = parse_time(event.get("datetime_open"))
    states = _MAINTENANCE_STATES if what == "maintenance" else _INCIDENT_STATES
    messages = sorted(
        ((posted_at, message)
         for message in dicts_in(event.get("messages"))
         if (posted_at := parse_time(message.get("datetime"))) is not None),
        key=lambda pair: pair[0],
    )
    updates = tuple(
        StatusUpdate(
            posted_at=posted_at,
            status=states.get(text_of(message.get("state")), VendorStatus.UPDATE),
            text=html_to_text(text_of(message.get("details"))),
            html=text_to_html(text_of(message.get("details"))),
            vendor_status=IMPACTS.get(text_of(message.get("status")), ""),
        )
        for posted_at, message in messages
    )
    newest_code = text_of(messages[-1][1].get("status")) if messages else ""
    return Item(
        kind=ItemKind.STATUS,
        external_id=event_id or stable_id(title, opened),
        title=title or "(no title)",
        url=f"https://status.io/pages/{what}/{page}/{event_id}" if page and event_id else "",
        published_at=opened,
        updated_at=updates[-1].posted_at if updates else opened,
        vendor_incident_id=event_id,
        status=current_status(update.status for update in updates) or default_status,
        impact="maintenance" if what == "maintenance" else IMPACTS.get(newest_code, ""),
        components=unique(text_of(component.get("name")) for component in dicts_in(event.get("components_affected"))),
        # status.io calls its locations (data centres, clouds, regions) containers.
        locations=unique(text_of(container.get("name")) for container in dicts_in(event.get("containers_affected"))),
        started_at=parse_time(event.get("datetime_planned_start")) or opened,
        updates=updates,
    )


# The status codes on the one scale. A security issue is a problem the vendor flags, not an outage.
_STATES = {
    "100": ComponentState.OPERATIONAL,
    "200": ComponentState.MAINTENANCE,
    "300": ComponentState.DEGRADED,
    "400": ComponentState.PARTIAL_OUTAGE,
    "500": ComponentState.MAJOR_OUTAGE,
    "600": ComponentState.DEGRADED,
}


def components(body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    result = dict_of(require_object(load_json(body), _WHAT).get("result"))
    if "status" not in result:
        return None
    found = tuple(
        Component(key=text_of(row.get("id")) or name, name=name, label=_label(row),
                  state=_STATES.get(text_of(row.get("status_code")), ComponentState.UNKNOWN))
        for row in require_objects(result["status"], "'status'", _WHAT) if (name := text_of(row.get("name")))
    )
    overall = dict_of(result.get("status_overall"))
    code = text_of(overall.get("status_code"))
    return PageStatus(components=found, complete=True, state=_STATES.get(code) if code else None,
                      label=_label(overall))


def _label(row: dict) -> str:
    return text_of(row.get("status")) or IMPACTS.get(text_of(row.get("status_code")), "")


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    data = json_or_none(body)
    result = dict_of(data.get("result")) if isinstance(data, dict) else {}
    return 95 if "status_overall" in result else 0
