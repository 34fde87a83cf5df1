"""The JSON API's endpoints, through Django's test client on the real database."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import override_settings

from incidents.models import Incident
from tests.factories import IncidentFactory, ServiceFactory, SourceFactory, VendorFactory

from .conftest import START

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def get(client, path, status=200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.content[:500]
    return response


def follow_all(client, path):
    """Every incident of every page, by following `next`; and the number of pages."""
    slugs, pages = [], 0
    while path:
        body = get(client, path).json()
        slugs += [item["slug"] for item in body["incidents"]]
        pages += 1
        path = body["next"]
    return slugs, pages


# --- the incident list -----------------------------------------------------------------------------


def test_the_list_takes_the_timelines_filters(client):
    github = VendorFactory(slug="github-t", name="GitHub")
    actions = ServiceFactory(vendor=github, slug="actions-t", name="Actions")
    wanted = IncidentFactory(vendor=github, services=[actions], severity=4, regions=["Frankfurt"], slug="a-wanted")
    IncidentFactory(vendor=github, severity=2, regions=["Frankfurt"], slug="b-minor")
    IncidentFactory(severity=4, regions=["Frankfurt"], slug="c-other-vendor")
    IncidentFactory(vendor=github, services=[actions], severity=4, regions=["Tokyo"], slug="d-asia")
    IncidentFactory(vendor=github, services=[actions], severity=4, regions=["Frankfurt"], hidden=True, slug="e-hidden")

    body = get(client, "/api/v1/incidents?vendor=github-t&service=actions-t&severity=critical&region=Europe"
                       "&status=ongoing&from=2025-11-01&to=2025-11-30").json()
    assert [item["slug"] for item in body["incidents"]] == [wanted.slug]
    assert body["filters"] == {"vendor": "github-t", "service": "actions-t", "status": "ongoing",
                               "severity": "critical", "region": "Europe", "from": "2025-11-01", "to": "2025-11-30"}
    item = body["incidents"][0]
    assert item["vendor"] == {"slug": "github-t", "name": "GitHub", "url": f"{SITE}/api/v1/vendors/github-t",
                              "html_url": f"{SITE}/vendors/github-t/"}
    assert item["services"] == [{"slug": "actions-t", "name": "Actions"}]
    assert item["url"] == f"{SITE}/api/v1/incidents/a-wanted" and item["html_url"] == f"{SITE}/incidents/a-wanted/"
    assert item["severity"] == "critical" and item["ongoing"] is True and item["started_at"] == "2025-11-18T11:48:00Z"


@pytest.mark.parametrize(("query", "named"), [
    ("severity=critcal", "unknown severity 'critcal'"),
    ("sevrity=critical", "unknown parameter 'sevrity'"),
    ("from=18-11-2025", "malformed from '18-11-2025'"),
    ("to=9999-12-31", "to: '9999-12-31' is outside"),
    ("region=Atlantis", "unknown region 'Atlantis'"),
    ("vendor=no/such", "malformed vendor"),
    ("vendor=no-such-vendor", "unknown vendor 'no-such-vendor'"),
    ("service=no-such-service", "unknown service 'no-such-service'"),
    ("limit=0", "malformed limit '0'"),
    ("limit=201", "limit 201 is more than 200"),
    ("order=oldest", "unknown order 'oldest'"),
    ("cursor=bm90LWEtY3Vyc29y", "malformed cursor"),
])
def test_a_parameter_it_cannot_use_is_a_400_in_json_naming_it(client, query, named):
    IncidentFactory()
    body = get(client, f"/api/v1/incidents?{query}", status=400).json()
    assert body["error"] == "bad_request"
    assert any(named in problem for problem in body["problems"]), body
    assert named in body["message"]


def test_every_problem_is_named_at_once(client):
    body = get(client, "/api/v1/incidents?severity=critcal&colour=red&limit=x", status=400).json()
    assert len(body["problems"]) == 3


def test_pages_follow_next_links_through_every_incident_once_newest_first(client):
    made = [IncidentFactory(started_at=START - timedelta(hours=n)) for n in range(7)]
    # Two incidents that started at the same moment are told apart by their id.
    made += [IncidentFactory(started_at=START - timedelta(hours=3)) for _ in range(2)]
    slugs, pages = follow_all(client, "/api/v1/incidents?limit=2")
    expected = [i.slug for i in sorted(made, key=lambda i: (i.started_at, i.pk), reverse=True)]
    assert slugs == expected and pages == 5


def test_a_next_link_keeps_the_filters_and_the_limit(client):
    vendor = VendorFactory(slug="keep-t")
    for n in range(3):
        IncidentFactory(vendor=vendor, started_at=START - timedelta(hours=n))
    IncidentFactory(started_at=START)
    next_link = get(client, "/api/v1/incidents?vendor=keep-t&limit=2").json()["next"]
    params = parse_qs(urlsplit(next_link).query)
    assert next_link.startswith(f"{SITE}/api/v1/incidents?")
    assert params["vendor"] == ["keep-t"] and params["limit"] == ["2"] and params["cursor"]
    assert len(get(client, next_link).json()["incidents"]) == 1


def test_a_page_stays_the_same_when_newer_incidents_arrive(client):
    for n in range(5):
        IncidentFactory(started_at=START - timedelta(hours=n))
    first = get(client, "/api/v1/incidents?limit=2").json()
    second = [i["slug"] for i in get(client, first["next"]).json()["incidents"]]
    IncidentFactory(started_at=START + timedelta(hours=1))
    IncidentFactory(started_at=START + timedelta(hours=2))
    assert [i["slug"] for i in get(client, first["next"]).json()["incidents"]] == second


def test_by_latest_change_the_most_recently_changed_come_first_and_the_cursor_keeps_its_order(client):
    old, new = IncidentFactory(started_at=START), IncidentFactory(started_at=START - timedelta(days=3))
    Incident.objects.filter(pk=new.pk).update(updated_at=START + timedelta(days=1))
    Incident.objects.filter(pk=old.pk).update(updated_at=START)
    body = get(client, "/api/v1/incidents?order=updated&limit=1").json()
    assert [i["slug"] for i in body["incidents"]] == [new.slug] and body["order"] == "updated"
    assert "order=updated" in body["next"]
    assert [i["slug"] for i in get(client, body["next"]).json()["incidents"]] == [old.slug]
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    problem = get(client, f"/api/v1/incidents?order=started&cursor={cursor}", status=400).json()
    assert "the cursor is of order 'updated'" in problem["message"]


def test_a_repeat_gets_304_until_something_changes(client):
    incident = IncidentFactory()
    first = get(client, "/api/v1/incidents")
    assert first["ETag"] and "no-cache" in first["Cache-Control"]
    assert get(client, "/api/v1/incidents", status=304, if_none_match=first["ETag"]).content == b""
    Incident.objects.filter(pk=incident.pk).update(title="A new title")  # no updated_at: the content version moves
    connection.check_constraints()  # as a commit would: PostgreSQL moves the content version in a deferred trigger
    changed = get(client, "/api/v1/incidents", if_none_match=first["ETag"])
    assert changed.json()["incidents"][0]["title"] == "A new title" and changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_runs_the_same_few_queries_for_3_or_30_incidents(client, size, django_assert_max_num_queries):
    vendor = VendorFactory(slug="many-t")
    services = [ServiceFactory(vendor=vendor) for _ in range(3)]
    for n in range(size):
        IncidentFactory(vendor=vendor, services=services, started_at=START - timedelta(hours=n))
    # Its page's ids and times, the content version, the vendor named, the rows, their services.
    with django_assert_max_num_queries(5):
        body = get(client, "/api/v1/incidents?vendor=many-t&limit=200").json()
    assert len(body["incidents"]) == size and all(len(i["services"]) == 3 for i in body["incidents"])
    with django_assert_max_num_queries(4):
        etag = get(client, "/api/v1/incidents?limit=200")["ETag"]
    with django_assert_max_num_queries(2):  # a repeat: the version and the content version, then 304
        get(client, "/api/v1/incidents?limit=200", status=304, if_none_match=etag)


# --- one incident ----------------------------------------------------------------------------------


def test_one_incident_has_its_summary_with_citations_resolved_updates_and_sources(client, full_incident):
    incident, first_news = full_incident["incident"], full_incident["first_news"]
    body = get(client, f"/api/v1/incidents/{incident.slug}").json()
    assert body == get(client, f"/api/v1/incidents/{incident.pk}").json()  # by id too
    assert body["title"] == "Exchange Online users cannot send mail" and body["status"] == "resolved"
    assert body["severity"] == "major" and body["vendor_severity"] == "Advisory"
    assert body["vendor"]["slug"] == "microsoft-test" and body["services"] == [{"slug": "exchange-test",
                                                                                "name": "Exchange Online"}]
    assert body["regions"] == ["Europe"] and body["vendor_incident_ids"] == ["EX1189"]
    assert body["error_messages"] == ["550 5.7.708 Service unavailable. Access denied"]
    assert body["started_at"] == "2026-11-18T09:00:00Z" and body["resolved_at"] == "2026-11-18T12:00:00Z"
    assert body["acknowledged"] is True and body["acknowledged_in"] == full_incident["post"].pk
    assert body["also_affected"] == ["Outlook.com"]
    assert body["caused_by"] == {"slug": "2026-11-18-afd", "title": "Azure Front Door outage",
                                 "url": f"{SITE}/api/v1/incidents/2026-11-18-afd"}
    assert body["post_incident_report"] == {"title": "What broke Exchange", "url": "https://status.example/pir",
                                            "published_at": "2026-11-20T09:00:00Z"}

    why = body["summary"]["why_this_matters"]
    assert why[0]["citations"] == [{"ref": f"article:{first_news.pk}", "source": "The Register",
                                    "url": "https://theregister.example/exo"}]
    assert why[1]["citations"] == [{"ref": f"update:{full_incident['first_update'].pk}",
                                    "source": "Microsoft 365 status", "url": "https://status.example/EX1189"}]
    history = body["summary"]["takeaways"][1]
    assert history["kind"] == "history"
    # An earlier incident's report, cited: resolved though it is not among this incident's sources.
    assert history["citations"][0]["url"] == "https://theregister.example/old"
    assert history["incidents"] == [{"title": "Earlier Exchange outage",
                                     "url": f"{SITE}/api/v1/incidents/2026-10-01-exo-earlier"}]

    assert [(u["status"], u["text"]) for u in body["updates"]] == [("investigating", "We're investigating."),
                                                                    ("resolved", "Fixed.")]
    sources = {s["title"]: s for s in body["sources"]}
    assert set(sources) == {"Outlook down for thousands", "Exchange outage spreads",
                            "EX1189: users can't send mail", "What broke Exchange"}
    assert sources["Outlook down for thousands"]["outlet"] == "The Register"
    assert sources["Outlook down for thousands"]["published_at"] == "2026-11-18T09:05:00Z"
    assert sources["Exchange outage spreads"]["url"] is None  # javascript: is no link
    assert sources["EX1189: users can't send mail"]["kind"] == "status"


def test_one_incident_runs_a_few_queries_and_answers_304_after_one(client, full_incident,
                                                                     django_assert_max_num_queries):
    path = f"/api/v1/incidents/{full_incident['incident'].slug}"
    with django_assert_max_num_queries(4):  # the incident with the content version, services, sources, updates
        etag = get(client, path)["ETag"]
    with django_assert_max_num_queries(1):
        get(client, path, status=304, if_none_match=etag)


def test_a_hidden_or_unknown_incident_is_a_404_in_json(client):
    hidden = IncidentFactory(hidden=True)
    for ref in (hidden.slug, str(hidden.pk), "2026-01-01-nothing", "99999999"):
        body = get(client, f"/api/v1/incidents/{ref}", status=404).json()
        assert body["error"] == "not_found"


def test_a_merged_incident_moves_for_good_to_the_one_it_joined(client):
    survivor = IncidentFactory()
    merged = IncidentFactory(merged_into=survivor, hidden=True)
    response = get(client, f"/api/v1/incidents/{merged.slug}", status=301)
    assert response["Location"] == f"/api/v1/incidents/{survivor.slug}"


def test_one_incident_takes_no_parameters(client):
    incident = IncidentFactory()
    body = get(client, f"/api/v1/incidents/{incident.slug}?fields=title", status=400).json()
    assert "unknown parameter 'fields'; this endpoint takes no parameters" in body["problems"]


# --- vendors, services, status ---------------------------------------------------------------------


def test_vendors_and_one_vendor_with_its_services_and_open_incidents(client):
    vendor = VendorFactory(slug="acme-t", name="Acme", description="Widgets.")
    service = ServiceFactory(vendor=vendor, slug="acme-widgets", name="Widgets")
    live = IncidentFactory(vendor=vendor, services=[service])
    IncidentFactory(vendor=vendor, status=Incident.Status.RESOLVED)
    listed = {v["slug"]: v for v in get(client, "/api/v1/vendors").json()["vendors"]}
    assert listed["acme-t"] == {"slug": "acme-t", "name": "Acme", "url": f"{SITE}/api/v1/vendors/acme-t",
                                "html_url": f"{SITE}/vendors/acme-t/", "description": "Widgets.",
                                "status_page_url": None}
    body = get(client, "/api/v1/vendors/acme-t").json()
    assert [s["slug"] for s in body["services"]] == ["acme-widgets"]
    assert [i["slug"] for i in body["open_incidents"]] == [live.slug]
    assert body["incidents_url"] == f"{SITE}/api/v1/incidents?vendor=acme-t"
    assert get(client, "/api/v1/vendors/no-such", status=404).json()["error"] == "not_found"


def test_services_narrow_to_a_vendor_and_refuse_an_unknown_one(client):
    vendor = VendorFactory(slug="acme-t", name="Acme")
    ServiceFactory(vendor=vendor, slug="acme-widgets", name="Widgets")
    every = get(client, "/api/v1/services").json()["services"]
    assert len(every) > 1  # the shipped catalogue's too
    body = get(client, "/api/v1/services?vendor=acme-t").json()
    assert body["services"] == [{"slug": "acme-widgets", "name": "Widgets", "description": "",
                                 "html_url": f"{SITE}/services/acme-widgets/",
                                 "vendor": {"slug": "acme-t", "name": "Acme"}}]
    assert "unknown vendor 'nope'" in get(client, "/api/v1/services?vendor=nope", status=400).json()["message"]


def test_the_status_board_is_the_sites_with_the_same_v_filter(client):
    vendor = VendorFactory(slug="acme-t", name="Acme")
    SourceFactory(name="Acme status", kind="statuspage", vendor_name="Acme", health="failing")
    IncidentFactory(vendor=vendor, status_count=1, last_activity_at=START.now(START.tzinfo))
    body = get(client, "/api/v1/status?v=acme-t").json()
    assert [row["name"] for row in body["vendors"]] == ["Acme"]
    row = body["vendors"][0]
    assert row["vendor"]["slug"] == "acme-t" and row["sources"][0]["failing"] is True
    assert len(row["incidents"]) == 1 and row["incidents"][0]["vendor_posted"] is True
    problem = get(client, "/api/v1/status?v=acme-t,no-such-vendor", status=400).json()
    assert "No vendor “no-such-vendor” is known here" in problem["message"]
    assert "unknown parameter 'vendor'" in get(client, "/api/v1/status?vendor=x", status=400).json()["message"]


def test_the_api_is_read_only(client):
    for path in ("/api/v1/incidents", "/api/v1/vendors", "/api/v1/openapi.json"):
        assert client.post(path).status_code == 405
        assert client.head(path).status_code == 200


# --- the rate limit --------------------------------------------------------------------------------


@pytest.fixture
def low_rate(settings):
    settings.OUTAGEHUB_API_RATE = "3/min"
    return f"198.51.100.{uuid.uuid4().int % 250}"  # an address of its own: a Redis cache outlives the test


def test_over_the_rate_a_client_gets_429_with_retry_after_and_others_are_not_held(client, low_rate, settings):
    # From a proxy gunicorn believes (the test client's 127.0.0.1), the client is X-Forwarded-For's.
    forwarded = {"x_forwarded_for": f"{low_rate}"}
    remaining = [get(client, "/api/v1/vendors", **forwarded)["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = get(client, "/api/v1/incidents", status=429, **forwarded)
    assert refused.json()["error"] == "rate_limited" and low_rate in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60 and refused["Retry-After"] == refused["X-RateLimit-Reset"]
    assert refused["X-RateLimit-Limit"] == "3"
    other = uuid.uuid4().hex[:4]
    assert get(client, "/api/v1/vendors", x_forwarded_for=f"203.0.113.9, 2001:db8::{other}")


def test_forwarded_for_is_not_believed_from_an_address_that_is_no_proxy(client, low_rate, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.9.9.9"]
    client.defaults["REMOTE_ADDR"] = low_rate
    for n in range(3):  # a new X-Forwarded-For each time: it is not what is counted
        get(client, "/api/v1/vendors", x_forwarded_for=f"192.0.2.{n}")
    assert low_rate in get(client, "/api/v1/vendors", status=429, x_forwarded_for="192.0.2.77").json()["message"]


def test_a_cache_that_fails_counts_nothing_and_refuses_no_one(client, low_rate):
    unreachable = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    with override_settings(CACHES={"default": unreachable}):
        for _ in range(5):
            assert get(client, "/api/v1/vendors", x_forwarded_for=low_rate)["X-RateLimit-Remaining"] == "3"


# --- the description -------------------------------------------------------------------------------


def test_the_docs_page_shows_every_endpoint_with_its_parameters_and_an_example(client):
    response = get(client, "/api/")
    soup = BeautifulSoup(response.content, "html5lib")
    document = get(client, "/api/v1/openapi.json").json()
    headings = [h.get_text(strip=True) for h in soup.select("section h2 code")]
    assert headings == [f"GET {path}" for path in document["paths"]]
    incidents = soup.select_one("#api-v1-incidents").find_parent("section")
    assert {row.td.code.get_text() for row in incidents.select("table tbody tr") if row.td.code} >= {
        "vendor", "service", "status", "severity", "region", "from", "to", "order", "limit", "cursor"}
    assert "curl http://testserver/api/v1/incidents?vendor=github&status=ongoing" in incidents.get_text()
    assert soup.select_one("#schema-IncidentDetail")
    assert not soup.select("script:not([src]), style, [style]"), "nothing inline: the CSP allows none"
    assert "script-src" in response["Content-Security-Policy"] or "default-src" in response["Content-Security-Policy"]


def test_the_feeds_page_and_the_footer_link_the_api(client):
    for path in ("/feeds", "/"):
        soup = BeautifulSoup(get(client, path).content, "html5lib")
        assert soup.select_one('a[href="/api/"]'), path
