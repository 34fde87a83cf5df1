"""The readers' filters as GET parameters (pure)."""

from datetime import date

import pytest

from incidents.site.filters import EARLIEST_DAY, LATEST_DAY, FilterRefused, parse_filter


def test_days_within_the_range_are_kept_and_swapped_when_reversed():
    wanted = parse_filter({"from": str(LATEST_DAY), "to": str(EARLIEST_DAY)})
    assert (wanted.start, wanted.end) == (EARLIEST_DAY, LATEST_DAY)
    assert wanted.problems == ("from is after to: the dates were swapped",)


def test_a_day_that_is_not_a_date_is_dropped_with_a_problem_not_refused():
    wanted = parse_filter({"from": "2025-13-45", "to": "2025-11-27"})
    assert (wanted.start, wanted.end) == (None, date(2025, 11, 27))
    assert wanted.problems == wanted.unusable == ("malformed from '2025-13-45'; write a day as YYYY-MM-DD",)


@pytest.mark.parametrize(("params", "problem"), [
    ({"severity": "critcal"}, "unknown severity 'critcal'; use one of maintenance, minor, major, critical"),
    ({"status": "melting"}, "unknown status 'melting'; use one of ongoing, resolved, reported, quiet, investigating, "
                            "identified, monitoring, scheduled, in_progress, completed"),
    ({"vendor": "git hub"}, "malformed vendor 'git hub'; give its name as in the address of its page, such as github"),
    ({"region": "Atlantis"}, "unknown region 'Atlantis'; use a city, country, continent or cloud region, such as "
                             "Frankfurt, Europe or aws:us-east-1"),
    ({"service": "x" * 201}, "malformed service: the value is longer than 200 characters"),
])
def test_each_unusable_value_is_named_with_what_to_use_instead(params, problem):
    wanted = parse_filter(params)
    assert wanted.is_empty
    assert wanted.unusable == wanted.problems == (problem,)


def test_swapped_days_are_a_note_for_the_page_not_an_unusable_value():
    assert parse_filter({"from": "2025-11-27", "to": "2025-11-01"}).unusable == ()


def test_a_day_outside_the_range_is_refused_naming_each_day_and_the_range():
    with pytest.raises(FilterRefused) as refused:
        parse_filter({"from": "0001-01-01", "to": "9999-12-31", "severity": "apocalyptic"})
    assert refused.value.problems == (
        "from: '0001-01-01' is outside the days OutageHub can show; give a day from 1970-01-01 to 2999-12-31",
        "to: '9999-12-31' is outside the days OutageHub can show; give a day from 1970-01-01 to 2999-12-31",
    )
