"""Issue 11, findings 9b and 9d: answers that looked healthy, or waits we never keep.

No payload is involved (the oddity is in the status line and headers), so the cases are routes of the
local HTTP server (tests/httpserver.py) rather than corpus files.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.http.errors import FetchError
from articles.http.fetch import fetch
from articles.models import FetchAttempt, Source
from articles.polling import poll_source
from articles.scheduling import JITTER_FRACTION, MAX_DELAY_SECONDS
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

NO_VALIDATORS_304 = "answered 304 Not Modified to a request without validators"


# --- 9b: a 304 to a request without validators ---------------------------------------------------------


def test_a_304_to_a_request_without_validators_is_a_failure_with_the_reason(http_server):
    http_server.serve_sequence("/always-304", [{"body": b"", "status": 304}])
    with pytest.raises(FetchError) as caught:
        fetch(http_server.url("/always-304"), allow_private=True)
    assert NO_VALIDATORS_304 in caught.value.message and caught.value.http_status == 304
    [(_method, headers)] = http_server.requests("/always-304")
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


def test_a_source_answered_304_on_its_first_poll_is_failing_not_healthy(http_server):
    http_server.serve_sequence("/always-304", [{"body": b"", "status": 304}])
    source = SourceFactory(url=http_server.url("/always-304"))
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert (report.outcome, report.http_status) == ("error", 304)
    assert source.health == "failing" and source.last_success_at is None
    assert NO_VALIDATORS_304 in source.last_error
    assert FetchAttempt.objects.get(source=source).outcome == "error"


def test_a_304_to_a_conditional_request_is_still_a_success(http_server):
    http_server.serve_file("/feed.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss", etag='"v1"')
    source = SourceFactory(url=http_server.url("/feed.rss"))
    assert poll_source(source.pk).outcome == "changed"
    assert poll_source(source.pk).outcome == "not_modified"
    assert Source.objects.get(pk=source.pk).health == "ok"


# --- 9d: a Retry-After longer than the longest pause between polls ------------------------------------

HUGE_RETRY_AFTER = {
    "seconds": "99999999999",
    "an http date": "Fri, 31 Dec 9999 23:59:59 GMT",
    "more digits than int() reads": "9" * 5000,
}


@pytest.mark.parametrize("value", HUGE_RETRY_AFTER.values(), ids=HUGE_RETRY_AFTER.keys())
def test_the_error_states_the_capped_wait_the_scheduler_uses(http_server, value):
    http_server.serve("/busy", "slow down", status=429, headers={"Retry-After": value})
    source = SourceFactory(url=http_server.url("/busy"), poll_interval=60)
    before = timezone.now()
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert report.outcome == "error" and report.http_status == 429
    assert "retry after 86400 s (the longest pause between polls)" in source.last_error, source.last_error
    assert "99999" not in source.last_error
    wait = (source.next_fetch_at - before).total_seconds()
    assert MAX_DELAY_SECONDS - 5 <= wait <= MAX_DELAY_SECONDS * (1 + JITTER_FRACTION) + 5


def test_a_retry_after_within_a_day_is_stated_as_sent(http_server):
    http_server.serve("/busy", "slow down", status=503, headers={"Retry-After": "0900"})
    with pytest.raises(FetchError) as caught:
        fetch(http_server.url("/busy"), allow_private=True)
    assert caught.value.retry_after == 900 and caught.value.message.endswith("the server is failing; retry after 900 s")


@pytest.mark.parametrize(
    "max_age", ["²", "9" * 5000, "99999999999"], ids=["superscript two", "5000 digits", "11 digits"]
)
def test_a_cache_control_max_age_no_int_can_read_is_no_crash(http_server, max_age):
    http_server.serve_file("/feed.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss",
                           headers={"Cache-Control": f"max-age={max_age}"})
    source = SourceFactory(url=http_server.url("/feed.rss"))
    assert poll_source(source.pk).outcome == "changed"
    source.refresh_from_db()
    assert source.next_fetch_at - timezone.now() <= timedelta(seconds=MAX_DELAY_SECONDS * (1 + JITTER_FRACTION))
