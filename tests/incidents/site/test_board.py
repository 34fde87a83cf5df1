from datetime import UTC, datetime

from articles.items import ComponentState
from incidents.site.board import LiveIncident, StatusSource, board_rows

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
VENDORS = [("github", "GitHub"), ("slack", "Slack"), ("azure", "Microsoft Azure")]


def source(vendor: str, state: str = "", health: str = "ok", label: str = "") -> StatusSource:
    return StatusSource(f"{vendor} status", vendor, health, NOW, "timed out" if health == "failing" else "", state,
                        label, NOW if state else None)


def incident(vendor: str, outlets: int, posted: bool = False, severity: int = 3) -> LiveIncident:
    return LiveIncident(f"{vendor.lower()}-down", f"{vendor} is down", vendor, severity, posted, outlets, NOW)


def rows(sources, live) -> dict:
    return {row.name: row for row in board_rows(VENDORS, sources, live)}


def test_a_green_page_while_two_outlets_report_an_outage_is_flagged_one_outlet_is_not():
    board = rows([source("GitHub", "operational"), source("Slack", "operational")],
                 [incident("GitHub", outlets=2), incident("Slack", outlets=1)])

    assert board["GitHub"].disagree and board["GitHub"].press_reports
    assert not board["Slack"].disagree and board["Slack"].press_reports
    assert next(iter(board)) == "GitHub"  # the rows in trouble first


def test_the_own_state_is_the_worst_page_state_or_a_posted_incident():
    board = rows([source("GitHub", "degraded", label="Partially Degraded Service"), source("Slack", "operational")],
                 [incident("Slack", outlets=3, posted=True, severity=4)])

    assert (board["GitHub"].own_state, board["GitHub"].own_words) == (
        ComponentState.DEGRADED, "GitHub status: Partially Degraded Service")
    assert board["Slack"].own_state == ComponentState.MAJOR_OUTAGE
    assert not board["Slack"].disagree  # the vendor says so itself
    assert not board["Slack"].press_reports


def test_a_page_without_component_states_is_operational_when_read_and_unknown_when_failing_or_absent():
    board = rows([source("Microsoft Azure"), source("GitHub", health="failing")], [])

    assert board["Microsoft Azure"].own_state == ComponentState.OPERATIONAL
    assert board["GitHub"].own_state == ComponentState.UNKNOWN
    assert [s.last_error for s in board["GitHub"].failing] == ["timed out"]
    assert (board["Slack"].own_state, board["Slack"].own_words) == (
        ComponentState.UNKNOWN, "no status page of it is read here")


def test_a_live_incident_of_a_subject_outside_the_catalogue_has_a_row_of_its_own():
    board = rows([], [incident("Roblox", outlets=2)])

    assert board["Roblox"].slug == ""
    assert board["Roblox"].press_outlets == 2 and not board["Roblox"].disagree  # no page of it says green


def test_a_status_source_of_a_vendor_the_catalogue_does_not_know_has_a_row_of_its_own():
    board = rows([source("Atlassian Jira", "major_outage")], [])

    assert (board["Atlassian Jira"].slug, board["Atlassian Jira"].own_state) == ("", ComponentState.MAJOR_OUTAGE)
