from datetime import UTC, datetime

import pytest

from articles.adapters import statusio
from articles.items import AdapterError, ComponentState, ItemKind, VendorStatus

from . import read_fixture

GITLAB_API = "https://api.status.io/1.0/status/5b36dc6502d06804c0834a07"


def test_an_open_incident_with_its_impact_components_and_locations():
    [item] = statusio.parse(read_fixture("statusio/docker-statusio-public-status-partial-2020-07-16.json"))

    assert item.kind == ItemKind.STATUS
    assert item.external_id == item.vendor_incident_id == "5f108cc06e9c9104c0553a46"
    assert item.title == "Docker Hub automated builds issue"
    assert item.status == VendorStatus.INVESTIGATING
    assert item.impact == "partial service disruption"
    assert item.components == ("Docker Hub Automated Builds",)
    assert item.locations == ("AWS",)
    assert item.published_at == item.started_at == datetime(2020, 7, 16, 17, 22, 8, 325000, tzinfo=UTC)
    assert item.url == ""  # no page id without the API URL
    [update] = item.updates
    assert update.text == "We are investigating reports of automated builds getting stuck or not getting triggered."


def test_the_page_id_in_the_api_url_gives_the_incident_and_maintenance_links():
    incident, maintenance = statusio.parse(
        read_fixture("statusio/gitlab-statusio-public-status-maintenance-2020-09-05.json"), url=GITLAB_API
    )

    assert incident.url == "https://status.io/pages/incident/5b36dc6502d06804c0834a07/5f52b8074ef75804bc7d2c3e"
    assert maintenance.url == "https://status.io/pages/maintenance/5b36dc6502d06804c0834a07/5f4e8b7f2250a004bc3453da"


def test_an_active_maintenance_maps_its_message_states_to_maintenance_statuses():
    incident, maintenance = statusio.parse(
        read_fixture("statusio/gitlab-statusio-public-status-maintenance-2020-09-05.json"), url=GITLAB_API
    )

    assert incident.title == "500 Error - User Notification Settings"
    assert incident.status == VendorStatus.IDENTIFIED
    assert maintenance.title == "Maintenance on dashboards.gitlab.com"
    assert [update.status for update in maintenance.updates] == [VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS]
    assert maintenance.status == VendorStatus.IN_PROGRESS
    assert maintenance.impact == "maintenance"
    assert maintenance.started_at == datetime(2020, 9, 2, 17, 55, tzinfo=UTC)
    assert maintenance.updates[1].text == (
        "We are currently performing maintenance on dashboards.gitlab.com.\n"
        "The public dashboards will be unavailable during this time.\nAll other systems are operational."
    )


def test_a_security_issue_is_its_own_impact():
    [item] = statusio.parse(read_fixture("statusio/gitlab-statusio-public-status-security-2020-02-09.json"))

    assert item.impact == "security issue"
    assert item.title == "https://gitlab.com/gitlab-com/gl-infra/production/issues/1635"  # GitLab's own naming
    assert item.components == ("Website", "API", "Git (ssh and https)", "Registry", "CI/CD")
    assert [update.posted_at for update in item.updates] == [
        datetime(2020, 2, 7, 15, 51, 25, 269000, tzinfo=UTC),
        datetime(2020, 2, 9, 18, 42, 33, 493000, tzinfo=UTC),
    ]


def test_an_upcoming_maintenance_without_messages_is_scheduled():
    body = b"""{"result": {"status_overall": {"status_code": 100}, "incidents": [],
        "maintenance": {"active": [], "upcoming": [{"_id": "m1", "name": "Database upgrade",
        "datetime_open": "2024-01-01T00:00:00Z", "datetime_planned_start": "2024-01-05T02:00:00Z",
        "messages": []}]}}}"""

    [item] = statusio.parse(body)

    assert item.status == VendorStatus.SCHEDULED
    assert item.started_at == datetime(2024, 1, 5, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"result": {}}', "it has no 'result' with incidents or maintenance"),
        (b'{"status": "ok"}', "it has no 'result'"),
        (b"[1, 2]", "expected a JSON object, got an array"),
        (b'{"result": ', "not JSON"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        statusio.parse(body)


# --- components ----------------------------------------------------------------------------------


def test_every_component_has_its_state_and_the_page_its_overall_status():
    page = statusio.components(read_fixture("statusio/docker-statusio-public-status-partial-2020-07-16.json"))

    assert page.complete is True
    assert (page.state, page.label) == (ComponentState.PARTIAL_OUTAGE, "Partial Service Disruption")
    assert len(page.components) == 8
    builds = next(c for c in page.components if c.name == "Docker Hub Automated Builds")
    assert (builds.state, builds.label) == (ComponentState.PARTIAL_OUTAGE, "Partial Service Disruption")
    assert [c.name for c in page.components if c.state == ComponentState.OPERATIONAL] == [
        c.name for c in page.components if c.label == "Operational"]


def test_planned_maintenance_is_maintenance():
    page = statusio.components(read_fixture("statusio/gitlab-statusio-public-status-maintenance-2020-09-05.json"))

    assert (page.state, page.label) == (ComponentState.MAINTENANCE, "Planned Maintenance")
    assert [c.name for c in page.components if c.state == ComponentState.MAINTENANCE] == ["dashboards.gitlab.com"]
