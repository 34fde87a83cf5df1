from datetime import UTC, date, datetime

import pytest

from incidents.api.params import (
    ListRequest,
    decode_cursor,
    encode_cursor,
    parse_list_request,
    parse_vendor_param,
)
from incidents.site.filters import FilterRefused, IncidentFilter
from incidents.site.timeline import Cursor

AT = datetime(2026, 11, 18, 9, 30, 1, 250, tzinfo=UTC)


def test_no_parameters_ask_for_the_first_page_by_start_of_everything():
    assert parse_list_request({}) == ListRequest()


def test_the_filters_are_the_timelines():
    asked = parse_list_request({"vendor": "GitHub", "severity": "Major", "region": "frankfurt", "from": "2026-11-27",
                                "to": "2026-11-01", "order": "updated", "limit": "7"})
    assert asked.wanted == IncidentFilter(vendor="github", severity="major", region="Frankfurt",
                                          start=date(2026, 11, 1), end=date(2026, 11, 27))
    assert asked.order == "updated" and asked.column == "updated_at" and asked.limit == 7


def test_a_cursor_goes_there_and_back_and_carries_its_order():
    text = encode_cursor("updated", Cursor(AT, 42))
    assert text.isascii() and "=" not in text
    assert decode_cursor(text) == ("updated", Cursor(AT, 42))
    assert parse_list_request({"cursor": text}) == ListRequest(order="updated", after=Cursor(AT, 42))


@pytest.mark.parametrize("text", ["", "x", "%%%", encode_cursor("started", Cursor(AT, 1))[:-3],
                                  "c3RhcnRlZDpub3RoaW5n", "c2lkZXdheXM6MjAyNjExMTgwOTMwMDEwMDAyNTAtNDI"])
def test_a_cursor_the_api_did_not_write_is_none(text):
    assert decode_cursor(text) is None


def test_the_next_pages_parameters_leave_the_defaults_out_and_keep_the_rest():
    asked = ListRequest(wanted=IncidentFilter(vendor="github"), order="updated", limit=10)
    params = asked.as_params(after=Cursor(AT, 5))
    assert list(params) == ["vendor", "order", "limit", "cursor"]
    assert parse_list_request(params) == ListRequest(wanted=IncidentFilter(vendor="github"), order="updated",
                                                     limit=10, after=Cursor(AT, 5))
    assert ListRequest().as_params() == {}


def test_every_problem_is_named():
    with pytest.raises(FilterRefused) as refused:
        parse_list_request({"page": "2", "status": "broken", "limit": "-1", "cursor": "nope"})
    problems = " | ".join(refused.value.problems)
    for named in ("unknown parameter 'page'", "unknown status 'broken'", "malformed limit '-1'",
                  "malformed cursor 'nope'"):
        assert named in problems
    assert "takes vendor, service, status, severity, region, from, to, order, limit and cursor" in problems
    with pytest.raises(FilterRefused, match="to: '3000-01-01' is outside") as refused:
        parse_list_request({"to": "3000-01-01", "limit": "0"})
    assert len(refused.value.problems) == 2


def test_services_take_one_vendor_and_nothing_else():
    assert parse_vendor_param({}) == "" and parse_vendor_param({"vendor": "GitHub"}) == "github"
    with pytest.raises(FilterRefused, match="malformed vendor"):
        parse_vendor_param({"vendor": "a b"})
    with pytest.raises(FilterRefused, match="unknown parameter 'service'; this endpoint takes vendor"):
        parse_vendor_param({"service": "x"})
