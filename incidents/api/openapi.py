"""The OpenAPI 3.1 document of the JSON API (served at /api/v1/openapi.json, drawn for people at
/api/), and the plain rows the docs page shows. Pure.

The schemas are JSON Schema 2020-12, closed (additionalProperties: false, every property
required): the tests validate every endpoint's real answers against them, so a field added to
serialise.py and not described here fails there.
"""

from articles.items import ComponentState
from incidents.site.feed_params import DEFAULT_LIMIT, MAX_LIMIT
from incidents.site.filters import SEVERITIES, STATUSES

from .params import DEFAULT_ORDER, ORDERS
from .serialise import SEVERITY_WORDS

VERSION = "1.0.0"
STATES = [state.value for state in ComponentState]


def _text(description: str = "") -> dict:
    return {"type": "string", **({"description": description} if description else {})}


def _maybe(schema: dict) -> dict:
    """The schema, or null."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"], **({"enum": [*schema["enum"], None]} if "enum" in schema else {})}
    return {"oneOf": [schema, {"type": "null"}]}


TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC"}
URL = {"type": "string", "format": "uri"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, description: str = "", optional: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties,
              "required": [name for name in properties if name not in optional], "additionalProperties": False}
    return {"description": description, **schema} if description else schema


def _list(items: dict) -> dict:
    return {"type": "array", "items": items}


SCHEMAS = {
    "Error": _object({
        "error": {"type": "string", "enum": ["bad_request", "not_found", "rate_limited"]},
        "message": _text("what went wrong, for a person"),
        "problems": _list(_text()),
        "retry_after": {"type": "integer", "minimum": 1, "description": "seconds; as the Retry-After header"},
    }, "Every error answer.", optional=("problems", "retry_after")),
    "VendorRef": _object({"slug": _text(), "name": _text(), "url": URL, "html_url": URL}),
    "ServiceRef": _object({"slug": _text(), "name": _text()}),
    "Incident": _object(INCIDENT := {
        "id": {"type": "integer"},
        "slug": _text("the name in its page's address"),
        "url": {**URL, "description": "this incident in the API"},
        "html_url": {**URL, "description": "its page on the site"},
        "title": _text(),
        "status": {"type": "string", "enum": [s for s in STATUSES if s != "ongoing"],
                   "description": "the lifecycle word; quiet: press-only, no recent report"},
        "ongoing": {"type": "boolean"},
        "severity": {"type": "string", "enum": list(SEVERITY_WORDS.values())},
        "vendor_severity": _text("the vendor's own word, when it gives one"),
        "vendor": _maybe(_ref("VendorRef")),
        "subject": _text("what is down when the catalogue knows no vendor for it"),
        "services": _list(_ref("ServiceRef")),
        "regions": _list(_text()),
        "started_at": TIME,
        "resolved_at": _maybe(TIME),
        "acknowledged_at": _maybe({**TIME, "description": "the vendor's first post about it"}),
        "first_reported_at": TIME,
        "last_activity_at": TIME,
        "updated_at": {**TIME, "description": "its latest change here: the updated order"},
        "news_count": {"type": "integer", "minimum": 0},
        "status_count": {"type": "integer", "minimum": 0},
    }, "An incident as lists show it."),
    "IncidentList": _object({
        "incidents": _list(_ref("Incident")),
        "next": _maybe({**URL, "description": "the next page; null on the last"}),
        "order": {"type": "string", "enum": list(ORDERS)},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "filters": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "the filters applied, as parameters"},
    }),
    "Citation": _object({
        "ref": _text("article:N (in sources) or update:N (in updates) for this incident's own sources"),
        "source": _text("the outlet or status page"),
        "url": _maybe(URL),
    }),
    "Statement": _object({
        "text": _text(),
        "citations": _list(_ref("Citation")),
        "kind": _text("for takeaways: scope, acknowledgement, errors, latest, impact, workaround, resolution, "
                      "history…"),
        "incidents": _list(_object({"title": _text(), "url": URL})),
    }, optional=("kind", "incidents")),
    "Summary": _object({
        "version": {"type": "integer", "minimum": 1},
        "written_at": TIME,
        "written_by": _text("offline, llm or editor"),
        "why_this_matters": _list(_ref("Statement")),
        "takeaways": _list(_ref("Statement")),
    }),
    "Source": _object({
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["news", "status"]},
        "outlet": _text(),
        "title": _text(),
        "url": _maybe(URL),
        "published_at": TIME,
        "ref": _text(),
    }, "A news article or a vendor's status post about the incident."),
    "Update": _object({
        "id": {"type": "integer"},
        "posted_at": TIME,
        "status": _text("investigating, identified, monitoring, resolved…"),
        "vendor_status": _text("the vendor's own word"),
        "text": _text(),
        "source": _text("the status page"),
        "url": _maybe(URL),
        "ref": _text(),
    }, "One update of a vendor's status post."),
    "IncidentDetail": _object({
        **INCIDENT,
        "vendor_incident_ids": _list(_text()),
        "error_messages": _list(_text()),
        "acknowledged": {"type": "boolean"},
        "acknowledged_in": _maybe({"type": "integer", "description": "the id of the source that first said so"}),
        "post_incident_report": _maybe(_object({"title": _text(), "url": _maybe(URL), "published_at": TIME})),
        "post_incident_report_promised": {"type": "boolean"},
        "caused_by": _maybe(_object({"slug": _text(), "title": _text(), "url": URL})),
        "also_affected": _list(_text()),
        "summary": _maybe(_ref("Summary")),
        "updates": _list(_ref("Update")),
        "sources": _list(_ref("Source")),
    }, "An incident whole."),
    "Vendor": _object(VENDOR := {"slug": _text(), "name": _text(), "url": URL, "html_url": URL,
                                 "description": _text(), "status_page_url": _maybe(URL)}),
    "VendorList": _object({"vendors": _list(_ref("Vendor"))}),
    "Service": _object({"slug": _text(), "name": _text(), "description": _text(), "html_url": URL,
                        "vendor": _object({"slug": _text(), "name": _text()})}, optional=("vendor",)),
    "VendorDetail": _object({
        **VENDOR,
        "services": _list(_ref("Service")),
        "open_incidents": _list(_ref("Incident")),
        "incidents_url": URL,
        "status_url": URL,
    }),
    "ServiceList": _object({"services": _list(_ref("Service"))}),
    "BoardRow": _object({
        "name": _text(),
        "vendor": _maybe(_object({"slug": _text(), "url": URL, "html_url": URL})),
        "state": {"type": "string", "enum": STATES, "description": "by its own status page"},
        "state_reason": _text(),
        "press_reports_outage": {"type": "boolean"},
        "press_outlets": {"type": "integer", "minimum": 0},
        "disagree": {"type": "boolean",
                     "description": "its page is green while two or more outlets report an outage"},
        "sources": _list(_object({"name": _text(), "health": _text(), "failing": {"type": "boolean"},
                                  "checked_at": _maybe(TIME),
                                  "page_state": _maybe({"type": "string", "enum": STATES})})),
        "incidents": _list(_object({"slug": _text(), "title": _text(), "url": URL,
                                    "severity": {"type": "string", "enum": list(SEVERITY_WORDS.values())},
                                    "vendor_posted": {"type": "boolean"}, "outlets": {"type": "integer"},
                                    "started_at": TIME})),
    }),
    "StatusBoard": _object({"generated_at": TIME, "vendors": _list(_ref("BoardRow"))}),
}

RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "requests allowed per window", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "requests left in this window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "seconds until the window resets", "schema": {"type": "integer"}},
}
CACHE_HEADERS = {"ETag": {"description": "send it back as If-None-Match: 304 until something changes",
                          "schema": {"type": "string"}}}


def _parameter(name: str, description: str, schema: dict, where: str = "query", example: str = "") -> dict:
    item = {"name": name, "in": where, "required": where == "path", "description": description, "schema": schema}
    return {**item, "example": example} if example else item


FILTER_PARAMETERS = [
    _parameter("vendor", "a vendor's slug (see /api/v1/vendors)", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
               example="github"),
    _parameter("service", "a service's slug (see /api/v1/services)", {"type": "string"}, example="github-actions"),
    _parameter("status", "ongoing, resolved or a lifecycle word", {"type": "string", "enum": list(STATUSES)}),
    _parameter("severity", "exactly this severity", {"type": "string", "enum": list(SEVERITIES)}),
    _parameter("region", "a city, country, continent or cloud region; includes the places inside it",
               {"type": "string"}, example="Europe"),
    _parameter("from", "started on or after this day (UTC)", {"type": "string", "format": "date"}),
    _parameter("to", "started on or before this day (UTC)", {"type": "string", "format": "date"}),
]


def _json(schema: str, description: str, headers: dict | None = None) -> dict:
    return {"description": description, "headers": {**RATE_HEADERS, **(headers or {})},
            "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {
    "400": _json("Error", "a parameter it cannot use, named in problems"),
    "429": _json("Error", "too many requests from this address", {
        "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}),
}
NOT_MODIFIED = {"304": {"description": "not modified since the ETag sent in If-None-Match"}}
NOT_FOUND = {"404": _json("Error", "no such thing, or hidden by an editor")}


def _get(summary: str, description: str, parameters: list, schema: str, *extra: dict, example: str = "") -> dict:
    responses = {"200": _json(schema, "OK", CACHE_HEADERS), **NOT_MODIFIED, **ERRORS}
    for more in extra:
        responses |= more
    operation = {"summary": summary, "description": description, "parameters": parameters,
                 "responses": dict(sorted(responses.items()))}
    if example:
        operation["x-example"] = example
    return {"get": operation}


def document(site: str) -> dict:
    """The whole document, for the server at site ("https://outagehub.example")."""
    paths = {
        "/api/v1/incidents": _get(
            "Incidents, newest first",
            "The timeline's filters, in pages of limit (keyset: a page stays the same while new incidents "
            "arrive). Follow next for the next page. A parameter it cannot use is a 400 that names it.",
            [*FILTER_PARAMETERS,
             _parameter("order", "started (by start, as the timeline) or updated (by latest change, to keep "
                        "a copy up to date)", {"type": "string", "enum": list(ORDERS), "default": DEFAULT_ORDER}),
             _parameter("limit", "incidents per page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                        "default": DEFAULT_LIMIT}),
             _parameter("cursor", "opaque: from the next link", {"type": "string"})],
            "IncidentList", example="/api/v1/incidents?vendor=github&status=ongoing"),
        "/api/v1/incidents/{ref}": _get(
            "One incident",
            "Its summary (why it matters, key takeaways, each citation resolved to its source), the vendor's "
            "updates, every source, status and times. A merged incident answers 301 to the one it joined.",
            [_parameter("ref", "its id or slug", {"type": "string"}, where="path")],
            "IncidentDetail", NOT_FOUND, {"301": {"description": "merged: Location is the incident it joined"}},
            example="/api/v1/incidents/2026-11-18-github-actions-delays"),
        "/api/v1/vendors": _get("Vendors", "Every vendor in the catalogue, by name.", [], "VendorList",
                                example="/api/v1/vendors"),
        "/api/v1/vendors/{slug}": _get(
            "One vendor", "Its services and its open incidents.",
            [_parameter("slug", "the vendor's slug", {"type": "string"}, where="path")], "VendorDetail", NOT_FOUND,
            example="/api/v1/vendors/github"),
        "/api/v1/services": _get(
            "Services", "Every service, by vendor; vendor keeps one vendor's.",
            [_parameter("vendor", "a vendor's slug", {"type": "string"}, example="microsoft")], "ServiceList",
            example="/api/v1/services?vendor=microsoft"),
        "/api/v1/status": _get(
            "The status board",
            "Every vendor now: its state by its own status page, whether the press reports an outage, the "
            "live incidents; vendors in trouble first. The answer may be a minute old.",
            [_parameter("v", "only these vendors: slugs, comma-separated", {"type": "string"},
                        example="github,cloudflare,slack")],
            "StatusBoard", example="/api/v1/status?v=github,cloudflare"),
        "/api/v1/openapi.json": {"get": {
            "summary": "This document", "description": "The OpenAPI 3.1 description of the API.", "parameters": [],
            "responses": {"200": {"description": "OK", "headers": RATE_HEADERS,
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "429": ERRORS["429"]},
            "x-example": "/api/v1/openapi.json"}},
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "OutageHub API",
            "version": VERSION,
            "summary": "Outages of IT vendors' services, as their status pages and the tech press report them.",
            "description": "Read-only, no key. Every answer carries an ETag: send it back as If-None-Match and "
                           "get 304 until something changes. Each client address has a rate limit per window "
                           "(X-RateLimit-* headers); over it, 429 with Retry-After. Times are ISO 8601 in UTC.",
        },
        "servers": [{"url": site}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def endpoints(document: dict) -> list[dict]:
    """The document's operations as plain rows for the docs page: method, path, what it does, its
    parameters (name, where: query or path, type, description), its answers, and an example request."""
    rows = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            rows.append({
                "anchor": path.strip("/").replace("/", "-").replace("{", "").replace("}", "").replace(".", "-"),
                "method": method.upper(), "path": path, "summary": operation["summary"],
                "description": operation["description"],
                "parameters": [{"name": p["name"], "where": p["in"], "type": _type_words(p["schema"]),
                                "description": p["description"]} for p in operation["parameters"]],
                "responses": [{"status": status, "description": answer["description"],
                               "schema": _schema_name(answer)} for status, answer in operation["responses"].items()],
                "example": operation.get("x-example", ""),
            })
    return rows


def _type_words(schema: dict) -> str:
    words = schema["type"] + (f": {', '.join(schema['enum'])}" if "enum" in schema else "")
    if "minimum" in schema:
        words += f" {schema['minimum']} to {schema['maximum']}"
    return words + (f", default {schema['default']}" if "default" in schema else "")


def _schema_name(answer: dict) -> str:
    reference = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return reference.rsplit("/", 1)[-1]


def schema_rows(document: dict) -> list[dict]:
    """Each schema of the document as plain rows for the docs page: its fields, their types in words."""
    return [{"name": name, "description": schema.get("description", ""),
             "fields": [{"name": field, "type": _field_words(spec), "description": spec.get("description", ""),
                         "optional": field not in schema["required"]}
                        for field, spec in schema["properties"].items()]}
            for name, schema in document["components"]["schemas"].items()]


def _field_words(spec: dict) -> str:
    """A property's type as a reader says it: "list of Incident", "string or null", "one of a, b"."""
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in spec:
        return " or ".join(_field_words(choice) for choice in spec["oneOf"])
    if spec.get("type") == "array":
        return f"list of {_field_words(spec['items'])}"
    kinds = spec.get("type", "object")
    words = " or ".join(kinds) if isinstance(kinds, list) else kinds
    if spec.get("format"):
        words += f" ({spec['format']})"
    if "enum" in spec:
        words += ": one of " + ", ".join(str(value) for value in spec["enum"] if value is not None)
    return words
