import json
from datetime import UTC, datetime

import pytest

from articles.adapters import statuspage
from articles.items import AdapterError, ComponentState, ItemKind, VendorStatus

from . import read_fixture


def items_of(fixture: str) -> dict:
    return {item.external_id: item for item in statuspage.parse(read_fixture(f"statuspage/{fixture}"))}


def test_it_reads_the_incidents_and_maintenances_of_a_summary():
    items = items_of("twilio-summary-incidents-2020-06-16.json")

    assert len(items) == 11  # 2 open incidents + 9 scheduled maintenances
    incident = items["r0f0vdz8vrgm"]
    assert incident.kind == ItemKind.STATUS
    assert incident.vendor_incident_id == "r0f0vdz8vrgm"
    assert incident.title == "SMS Delivery Delays from Subset of Twilio Short Codes to US Sprint"
    assert incident.url == "http://stspg.io/xwv6rz0r1yll"
    assert incident.status == VendorStatus.MONITORING
    assert incident.impact == "minor"
    assert len(incident.components) == 4


def test_it_normalises_the_page_time_zone_offsets_to_utc():
    incident = items_of("twilio-summary-incidents-2020-06-16.json")["r0f0vdz8vrgm"]

    assert incident.published_at == datetime(2020, 6, 16, 13, 41, 44, 672000, tzinfo=UTC)  # 06:41:44.672-07:00
    assert incident.updated_at == datetime(2020, 6, 16, 19, 9, 47, 186000, tzinfo=UTC)
    assert incident.resolved_at is None


def test_it_gives_every_update_oldest_first_with_its_text_html_and_id():
    incident = items_of("twilio-summary-incidents-2020-06-16.json")["r0f0vdz8vrgm"]

    assert [update.status for update in incident.updates] == [VendorStatus.INVESTIGATING] * 4 + [
        VendorStatus.MONITORING
    ]
    first, last = incident.updates[0], incident.updates[-1]
    assert first.posted_at == datetime(2020, 6, 16, 13, 41, 44, 723000, tzinfo=UTC)
    assert first.text.startswith("Our monitoring systems have detected a potential issue.")
    assert last.external_id == "n9hk209qxd9c"
    assert last.vendor_status == "monitoring"


def test_a_scheduled_maintenance_starts_when_it_is_scheduled_for():
    maintenance = items_of("twilio-summary-incidents-2020-06-16.json")["9szb6ydlg10w"]

    assert maintenance.status == VendorStatus.SCHEDULED
    assert maintenance.impact == "maintenance"
    assert maintenance.started_at == datetime(2020, 6, 16, 23, 0, tzinfo=UTC)  # scheduled_for 16:00-07:00
    assert maintenance.published_at == datetime(2020, 6, 15, 16, 3, 51, 896000, tzinfo=UTC)
    assert maintenance.components == ("SMS, Europe",)


def test_an_in_progress_maintenance_maps_to_in_progress():
    [maintenance] = items_of("cloudamqp-summary-maintenance-2020-07-16.json").values()

    assert maintenance.title == "Upgrade of shared servers “jellyfish”, “wildboar”, and “reindeer”"
    assert maintenance.status == VendorStatus.IN_PROGRESS
    assert maintenance.components == ("Shared servers",)
    assert [update.status for update in maintenance.updates] == [VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS]


def test_backfilled_updates_are_dated_by_display_at_not_created_at():
    # Emma entered this June 2017 incident on 7 July 2017: created_at is the later date.
    incident = items_of("emma-incidents-2019-02-21-extracted.json")["3m89ls8svt0r"]

    assert len(incident.updates) == 8
    assert incident.updates[0].posted_at == datetime(2017, 6, 23, 13, 8, tzinfo=UTC)  # 08:08-05:00
    assert incident.updates[-1].posted_at == datetime(2017, 6, 23, 21, 41, tzinfo=UTC)
    assert incident.updates[-1].status == VendorStatus.RESOLVED
    assert incident.published_at == datetime(2017, 6, 23, 13, 8, tzinfo=UTC)  # no started_at: created_at


def test_the_no_components_placeholder_is_not_a_component():
    items = items_of("emma-incidents-2019-02-21-extracted.json")

    assert len(items) == 22
    assert items["3m89ls8svt0r"].components == ()
    assert all("No components were affected by this update." not in item.components for item in items.values())


def test_without_incident_components_it_names_the_components_the_updates_affected():
    # Emma's incidents.json has no incident-level components; updates list them, operational ones too.
    items = items_of("emma-incidents-2019-02-21-extracted.json")

    assert items["x9wt6q4wbbvn"].components == ("Web Application - Home", "Web Application - Email Editor")
    assert items["831gnl8mffp2"].components == ("Support Hub",)


def test_updates_shown_out_of_order_are_sorted_by_their_display_time():
    incident = items_of("emma-incidents-2019-02-21-extracted.json")["272vrysp78ds"]

    assert [(update.posted_at.strftime("%H:%M"), update.status) for update in incident.updates] == [
        ("21:45", VendorStatus.IDENTIFIED),
        ("21:52", VendorStatus.INVESTIGATING),
        ("21:53", VendorStatus.RESOLVED),
    ]
    assert incident.status == VendorStatus.RESOLVED


def test_it_reads_the_unresolved_incidents_shape_and_builds_the_url_from_the_page():
    body = json.dumps({
        "page": {"id": "abc", "name": "Example", "url": "https://status.example.com/", "time_zone": "Etc/UTC"},
        "incidents": [{
            "id": "k3j4h5", "name": "Login errors", "status": "identified", "impact": "major",
            "created_at": "2024-05-01T10:00:00.000Z", "started_at": "2024-05-01T09:55:00.000Z",
            "incident_updates": [{"id": "u1", "status": "identified", "body": "Found it.\nFixing.",
                                  "created_at": "2024-05-01T10:00:00.000Z", "display_at": None}],
        }],
    }).encode()

    [item] = statuspage.parse(body)

    assert item.url == "https://status.example.com/incidents/k3j4h5"
    assert item.published_at == datetime(2024, 5, 1, 9, 55, tzinfo=UTC)
    assert item.updates[0].posted_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # display_at null
    assert item.updates[0].text == "Found it.\nFixing."
    assert item.updates[0].html == "Found it.<br />Fixing."


def test_incidents_with_missing_or_odd_fields_still_give_items():
    # An incident that is no object at all is a broken payload: tests/hostile/test_adapter_shapes.py.
    body = json.dumps({"incidents": [{}, {"id": 7, "name": ["x"], "incident_updates": "none"}]}).encode()

    first, second = statuspage.parse(body)

    assert first.title == "(no title)" and first.external_id.startswith("sha1:") and first.status is None
    assert first.published_at is None and first.started_at is None and first.url == ""
    assert second.external_id == "7" and second.updates == ()


def test_a_stray_byte_that_is_not_utf_8_becomes_a_replacement_character_not_an_error():
    body = b'{"incidents": [{"id": "a1", "name": "Caf\xe9 checkout errors", "status": "resolved"}]}'

    [item] = statuspage.parse(body)

    assert item.title == "Caf\ufffd checkout errors"


def test_half_a_surrogate_pair_escaped_in_json_becomes_a_replacement_character():
    incident = {"id": "a1", "name": "Outage \ud83d", "incident_updates": [
        {"body": "<p>\ud83d</p>", "status": "investigating", "created_at": "2024-01-01T00:00:00Z"},
    ]}
    body = json.dumps({"incidents": [incident]}).encode()  # written as the escape "\\ud83d"

    [item] = statuspage.parse(body)

    assert item.title == "Outage \ufffd"
    assert item.updates[0].text == "\ufffd"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the body is empty"),
        (b'{"incidents": [', "not JSON: Expecting value at line 1 column 16"),
        (b"[]", "not a Statuspage API response: expected a JSON object, got an array"),
        (b'{"status": {"indicator": "none"}}', "it has no 'incidents', 'scheduled_maintenances' or 'components'"),
        (b"<html><body>Our status</body></html>", "not JSON: the body is an HTML page"),
        (b'{"incidents": []}\xff', "not JSON: Extra data at line 1 column 18"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        statuspage.parse(body)


# --- components ----------------------------------------------------------------------------------


def test_a_summary_gives_every_component_with_its_state_its_group_and_the_page_indicator():
    page = statuspage.components(read_fixture("statuspage/twilio-summary-incidents-2020-06-16.json"))

    assert page.complete is True
    assert (page.state, page.label) == (ComponentState.DEGRADED, "Partially Degraded Service")  # indicator minor
    assert len(page.components) == 65  # 73 rows, 8 of them groups: a group only sums up its members
    assert "PROGRAMMABLE MESSAGING" not in {c.name for c in page.components}
    mms = next(c for c in page.components if c.name == "MMS")
    assert (mms.key, mms.group, mms.state, mms.label) == (
        "d1j2nx64rpq3", "PROGRAMMABLE MESSAGING", ComponentState.DEGRADED, "degraded_performance")
    assert sum(c.state == ComponentState.DEGRADED for c in page.components) == 4
    assert all(c.state == ComponentState.OPERATIONAL for c in page.components if c.label == "operational")


def test_a_component_under_maintenance_and_the_maintenance_indicator():
    page = statuspage.components(read_fixture("statuspage/cloudamqp-summary-maintenance-2020-07-16.json"))

    assert (page.state, page.label) == (ComponentState.MAINTENANCE, "Service Under Maintenance")
    shared = page.components[0]
    assert (shared.name, shared.state, shared.label, shared.group) == (
        "Shared servers", ComponentState.MAINTENANCE, "under_maintenance", "")


def test_components_json_has_no_incidents_and_no_indicator_so_the_worst_component_is_the_page():
    summary = json.loads(read_fixture("statuspage/twilio-summary-incidents-2020-06-16.json"))
    body = json.dumps({"page": summary["page"], "components": summary["components"]}).encode()

    assert statuspage.parse(body) == []
    page = statuspage.components(body)
    assert (page.state, page.label, len(page.components)) == (ComponentState.DEGRADED, "", 65)
    assert statuspage.sniff(body) == 95


def test_incidents_json_publishes_no_components():
    assert statuspage.components(read_fixture("statuspage/emma-incidents-2019-02-21-extracted.json")) is None


def test_a_state_word_we_do_not_know_is_unknown_with_the_word_kept():
    body = json.dumps({"components": [{"id": "a", "name": "API", "status": "on_fire", "group": False}]}).encode()

    component = statuspage.components(body).components[0]
    assert (component.state, component.label) == (ComponentState.UNKNOWN, "on_fire")


def test_components_that_are_not_a_list_are_a_readable_error():
    with pytest.raises(AdapterError, match="'components' is a string"):
        statuspage.components(b'{"components": "x"}')
