"""Google Cloud's status history, https://status.cloud.google.com/incidents.json: a JSON array of
incidents, each with its updates newest first.

It lists no components as such: `components` reads the products that open incidents (no `end`)
affect, each in the state of the worst incident naming it (its `status_impact`), as Google's
dashboard colours them; with no open incident the page is available."""

from ..items import AdapterError, Component, ComponentState, Item, ItemKind, PageStatus, StatusUpdate, VendorStatus
from .common import (
    affected_only_page,
    dicts_in,
    json_or_none,
    load_json,
    parse_time,
    require_objects,
    stable_id,
    text_of,
    unique,
)

KIND = "gcp"
LABEL = "Google Cloud incidents.json"

STATUS_PAGE = "https://status.cloud.google.com/"
_UPDATE_STATUSES = {
    "SERVICE_OUTAGE": VendorStatus.INVESTIGATING,
    "SERVICE_DISRUPTION": VendorStatus.INVESTIGATING,
    "SERVICE_INFORMATION": VendorStatus.UPDATE,
    "AVAILABLE": VendorStatus.RESOLVED,
}


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    data = load_json(body)
    if not isinstance(data, list):
        raise AdapterError("not a Google Cloud incidents.json: expected a JSON array of incidents")
    return [_item(incident) for incident in require_objects(data, "the array", "a Google Cloud incidents.json")]


def _item(incident: dict) -> Item:
    incident_id = text_of(incident.get("id"))
    title = " ".join(text_of(incident.get("external_desc")).split())
    begin = parse_time(incident.get("begin"))
    end = parse_time(incident.get("end"))
    updates = sorted(
        (update for update in map(_update, dicts_in(incident.get("updates"))) if update is not None),
        key=lambda update: update.posted_at,
    )
    # `end` is authoritative: two 2021 incidents got a SERVICE_DISRUPTION summary after they ended.
    status = VendorStatus.RESOLVED if end else (updates[-1].status if updates else None)
    uri = text_of(incident.get("uri")) or (f"incidents/{incident_id}" if incident_id else "")
    regions = dicts_in(incident.get("currently_affected_locations"))
    regions += dicts_in(incident.get("previously_affected_locations"))
    products = [text_of(product.get("title")) for product in dicts_in(incident.get("affected_products"))]
    status_impact = text_of(incident.get("status_impact"))
    return Item(
        kind=ItemKind.STATUS,
        external_id=incident_id or stable_id(title, begin),
        title=title or "(no title)",
        url=STATUS_PAGE + uri.lstrip("/") if uri else "",
        published_at=parse_time(incident.get("created")) or begin,
        updated_at=parse_time(incident.get("modified")),
        categories=(status_impact,) if status_impact else (),
        vendor_incident_id=text_of(incident.get("number")) or incident_id,
        status=status,
        impact=text_of(incident.get("severity")),
        components=unique(products or [text_of(incident.get("service_name"))]),
        # Both the region's title and its id: people look for "Frankfurt" and for "europe-west3".
        locations=unique(text_of(region.get(key)) for region in regions for key in ("title", "id")),
        started_at=begin,
        resolved_at=end,
        updates=tuple(updates),
    )


def _update(update: dict) -> StatusUpdate | None:
    posted_at = parse_time(update.get("when")) or parse_time(update.get("created"))
    if posted_at is None:
        return None
    word = text_of(update.get("status"))
    return StatusUpdate(
        posted_at=posted_at,
        status=_UPDATE_STATUSES.get(word, VendorStatus.UPDATE),
        text=text_of(update.get("text")),
        vendor_status=word,
    )


# Google's impact words on the one scale; "service information" (a notice about a problem, in its own
# colour on Google's page) is the mildest problem the scale has.
_IMPACT_STATES = {
    "SERVICE_OUTAGE": ComponentState.MAJOR_OUTAGE,
    "SERVICE_DISRUPTION": ComponentState.PARTIAL_OUTAGE,
    "SERVICE_INFORMATION": ComponentState.DEGRADED,
}


def components(body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    data = load_json(body)
    if not isinstance(data, list):
        return None
    affected = (
        Component(key=text_of(product.get("id")) or name, name=name, label=impact,
                  state=_IMPACT_STATES.get(impact, ComponentState.UNKNOWN))
        for incident in require_objects(data, "the array", "a Google Cloud incidents.json")
        if not parse_time(incident.get("end"))
        for impact in [text_of(incident.get("status_impact"))]
        for product in dicts_in(incident.get("affected_products"))
        if (name := text_of(product.get("title")))
    )
    return affected_only_page(affected, calm_label="AVAILABLE")


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    data = json_or_none(body)
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return 0
    first = data[0]
    if "external_desc" in first or "service_key" in first or text_of(first.get("uri")).startswith("incidents/"):
        return 95
    return 0
