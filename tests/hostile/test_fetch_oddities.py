"""Issue 11, findings 9b and 9d: answers that looked healthy or promised the impossible.

No payload is involved (the oddity is in the status line and headers), so the cases are routes of the
local HTTP server (tests/httpserver.py) rather than corpus files.
"""

import pytest

from articles.fetching import FetchError, fetch
from articles.models import FetchAttempt, Source
from articles.polling import poll_source
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
