from datetime import UTC, datetime

import pytest

from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_BODY_CHARS, extract
from incidents.extraction.identifiers import find_incident_ids

CATALOGUE = Catalogue.load_default()
PUBLISHED = datetime(2025, 11, 18, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Users can't send mail; see MO502273 in the admin center.", ["MO502273"]),
        ("Exchange Online incident EX1234567 and Teams incident TM123456", ["EX1234567", "TM123456"]),
        ("SP123456, OD123456, DZ123456, CP123456, IT1234567, PB123456, YA123456", [
            "SP123456", "OD123456", "DZ123456", "CP123456", "IT1234567", "PB123456", "YA123456"]),
        ("Message center post MC884015 describes the change.", ["MC884015"]),
        ("(EX1234567)", ["EX1234567"]),
    ],
)
def test_it_finds_microsoft_365_service_health_ids(text, ids):
    assert find_incident_ids(text) == ids


@pytest.mark.parametrize(
    "text",
    [
        "Windows Server 2019 SP1 and Exchange EX2019",  # service packs and product names
        "TM-1000 and MO50227",  # hyphen; five digits
        "certified to ISO9001 and ISO27001",  # standards
        "Call +1 800 555 0100 or 2024",  # phone numbers, years
        "EX12345678 is eight digits",  # too long
        "ex1234567 in lower case",
        "AB123456 is not a Microsoft prefix",
    ],
)
def test_it_ignores_things_that_look_like_microsoft_ids(text):
    assert find_incident_ids(text) == []


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # GitHub status and Google Cloud, as recorded in ../shared/eval
        ("https://www.githubstatus.com/incidents/5jfkz8q1mlql", ["5jfkz8q1mlql"]),
        ("see githubstatus.com/incidents/5jfkz8q1mlql for updates", ["5jfkz8q1mlql"]),
        ("https://status.cloud.google.com/incidents/TaA75H7XA1DQyM2ReK2f", ["TaA75H7XA1DQyM2ReK2f"]),
        ("https://www.cloudflarestatus.com/incidents/8gmgl950y3h7.", ["8gmgl950y3h7"]),
        ("https://status.openai.com/incidents/01JMYB4F0V5T3QEXAMPLE0ABCD", ["01JMYB4F0V5T3QEXAMPLE0ABCD"]),
        ("https://example.com/incidents/5jfkz8q1mlql", []),  # not a status site
        ("https://www.githubstatus.com/incidents/short", []),
    ],
)
def test_it_finds_ids_in_status_page_incident_urls(text, ids):
    assert find_incident_ids(text) == ids


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Tracking ID: VS0V-PZ8", ["VS0V-PZ8"]),
        ("Summary of impact (Tracking ID 1VWB-V8G): between 21:00 and 22:00 UTC", ["1VWB-V8G"]),
        ("https://azure.status.microsoft/en-us/status/history/?trackingId=VS0V-PZ8", ["VS0V-PZ8"]),
        ("VS0V-PZ8 without its label", []),
    ],
)
def test_it_finds_azure_tracking_ids(text, ids):
    assert find_incident_ids(text) == ids


def test_it_finds_aws_health_event_arns():
    arn = "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_ABC12_XYZ"
    assert find_incident_ids(f"Event {arn}.") == [arn]


def test_ids_are_unique_and_in_order_of_first_appearance():
    text = "TM123456 first, then https://www.githubstatus.com/incidents/5jfkz8q1mlql, then TM123456 again, EX1234567"
    assert find_incident_ids(text) == ["TM123456", "5jfkz8q1mlql", "EX1234567"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Microsoft 365 outage",  # a title only
        "Störung EX1234567 bei Exchange Online; 障害 TM123456 が発生",
        "Exchange&nbsp;EX1234567<br>see <a href=\"https://www.githubstatus.com/incidents/5jfkz8q1mlql\">status</a>",
    ],
)
def test_bad_input_gives_a_sane_answer(text):
    ids = find_incident_ids(text)
    assert all(identifier in text for identifier in ids)
    assert len(ids) == len(set(ids))


def test_html_and_other_languages_keep_their_ids():
    assert find_incident_ids("Störung EX1234567 bei Exchange; 障害 TM123456 が発生") == ["EX1234567", "TM123456"]
    html = 'EX1234567<br><a href="https://www.githubstatus.com/incidents/5jfkz8q1mlql">status</a>'
    assert find_incident_ids(html) == ["EX1234567", "5jfkz8q1mlql"]


def test_a_megabyte_body_is_read_only_up_to_the_extraction_bound():
    # The finders are given what extract reads: at most MAX_BODY_CHARS of the body, whatever its size.
    report = "Exchange Online incident EX1234567 delays mail. "
    past_the_bound = "Teams incident TM123456 followed."
    body = report * (1_000_000 // len(report)) + past_the_bound
    facts = extract("Exchange Online outage", body, PUBLISHED, CATALOGUE)
    assert facts == extract("Exchange Online outage", body[:MAX_BODY_CHARS], PUBLISHED, CATALOGUE)
    assert facts.incident_ids == ("EX1234567",)
    assert find_incident_ids(past_the_bound) == ["TM123456"]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("a." * 100_000, []),  # a host name that never ends
        ("status.example.com/" * 10_000 + "incidents/5jfkz8q1mlql", ["5jfkz8q1mlql"]),
        ("EX" + "1" * 500_000, []),
        ("Tracking ID: " * 10_000, []),
        ("1.2.3.4." * 20_000, []),
    ],
    ids=["endless-host", "endless-path", "endless-digits", "labels-without-ids", "digits-and-dots"],
)
def test_hostile_input_gives_a_sane_answer(text, ids):
    assert find_incident_ids(text) == ids
