from datetime import UTC, datetime

import pytest

from articles.adapters import slack
from articles.items import AdapterError, ComponentState, ItemKind, VendorStatus

from . import read_fixture


def test_it_reads_the_active_incidents_of_the_current_status():
    first, second = slack.parse(read_fixture("slack/slack-status-v2-current-active-2020-07-30.json"))

    assert first.kind == ItemKind.STATUS
    assert first.external_id == first.vendor_incident_id == "878"
    assert first.title == "We are investigating an issue with notification settings"
    assert first.url == "https://status.slack.com/2020-07/ea58a170d343b2ad"
    assert first.status == VendorStatus.INVESTIGATING
    assert first.impact == "incident"
    assert first.components == ("Notifications",)
    assert first.published_at == first.started_at == datetime(2020, 7, 30, 22, 12, 34, tzinfo=UTC)
    assert first.resolved_at is None
    assert second.components == ("Apps/Integrations/APIs",)


def test_notes_become_updates():
    first, _ = slack.parse(read_fixture("slack/slack-status-v2-current-active-2020-07-30.json"))

    [update] = first.updates
    assert update.posted_at == datetime(2020, 7, 30, 22, 12, 34, tzinfo=UTC)
    assert update.status == VendorStatus.INVESTIGATING
    assert update.text.startswith("Some users might notice that their notifications settings for mobile")


def test_it_reads_the_history_array_with_notes_oldest_first():
    resolved, outage, notice = slack.parse(read_fixture("synthetic/slack-status-v2-history-synthetic.json"))

    assert resolved.status == VendorStatus.RESOLVED
    assert resolved.resolved_at == datetime(2020, 8, 12, 18, 2, 45, tzinfo=UTC)
    assert [update.status for update in resolved.updates] == [
        VendorStatus.INVESTIGATING, VendorStatus.UPDATE, VendorStatus.RESOLVED,
    ]
    assert resolved.updates[1].html == (
        "We've identified the cause and are rolling out a fix.<br />"
        "Some users may still see spinning loaders in channels."
    )
    assert resolved.components == ("Messaging", "Connectivity")
    assert (outage.impact, notice.impact) == ("outage", "notice")
    assert notice.status == VendorStatus.INVESTIGATING


def test_an_empty_history_has_no_items():
    assert slack.parse(b"[]") == []


def test_incidents_with_missing_fields_still_give_items():
    bare, odd = slack.parse(b'{"status": "active", "active_incidents": [{}, {"id": 5, "services": "x", "notes": [1]}]}')

    assert bare.title == "(no title)" and bare.status == VendorStatus.UPDATE
    assert odd.components == () and odd.updates == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"status": "ok"}', "expected an object with 'active_incidents' or an array of incidents"),
        (b"{", "not JSON"),
        (b"", "the body is empty"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        slack.parse(body)


# --- components ----------------------------------------------------------------------------------


def test_the_services_active_incidents_name_are_its_components_in_the_incidents_state():
    page = slack.components(read_fixture("slack/slack-status-v2-current-active-2020-07-30.json"))

    assert page.complete is False  # Slack names only the affected services
    assert [(c.name, c.state, c.label) for c in page.components] == [
        ("Notifications", ComponentState.PARTIAL_OUTAGE, "incident"),
        ("Apps/Integrations/APIs", ComponentState.PARTIAL_OUTAGE, "incident"),
    ]
    assert (page.state, page.label) == (ComponentState.PARTIAL_OUTAGE, "active")


def test_a_calm_page_is_operational_a_broken_one_a_major_outage_and_history_says_nothing_of_now():
    calm = slack.components(b'{"status": "ok", "active_incidents": []}')
    assert (calm.state, calm.label, calm.components) == (ComponentState.OPERATIONAL, "ok", ())
    broken = slack.components(b'{"status": "broken", "active_incidents": []}')
    assert broken.state == ComponentState.MAJOR_OUTAGE
    assert slack.components(read_fixture("synthetic/slack-status-v2-history-synthetic.json")) is None
