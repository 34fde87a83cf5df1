"""Issue 11, finding 9c: `"incidents": "x"` was a healthy page with no incidents. A JSON adapter
whose list of incidents (events, maintenances) is no array, or holds anything but objects, raises
its AdapterError, which says what is wrong; the poll records it as the source's error."""

from pathlib import Path

import pytest

from articles.adapters import parse_payload
from articles.items import AdapterError

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"

CASES = [
    ("statuspage-incidents-not-a-list.json", "statuspage",
     "not a Statuspage API response: 'incidents' is a string, expected an array of objects"),
    ("statuspage-incident-not-an-object.json", "statuspage",
     "not a Statuspage API response: item 2 of 'incidents' is a string, expected an object"),
    ("statuspage-maintenances-not-a-list.json", "statuspage",
     "not a Statuspage API response: 'scheduled_maintenances' is an object, expected an array of objects"),
    ("gcp-incident-not-an-object.json", "gcp",
     "not a Google Cloud incidents.json: item 2 of the array is a string, expected an object"),
    ("aws-json-event-not-an-object.json", "aws_json",
     "not AWS Health Dashboard JSON: item 2 of the array is a number, expected an object"),
    ("aws-json-legacy-current-not-a-list.json", "aws_json",
     "not AWS Health Dashboard JSON: 'current' is a string, expected an array of objects"),
    ("slack-active-incidents-not-a-list.json", "slack",
     "not a Slack status API response: 'active_incidents' is a string, expected an array of objects"),
    ("slack-history-incident-not-an-object.json", "slack",
     "not a Slack status API response: item 2 of the array is null, expected an object"),
    ("statusio-incidents-not-a-list.json", "statusio",
     "not a status.io status response: 'incidents' is a string, expected an array of objects"),
    ("statusio-maintenance-not-an-object.json", "statusio",
     "not a status.io status response: 'maintenance' is an array, expected an object"),
]


@pytest.mark.parametrize(("name", "kind", "message"), CASES, ids=[case[0] for case in CASES])
def test_a_list_of_the_wrong_shape_is_a_format_error_not_an_empty_page(name, kind, message):
    with pytest.raises(AdapterError) as error:
        parse_payload(kind, (CORPUS / name).read_bytes())
    assert str(error.value) == message
