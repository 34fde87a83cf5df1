"""articles.http.headers: Cache-Control and Retry-After to seconds."""

from datetime import UTC, datetime

import pytest

from articles.http.headers import parse_max_age, parse_retry_after


@pytest.mark.parametrize(
    ("cache_control", "max_age"),
    [
        ("public, max-age=300", 300),
        ("max-age=300, s-maxage=60", 60),
        ('max-age="120"', 120),
        ("max-age=0", 0),
        ("no-cache, max-age=300", None),
        ("no-store", None),
        ("max-age=soon", None),
        ("", None),
    ],
)
def test_max_age_comes_from_cache_control(cache_control, max_age):
    assert parse_max_age(cache_control) == max_age


def test_retry_after_is_parsed_in_both_forms():
    now = datetime(2025, 10, 20, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Mon, 20 Oct 2025 12:02:30 GMT", now) == 150
    assert parse_retry_after("Mon, 20 Oct 2025 11:00:00 GMT", now) == 0  # in the past: retry now
    assert parse_retry_after("whenever", now) is None
    assert parse_retry_after("", now) is None

