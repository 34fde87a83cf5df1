"""Shaping incidents for the pages: cursors, days, months, medians, lanes, regions and links."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest

from incidents.site.timeline import (
    OTHER_LANE,
    Bar,
    Cursor,
    Row,
    group_by_day,
    lanes_by_vendor,
    median_span,
    month_spans,
    region_names,
    regions_in_brief,
    status_word,
    time_to_acknowledge,
    web_link,
)

T = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


def test_a_cursor_survives_a_round_trip_through_a_link_to_the_microsecond():
    cursor = Cursor(T, 4217)
    assert cursor.encode() == "20260314092653589793-4217"
    assert Cursor.parse(cursor.encode()) == cursor


@pytest.mark.parametrize("text", ["", "junk", "20261314092653589793-1", "2026031409265358979-1",
                                  "20260314092653589793-", "20260314092653589793-1 OR 1=1", "-1",
                                  "20260314092653589793-" + "9" * 30])
def test_a_cursor_that_we_did_not_make_is_refused(text):
    assert Cursor.parse(text) is None


def test_incidents_are_grouped_by_their_utc_day_in_the_order_given():
    rows = [SimpleNamespace(started_at=T), SimpleNamespace(started_at=T.replace(hour=0, minute=1)),
            SimpleNamespace(started_at=datetime(2026, 3, 13, 23, 30, tzinfo=UTC))]
    assert [(day, len(items)) for day, items in group_by_day(rows)] == [(date(2026, 3, 14), 2),
                                                                        (date(2026, 3, 13), 1)]


def test_the_last_twelve_months_cross_the_year_and_end_with_this_month():
    months = month_spans(datetime(2026, 2, 10, tzinfo=UTC))
    assert len(months) == 12
    assert months[0] == (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    assert months[9] == (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert months[-1] == (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert all(end == following for (_, end), (following, _) in pairwise(months))


def test_december_is_followed_by_january():
    assert month_spans(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), count=1) == [
        (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))]


def test_median_span():
    assert median_span([timedelta(hours=3), timedelta(hours=1), timedelta(hours=2)]) == timedelta(hours=2)
    assert median_span([timedelta(hours=1), timedelta(hours=2)]) == timedelta(hours=1, minutes=30)
    assert median_span([]) is None


def test_time_to_acknowledge_runs_from_the_first_press_report_and_is_zero_when_the_vendor_was_first():
    assert time_to_acknowledge(T, T + timedelta(minutes=45)) == timedelta(minutes=45)
    assert time_to_acknowledge(T, T - timedelta(minutes=5)) == timedelta(0)
    assert time_to_acknowledge(None, T) is None and time_to_acknowledge(T, None) is None


def test_lanes_put_the_busiest_vendor_first_and_fold_the_rest_into_one_lane():
    def bar(hours):
        return Bar(T + timedelta(hours=hours), None, 3, "x")

    rows = [("B", bar(2)), ("A", bar(1)), ("B", bar(0)), ("C", bar(0)), ("", bar(5)), ("D", bar(3))]
    lanes = lanes_by_vendor(rows, limit=3)
    assert [lane.name for lane in lanes] == ["B", "A", OTHER_LANE]
    assert [b.start for b in lanes[0].bars] == [T, T + timedelta(hours=2)]  # oldest first within a lane
    assert len(lanes[2].bars) == 3  # C, D and the incident with no vendor
    assert [lane.name for lane in lanes_by_vendor(rows, limit=10)] == ["B", "A", "C", "D", OTHER_LANE]


def test_regions_are_named_for_readers():
    assert region_names(["Frankfurt", "aws:eu-central-1"]) == ["Frankfurt", "AWS eu-central-1"]
    assert region_names(["Europe", "Global"]) == ["worldwide"]
    assert regions_in_brief(["Frankfurt", "Paris"]) == "Frankfurt, Paris"
    assert regions_in_brief([f"aws:r{n}" for n in range(9)], limit=3) == "AWS r0, AWS r1 and 7 more"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/a", "https://example.com/a"), ("http://example.com", "http://example.com"),
    ("javascript:alert(1)", ""), ("JavaScript:alert(1)", ""), ("data:text/html,x", ""), ("", ""),
    ("//evil.example", ""), ("http://[bad", ""),
])
def test_only_web_links_are_made_into_links(url, expected):
    assert web_link(url) == expected


def row(**fields) -> Row:
    values = {"url": "/incidents/x/", "title": "x", "vendor": "", "vendor_url": "", "status": "resolved",
              "status_label": "resolved", "is_open": False, "severity": 3, "severity_word": "major",
              "vendor_severity": "", "started_at": T, "resolved_at": None, "news_count": 0, "status_count": 0,
              "acknowledged": False, "regions": ()}
    return Row(**{**values, **fields})


def test_a_row_says_how_long_it_lasted_and_counts_its_sources_in_words():
    assert row(resolved_at=T + timedelta(hours=2, minutes=15)).lasted == "2 h 15 min"
    assert row().lasted == ""
    assert row(news_count=1, status_count=2).sources == "1 news report, 2 vendor posts"
    assert row(regions=("Frankfurt", "aws:us-east-1")).region_text == "Frankfurt, AWS us-east-1"


def test_under_a_day_heading_a_same_day_end_is_a_time_of_day_and_a_later_end_a_date():
    same_day = T.replace(hour=23, minute=0)
    assert row(clock_only=True, resolved_at=same_day).resolved_clock_only
    assert not row(clock_only=True, resolved_at=T + timedelta(days=1)).resolved_clock_only
    assert not row(clock_only=False, resolved_at=same_day).resolved_clock_only


def test_the_badge_says_plainly_when_a_press_only_incident_has_no_recent_reports():
    assert status_word("quiet", "no recent reports") == "no recent reports"
    assert status_word("reported", "reported by press") == "reported by press"
    assert status_word("identified", "identified") == "identified"
