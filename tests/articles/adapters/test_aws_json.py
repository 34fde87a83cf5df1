import json
from datetime import UTC, datetime

import pytest

from articles.adapters import aws_json
from articles.items import AdapterError, ComponentState, ItemKind, VendorStatus

from . import read_fixture

CURRENT_EVENTS = "synthetic/aws-health-currentevents-synthetic.json"


@pytest.fixture(scope="module")
def legacy() -> dict:
    items = aws_json.parse(read_fixture("aws/aws-status-legacy-data-json-2022-07.json"))
    return {item.external_id: item for item in items}


@pytest.fixture(scope="module")
def current() -> dict:
    return {item.external_id: item for item in aws_json.parse(read_fixture(CURRENT_EVENTS))}


def test_it_reads_every_event_of_the_legacy_data_json(legacy):
    assert len(legacy) == 86
    assert all(item.kind == ItemKind.STATUS and item.status == VendorStatus.RESOLVED for item in legacy.values())


def test_a_legacy_event_is_identified_by_its_service_and_start_and_links_to_the_dashboard(legacy):
    item = legacy["certificatemanager-us-east-1:1624993969"]

    assert item.title == "Increased API Error Rates and Latency"
    assert item.url_identifies is False
    assert item.url == "https://health.aws.amazon.com/health/status"
    assert item.impact == "service disruption"
    assert (item.components, item.locations) == (("certificatemanager",), ("us-east-1",))
    assert item.started_at == item.published_at == datetime(2021, 6, 29, 19, 12, 49, tzinfo=UTC)


def test_legacy_update_lines_become_updates_in_utc(legacy):
    item = legacy["certificatemanager-us-east-1:1624993969"]

    assert len(item.updates) == 10
    assert item.updates[0].posted_at == datetime(2021, 6, 29, 19, 12, tzinfo=UTC)  # "12:12 PM PDT"
    assert item.updates[0].text == "We are investigating increased API latency and error rates in the US-EAST-1 Region."
    assert item.updates[0].status == VendorStatus.INVESTIGATING
    assert item.updates[1].status == VendorStatus.UPDATE
    assert item.updates[-1].status == VendorStatus.RESOLVED
    assert item.resolved_at == item.updates[-1].posted_at == datetime(2021, 6, 30, 2, 46, tzinfo=UTC)


def test_legacy_lines_without_a_date_are_on_the_local_day_of_the_line_before(legacy):
    # " 6:08 PM PDT" on 6 August is already 7 August in UTC; "Aug 7,  1:50 AM PDT" names its day.
    item = legacy["dynamodb-us-east-1:1628298493"]

    assert [update.posted_at for update in item.updates][:2] == [
        datetime(2021, 8, 7, 1, 8, tzinfo=UTC),
        datetime(2021, 8, 7, 1, 32, tzinfo=UTC),
    ]
    assert item.updates[-2].posted_at == datetime(2021, 8, 7, 8, 50, tzinfo=UTC)
    assert item.updates[-1].posted_at == datetime(2021, 8, 7, 9, 53, tzinfo=UTC)


def test_it_decodes_the_utf_16_current_events(current):
    assert read_fixture(CURRENT_EVENTS)[:2] == b"\xff\xfe"
    assert len(current) == 3
    ec2 = current["ec2-us-east-1:1709647320"]
    assert "a subsystem responsible for capacity management \u2013 and" in ec2.updates[1].text


def test_an_open_current_event(current):
    item = current["ec2-us-east-1:1709647320"]

    assert item.title == "Increased API Error Rates"
    assert item.status == VendorStatus.INVESTIGATING
    assert item.impact == "service disruption"
    assert (item.components, item.locations) == (("ec2",), ("us-east-1", "N. Virginia"))
    assert item.started_at == datetime(2024, 3, 5, 14, 2, tzinfo=UTC)
    assert item.resolved_at is None
    assert [update.posted_at for update in item.updates] == [
        datetime(2024, 3, 5, 14, 2, tzinfo=UTC),
        datetime(2024, 3, 5, 14, 41, tzinfo=UTC),
        datetime(2024, 3, 5, 15, 20, tzinfo=UTC),
    ]
    assert [update.vendor_status for update in item.updates] == [
        "Performance issues", "Service disruption", "Service disruption",
    ]


def test_a_resolved_current_event_of_a_global_service(current):
    item = current["iam:1709586900"]

    assert item.title == "Increased Authentication Latency"
    assert item.status == VendorStatus.RESOLVED
    assert item.resolved_at == datetime(2024, 3, 4, 22, 4, tzinfo=UTC)
    assert (item.components, item.locations) == (("iam",), ("Global",))


def test_an_informational_current_event_is_an_update(current):
    item = current["lambda-ap-northeast-1:1709631000"]

    assert (item.status, item.impact) == (VendorStatus.UPDATE, "informational message")


def test_utf_8_with_a_byte_order_mark_reads_the_same():
    text = read_fixture(CURRENT_EVENTS).decode("utf-16")

    items = aws_json.parse(text.encode("utf-8-sig"))

    assert [item.external_id for item in items] == [item.external_id for item in aws_json.parse(text.encode())]


def test_an_empty_list_of_current_events_has_no_items():
    assert aws_json.parse("[]".encode("utf-16")) == []


def test_events_with_missing_fields_still_give_items():
    body = json.dumps([{}, {"service": "ec2-us-east-1", "date": "x", "event_log": [{"timestamp": "soon"}]}]).encode()

    empty, odd = aws_json.parse(body)

    assert empty.title == "(no title)" and empty.external_id.startswith("sha1:")
    assert odd.updates == () and odd.components == ("ec2",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"events": []}', "expected an array of events or an object with 'archive' and 'current'"),
        (b'"archive"', "expected an array of events"),
        ("[{".encode("utf-16"), "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        aws_json.parse(body)


# --- components ----------------------------------------------------------------------------------


def test_the_services_of_current_events_are_components_in_their_dashboard_state():
    page = aws_json.components(read_fixture(CURRENT_EVENTS))

    assert page.complete is False
    assert [(c.key, c.state, c.label) for c in page.components] == [
        ("ec2-us-east-1", ComponentState.MAJOR_OUTAGE, "Service disruption"),
        ("iam", ComponentState.OPERATIONAL, "Service is operating normally"),  # [RESOLVED]
        ("lambda-ap-northeast-1", ComponentState.DEGRADED, "Informational message"),
    ]
    assert page.components[0].name == "Amazon Elastic Compute Cloud (N. Virginia)"
    assert page.state == ComponentState.MAJOR_OUTAGE


def test_the_legacy_archive_is_the_past_so_an_empty_current_list_is_a_calm_page():
    page = aws_json.components(read_fixture("aws/aws-status-legacy-data-json-2022-07.json"))

    assert (page.state, page.label, page.components) == (
        ComponentState.OPERATIONAL, "Service is operating normally", ())
