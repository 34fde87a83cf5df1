import json
from datetime import UTC, datetime

import pytest

from articles.adapters import gcp
from articles.items import AdapterError, ComponentState, ItemKind, VendorStatus

from . import read_fixture


@pytest.fixture(scope="module")
def incidents() -> dict:
    items = gcp.parse(read_fixture("gcp/gcp-status-incidents-2022-07-03.json"))
    return {item.external_id: item for item in items}


def test_it_reads_every_incident_of_the_history(incidents):
    assert len(incidents) == 157
    assert all(item.kind == ItemKind.STATUS for item in incidents.values())


def test_it_maps_an_incident_to_an_item(incidents):
    item = incidents["TaA75H7XA1DQyM2ReK2f"]

    assert item.title == "[Google BigQuery] Lower throughput from the Read API"
    assert item.url == "https://status.cloud.google.com/incidents/TaA75H7XA1DQyM2ReK2f"
    assert item.vendor_incident_id == "15267780622191605299"
    assert item.started_at == datetime(2022, 7, 1, 13, 37, 44, tzinfo=UTC)
    assert item.published_at == datetime(2022, 7, 1, 14, 5, 2, tzinfo=UTC)
    assert item.updated_at == item.resolved_at == datetime(2022, 7, 1, 19, 25, 45, tzinfo=UTC)
    assert item.status == VendorStatus.RESOLVED
    assert item.impact == "low"
    assert item.categories == ("SERVICE_INFORMATION",)
    assert item.components == ("Google BigQuery",)


def test_locations_carry_both_the_region_title_and_its_id(incidents):
    locations = incidents["TaA75H7XA1DQyM2ReK2f"].locations

    assert locations[:2] == ("Taiwan (asia-east1)", "asia-east1")
    assert "Frankfurt (europe-west3)" in locations and "europe-west3" in locations
    assert len(locations) == 58  # 29 regions


def test_updates_come_oldest_first_with_the_vendor_word_kept(incidents):
    updates = incidents["TaA75H7XA1DQyM2ReK2f"].updates

    assert len(updates) == 5
    assert [update.vendor_status for update in updates] == ["SERVICE_INFORMATION"] * 4 + ["AVAILABLE"]
    assert [update.status for update in updates] == [VendorStatus.UPDATE] * 4 + [VendorStatus.RESOLVED]
    assert updates[0].posted_at == datetime(2022, 7, 1, 14, 4, 53, tzinfo=UTC)
    assert updates[-1].text.startswith("The issue with Google BigQuery has been resolved for all affected users")


def test_an_incident_with_an_end_is_resolved_even_when_a_summary_was_posted_after_it(incidents):
    item = incidents["NJJp8jkNzFStMyiJZWWD"]

    assert item.updates[-1].vendor_status == "SERVICE_DISRUPTION"
    assert item.updates[-1].posted_at > item.resolved_at
    assert item.status == VendorStatus.RESOLVED


def test_a_multi_product_incident_lists_every_product(incidents):
    title = "us-east1: Elevated errors affecting multiple services."
    item = next(item for item in incidents.values() if item.title == title)

    assert item.components[:3] == ("Google BigQuery", "Apigee", "Cloud Filestore")
    assert item.impact == "medium"


def test_an_ongoing_incident_has_no_resolution_time_and_the_newest_update_status():
    body = json.dumps([{
        "id": "abc", "number": "42", "begin": "2024-01-02T03:04:05+00:00", "modified": "2024-01-02T04:00:00+00:00",
        "external_desc": "Cloud SQL errors", "severity": "medium", "status_impact": "SERVICE_OUTAGE",
        "affected_products": [{"title": "Cloud SQL", "id": "x"}],
        "currently_affected_locations": [{"title": "Frankfurt (europe-west3)", "id": "europe-west3"}],
        "updates": [{"when": "2024-01-02T03:10:00+00:00", "status": "SERVICE_OUTAGE", "text": "Investigating."}],
    }]).encode()

    [item] = gcp.parse(body)

    assert item.resolved_at is None
    assert item.status == VendorStatus.INVESTIGATING
    assert item.locations == ("Frankfurt (europe-west3)", "europe-west3")
    assert item.url == "https://status.cloud.google.com/incidents/abc"


def test_incidents_with_missing_fields_still_give_items():
    first, second = gcp.parse(b'[{}, {"id": "x", "updates": [{"status": "AVAILABLE"}], "affected_products": 3}]')

    assert first.title == "(no title)" and first.status is None
    assert second.updates == () and second.components == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"incidents": []}', "expected a JSON array of incidents"),
        (b"[{", "not JSON"),
        (b"", "the body is empty"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        gcp.parse(body)


# --- components ----------------------------------------------------------------------------------


def test_with_every_incident_ended_the_page_is_available_and_names_no_component():
    page = gcp.components(read_fixture("gcp/gcp-status-incidents-2022-07-03.json"))

    assert (page.state, page.label, page.components, page.complete) == (
        ComponentState.OPERATIONAL, "AVAILABLE", (), False)


def test_the_products_of_open_incidents_are_components_in_the_worst_incidents_state():
    incidents = json.loads(read_fixture("gcp/gcp-status-incidents-2022-07-03.json"))
    outage = {**incidents[0], "end": None, "status_impact": "SERVICE_OUTAGE"}  # the recorded incident, reopened
    notice = {**incidents[1], "end": None, "affected_products": incidents[0]["affected_products"]}
    page = gcp.components(json.dumps([notice, outage, *incidents[2:]]).encode())

    product = incidents[0]["affected_products"][0]
    assert [(c.key, c.name, c.state, c.label) for c in page.components] == [
        (product["id"], product["title"], ComponentState.MAJOR_OUTAGE, "SERVICE_OUTAGE")]
    assert (page.state, page.label) == (ComponentState.MAJOR_OUTAGE, "")
