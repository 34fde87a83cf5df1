"""The OpenAPI document describes the API as it answers: every endpoint's real responses, errors
included, validate against the document's schemas (jsonschema, Draft 2020-12 as OpenAPI 3.1 says)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone
from jsonschema import Draft202012Validator

from incidents.api import openapi
from incidents.models import Incident
from tests.factories import IncidentFactory, ServiceFactory, SourceFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def validate(document: dict, schema_name: str, body: dict) -> None:
    """Raise ValidationError unless `body` is a `schema_name` of the document."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)


def answer_schema(document: dict, path: str, status: int) -> str:
    response = document["paths"][path]["get"]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_the_document_is_openapi_3_1_and_its_schemas_are_valid_json_schema(document):
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "http://testserver"}]
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = {value for value in _walk(document) if isinstance(value, str) and value.startswith("#/components/")}
    assert refs and all(ref.rsplit("/", 1)[-1] in document["components"]["schemas"] for ref in refs)


def test_every_api_url_is_in_the_document_and_every_path_parameter_is_declared(document):
    api = get_resolver().url_patterns
    routes = {f"/api/{pattern.pattern}" for entry in api if str(entry.pattern) == "api/"
              for pattern in entry.url_patterns}
    described = {path.replace("{ref}", "<slug:ref>").replace("{slug}", "<slug:slug>") for path in document["paths"]}
    assert routes - {"/api/"} == described
    for path, operations in document["paths"].items():
        declared = {p["name"] for p in operations["get"]["parameters"] if p["in"] == "path"}
        assert declared == {part[1:-1] for part in path.split("/") if part.startswith("{")}, path


def test_real_answers_of_every_endpoint_validate_against_the_document(client, document, full_incident):
    live = IncidentFactory(vendor=full_incident["vendor"], services=[full_incident["service"]],
                           last_activity_at=timezone.now(), status_count=1, vendor_severity="Incident")
    SourceFactory(name="Microsoft status", kind="statuspage", vendor_name="Microsoft", health="failing",
                  last_fetch_at=timezone.now(), page_state="degraded")
    IncidentFactory(vendor=None, subject="Fortnite", started_at=live.started_at - timedelta(days=1))
    checked = {
        "/api/v1/incidents": "/api/v1/incidents?limit=2",
        "/api/v1/incidents/{ref}": f"/api/v1/incidents/{full_incident['incident'].slug}",
        "/api/v1/vendors": "/api/v1/vendors",
        "/api/v1/vendors/{slug}": "/api/v1/vendors/microsoft-test",
        "/api/v1/services": "/api/v1/services",
        "/api/v1/status": "/api/v1/status",
    }
    for path, url in checked.items():
        response = client.get(url)
        assert response.status_code == 200, url
        validate(document, answer_schema(document, path, 200), response.json())
    page = client.get("/api/v1/incidents?limit=2").json()
    assert page["next"] and page["incidents"][0]["vendor"]
    assert any(item["vendor"] is None for item in client.get("/api/v1/incidents").json()["incidents"])
    # The simplest incident too: no summary, no vendor, nothing acknowledged.
    bare = IncidentFactory(vendor=None, status=Incident.Status.REPORTED, severity=0)
    validate(document, "IncidentDetail", client.get(f"/api/v1/incidents/{bare.slug}").json())
    validate(document, "ServiceList", client.get("/api/v1/services?vendor=microsoft-test").json())
    ServiceFactory(vendor=VendorFactory(slug="x-t"))
    validate(document, "StatusBoard", client.get("/api/v1/status?v=microsoft-test").json())


def test_error_answers_validate_against_the_document(client, document, settings):
    for url, status in (("/api/v1/incidents?severity=nope", 400), ("/api/v1/incidents/2026-01-01-none", 404),
                        ("/api/v1/vendors/none", 404), ("/api/v1/status?v=no-such", 400)):
        response = client.get(url)
        assert response.status_code == status, url
        validate(document, "Error", response.json())
    settings.OUTAGEHUB_API_RATE = "1/min"
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    client.get("/api/v1/vendors", headers={"x-forwarded-for": address})
    refused = client.get("/api/v1/vendors", headers={"x-forwarded-for": address})
    assert refused.status_code == 429
    validate(document, answer_schema(document, "/api/v1/vendors", 429), refused.json())


def test_a_field_the_document_does_not_describe_fails_validation(document, client, full_incident):
    """The schemas are closed: this is what makes the test above catch a field added without its description."""
    body = client.get(f"/api/v1/incidents/{full_incident['incident'].slug}").json()
    with pytest.raises(Exception, match="Additional properties"):
        validate(document, "IncidentDetail", {**body, "undocumented": 1})


def test_the_docs_rows_name_each_parameter_and_schema_field_in_words():
    document = openapi.document("https://outagehub.example")
    rows = {row["path"]: row for row in openapi.endpoints(document)}
    limit = next(p for p in rows["/api/v1/incidents"]["parameters"] if p["name"] == "limit")
    assert limit["type"] == "integer 1 to 200, default 50" and limit["where"] == "query"
    schemas = {row["name"]: row for row in openapi.schema_rows(document)}
    fields = {field["name"]: field["type"] for field in schemas["IncidentDetail"]["fields"]}
    assert fields["summary"] == "Summary or null" and fields["sources"] == "list of Source"
    assert fields["resolved_at"] == "string or null (date-time)"


def _walk(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)
    else:
        yield value
