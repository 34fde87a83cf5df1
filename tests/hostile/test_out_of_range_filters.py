"""Days outside what OutageHub can show, as filters (issue 11, finding 8): every page and feed that
takes the filters answers 400 with a message that says which day and what to give instead; the
pages that take no filters ignore them. Never a 500."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from incidents.site.filters import EARLIEST_DAY, LATEST_DAY
from tests.factories import IncidentFactory, ServiceFactory, VendorFactory

pytestmark = pytest.mark.django_db
QUERIES = [line for line in (Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
                             / "out-of-range-dates.txt").read_text(encoding="utf-8").splitlines()
           if line and not line.startswith("#")]
FILTERING = [("timeline", None), ("feed-rss", None), ("feed-atom", None), ("feed-json", None), ("feed-ical", None),
             ("vendor-feed-rss", "contoso"), ("vendor-feed-atom", "contoso"),
             ("service-feed-rss", "mail-flow"), ("service-feed-atom", "mail-flow")]
NOT_FILTERING = [("feeds", None), ("search", None), ("sources", None), ("vendor", "contoso"),
                 ("service", "mail-flow"), ("incident", "mail-delays")]


@pytest.fixture(autouse=True)
def incident():
    service = ServiceFactory(slug="mail-flow", vendor=VendorFactory(slug="contoso", name="Contoso"))
    return IncidentFactory(slug="mail-delays", vendor=service.vendor, services=[service])


def url(name: str, slug: str | None, query: str) -> str:
    return reverse(name, args=[slug] if slug else []) + "?" + query


@pytest.mark.parametrize(("name", "slug"), FILTERING)
@pytest.mark.parametrize("query", QUERIES)
def test_every_filtering_page_and_feed_refuses_the_day_with_a_readable_400(client, name, slug, query):
    response = client.get(url(name, slug, query))
    assert response.status_code == 400
    problems = [item.get_text() for item in BeautifulSoup(response.content, "html.parser").select(".notice li")]
    assert problems and all(f"give a day from {EARLIEST_DAY} to {LATEST_DAY}" in problem for problem in problems)
    wrong = [part.split("=")[1] for part in query.split("&") if part.startswith(("from=", "to="))]
    assert any(day in problem for day in wrong for problem in problems)


@pytest.mark.parametrize(("name", "slug"), FILTERING)
def test_the_first_and_last_days_that_can_be_shown_are_answered(client, name, slug):
    assert client.get(url(name, slug, f"from={EARLIEST_DAY}&to={LATEST_DAY}")).status_code == 200
    assert client.get(url(name, slug, f"from={LATEST_DAY}")).status_code == 200
    assert client.get(url(name, slug, f"to={EARLIEST_DAY}")).status_code == 200


@pytest.mark.parametrize(("name", "slug"), NOT_FILTERING)
@pytest.mark.parametrize("query", QUERIES)
def test_pages_that_take_no_filters_ignore_them(client, name, slug, query):
    assert client.get(url(name, slug, query + "&q=mail")).status_code == 200
