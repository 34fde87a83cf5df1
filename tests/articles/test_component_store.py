import json
from datetime import UTC, datetime, timedelta

import pytest

from articles.component_store import store_page_status
from articles.items import Component, ComponentState, PageStatus
from articles.models import ComponentStateChange, FetchAttempt, SourceComponent
from articles.polling import poll_source
from tests.articles.adapters import read_fixture
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
TWILIO = "statuspage/twilio-summary-incidents-2020-06-16.json"


def page(*states: tuple[str, ComponentState], complete: bool = True) -> PageStatus:
    return PageStatus(tuple(Component(name.lower(), name, state, state.value) for name, state in states), complete)


def history(source) -> list[tuple[str, str, str, datetime]]:
    return list(ComponentStateChange.objects.filter(component__source=source).order_by("since", "pk")
                .values_list("component__name", "from_state", "to_state", "since"))


def test_a_page_is_stored_then_only_its_changes(django_assert_num_queries):
    source = SourceFactory(kind="statuspage")
    assert store_page_status(source, page(("API", ComponentState.OPERATIONAL), ("Web", ComponentState.OPERATIONAL)),
                             T0) == 2

    with django_assert_num_queries(1):  # the same page: read, nothing written
        assert store_page_status(source, page(("API", ComponentState.OPERATIONAL),
                                              ("Web", ComponentState.OPERATIONAL)), T0 + timedelta(minutes=1)) == 0

    later = T0 + timedelta(minutes=2)
    assert store_page_status(source, page(("API", ComponentState.MAJOR_OUTAGE), ("Web", ComponentState.OPERATIONAL)),
                             later) == 1
    api = SourceComponent.objects.get(source=source, key="api")
    assert (api.state, api.vendor_label, api.since) == ("major_outage", "major_outage", later)
    assert SourceComponent.objects.get(source=source, key="web").since == T0  # unchanged since first seen
    assert history(source) == [("API", "", "operational", T0), ("Web", "", "operational", T0),
                               ("API", "operational", "major_outage", later)]
    source.refresh_from_db()
    assert (source.page_state, source.page_state_since) == ("major_outage", later)


def test_a_removed_component_is_kept_unlisted_with_its_history():
    source = SourceFactory(kind="statuspage")
    store_page_status(source, page(("API", ComponentState.OPERATIONAL), ("Old", ComponentState.OPERATIONAL)), T0)
    store_page_status(source, page(("API", ComponentState.OPERATIONAL)), T0 + timedelta(hours=1))

    old = SourceComponent.objects.get(source=source, key="old")
    assert (old.listed, old.state) == (False, "unknown")
    assert history(source)[-1] == ("Old", "operational", "unknown", T0 + timedelta(hours=1))


def test_polls_store_the_components_of_a_real_summary_and_write_nothing_when_they_did_not_change(http_server):
    summary = read_fixture(TWILIO)
    calm = json.loads(summary)
    for row in calm["components"]:
        row["status"] = "operational"
    calm["status"] = {"indicator": "none", "description": "All Systems Operational"}
    http_server.serve_sequence("/api/v2/summary.json", [
        {"body": summary, "content_type": "application/json"},
        {"body": summary, "content_type": "application/json"},
        {"body": json.dumps(calm).encode(), "content_type": "application/json"},
    ])
    source = SourceFactory(url=http_server.url("/api/v2/summary.json"), kind="statuspage", vendor_name="Twilio")

    assert poll_source(source.pk).outcome == FetchAttempt.Outcome.CHANGED
    source.refresh_from_db()
    assert (source.page_state, source.page_state_label) == ("degraded", "Partially Degraded Service")
    assert SourceComponent.objects.filter(source=source).count() == 65
    assert SourceComponent.objects.filter(source=source, state="degraded").count() == 4
    first_seen = source.page_state_since

    poll_source(source.pk)  # the same body: not even parsed
    assert ComponentStateChange.objects.filter(component__source=source).count() == 65

    poll_source(source.pk)
    source.refresh_from_db()
    assert (source.page_state, source.page_state_label) == ("operational", "All Systems Operational")
    assert source.page_state_since > first_seen
    assert list(ComponentStateChange.objects.filter(component__source=source, from_state="degraded")
                .values_list("to_state", flat=True)) == ["operational"] * 4


def test_a_kind_without_components_stores_none(http_server):
    http_server.serve_file("/incidents.json", "gcp/gcp-status-incidents-2022-07-03.json",
                           content_type="application/json")
    source = SourceFactory(url=http_server.url("/incidents.json"), kind="gcp", vendor_name="Google Cloud")
    poll_source(source.pk)
    source.refresh_from_db()
    assert (source.page_state, source.page_state_label) == ("operational", "AVAILABLE")
    assert not SourceComponent.objects.filter(source=source).exists()
