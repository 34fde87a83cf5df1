"""A feed's GET parameters, read strictly (pure)."""

from datetime import UTC, datetime

import pytest

from incidents.site.feed_params import DEFAULT_LIMIT, FeedRequest, parse_feed_request
from incidents.site.filters import FilterRefused, IncidentFilter
from incidents.site.timeline import Cursor

EDGE = Cursor(datetime(2026, 12, 7, 3, 22, 9, 123456, tzinfo=UTC), 42)


def test_no_parameters_ask_for_the_first_page_of_50():
    assert parse_feed_request({}) == FeedRequest(IncidentFilter(), DEFAULT_LIMIT, None, None)


def test_filters_limit_and_cursor_are_read_and_written_back_in_a_fixed_order():
    asked = parse_feed_request({"before": EDGE.encode(), "limit": "20", "severity": "Major", "region": "frankfurt"})

    assert asked == FeedRequest(IncidentFilter(severity="major", region="Frankfurt"), 20, EDGE, None)
    assert asked.page_params == {"severity": "major", "region": "Frankfurt", "limit": "20", "before": EDGE.encode()}
    assert asked.as_params() == {"severity": "major", "region": "Frankfurt", "limit": "20"}  # the first page
    assert asked.as_params(after=EDGE)["after"] == EDGE.encode()


def test_every_unusable_parameter_is_named_at_once():
    with pytest.raises(FilterRefused) as refused:
        parse_feed_request({"severity": "critcal", "limit": "1000", "sort": "new", "after": "x"})

    assert refused.value.problems == (
        "unknown parameter 'sort'; this feed takes vendor, service, status, severity, region, from, to, limit, "
        "before and after",
        "unknown severity 'critcal'; use one of maintenance, minor, major, critical",
        "limit 1000 is more than 200; ask for at most 200 entries and follow the feed's next link for more",
        "malformed after 'x'; follow the feed's own next and previous links rather than writing one",
    )


@pytest.mark.parametrize("limit", ["1", "200", " 7 "])
def test_a_limit_from_1_to_200_is_taken(limit):
    assert parse_feed_request({"limit": limit}).limit == int(limit)


@pytest.mark.parametrize("limit", ["0", "201", "-1", "1.5", "1e3", "٣", "10 entries"])
def test_any_other_limit_is_refused(limit):
    with pytest.raises(FilterRefused):
        parse_feed_request({"limit": limit})


def test_a_feed_without_filters_or_pages_refuses_them_as_unknown_parameters():
    with pytest.raises(FilterRefused) as refused:
        parse_feed_request({"vendor": "github", "before": EDGE.encode(), "limit": "5"}, filters=(), paged=False)

    assert refused.value.problems == ("unknown parameter 'vendor'; this feed takes limit",
                                      "unknown parameter 'before'; this feed takes limit")
    assert parse_feed_request({"limit": "5"}, filters=(), paged=False).limit == 5
