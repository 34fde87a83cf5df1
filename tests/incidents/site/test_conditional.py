"""Conditional GET: a version from one query, and 304 before the view runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory

from incidents.models import Incident
from incidents.site.conditional import conditional, version_of, version_of_shown
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 11, 18, 14, 5, tzinfo=UTC)


def public_version():
    """As the pages ask: over every incident, hidden ones included, so hiding one changes it."""
    return version_of(Incident.objects.all())


def test_a_version_is_one_query_and_changes_with_a_change_a_hidden_row_or_something_else(
        django_assert_num_queries):
    first, second = IncidentFactory(), IncidentFactory()
    Incident.objects.update(updated_at=T0)

    with django_assert_num_queries(1):
        before = public_version()
    assert before.last_modified == T0
    assert public_version() == before

    # Hiding an incident saves it (curation does), which moves the newest change of the set.
    first.hidden = True
    first.save(update_fields=["hidden", "updated_at"])
    assert public_version().etag != before.etag
    assert public_version().last_modified > T0
    Incident.objects.filter(pk=first.pk).update(updated_at=T0)

    Incident.objects.filter(pk=second.pk).update(updated_at=T0 + timedelta(minutes=1))
    assert public_version().last_modified == T0 + timedelta(minutes=1)

    assert version_of(Incident.objects.all(), "page 2").etag != version_of(Incident.objects.all()).etag


def test_the_version_of_the_rows_shown_changes_when_one_enters_leaves_or_changes(django_assert_num_queries):
    first, second, third = IncidentFactory(), IncidentFactory(), IncidentFactory()
    for minutes, incident in enumerate((first, second, third)):
        Incident.objects.filter(pk=incident.pk).update(updated_at=T0 + timedelta(minutes=minutes))

    def newest_two():
        return version_of_shown(Incident.objects.public().order_by("-updated_at")[:2])

    with django_assert_num_queries(1):
        before = newest_two()
    assert before.last_modified == T0 + timedelta(minutes=2)

    Incident.objects.filter(pk=second.pk).update(hidden=True)  # the first one moves into view
    after_hiding = newest_two()
    assert after_hiding.etag != before.etag
    assert after_hiding.last_modified == before.last_modified

    Incident.objects.filter(pk=first.pk).update(updated_at=T0 + timedelta(minutes=1, seconds=1))
    assert newest_two().etag != after_hiding.etag


def test_an_empty_set_has_a_version_without_a_date():
    version = public_version()

    assert version.last_modified is None
    assert version.etag.startswith('W/"')


class Calls:
    """A view that counts how often it runs."""

    def __init__(self, response=None):
        self.count = 0
        self.response = response

    def __call__(self, request, **kwargs):
        self.count += 1
        return self.response or HttpResponse("the page")


def test_a_client_holding_the_version_gets_304_without_the_view_running():
    IncidentFactory()
    view = Calls()
    page = conditional(lambda request: public_version())(view)
    requests = RequestFactory()

    first = page(requests.get("/"))
    by_tag = page(requests.get("/", HTTP_IF_NONE_MATCH=first["ETag"]))
    by_date = page(requests.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]))
    head = page(requests.head("/", HTTP_IF_NONE_MATCH=first["ETag"]))

    assert first.status_code == 200 and first["Cache-Control"] == "no-cache"
    assert [by_tag.status_code, by_date.status_code, head.status_code] == [304, 304, 304]
    assert by_tag["ETag"] == first["ETag"] and by_tag.content == b""
    assert view.count == 1


def test_a_stale_version_gets_the_page():
    incident = IncidentFactory()
    view = Calls()
    page = conditional(lambda request: public_version())(view)
    old = page(RequestFactory().get("/"))

    incident.save()

    assert page(RequestFactory().get("/", HTTP_IF_NONE_MATCH=old["ETag"])).status_code == 200
    assert view.count == 2


def test_errors_and_unsafe_methods_carry_no_version():
    IncidentFactory()
    missing = conditional(lambda request: public_version())(Calls(HttpResponseNotFound("no")))
    posted = Calls()

    assert "ETag" not in missing(RequestFactory().get("/"))
    assert "ETag" not in conditional(lambda request: public_version())(posted)(RequestFactory().post("/"))
    assert posted.count == 1


def test_a_view_keeps_its_own_cache_control():
    def cached(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=60"
        return response

    assert conditional(lambda request: public_version())(cached)(RequestFactory().get("/"))["Cache-Control"] == \
        "max-age=60"
