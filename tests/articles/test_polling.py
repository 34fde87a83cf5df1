"""poll_source end to end against the local HTTP server: claim, fetch, parse, store, health."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article, FetchAttempt, Source
from articles.polling import MOVE_AFTER_POLLS, claim, poll_source, reset_source
from tests.factories import SourceFactory
from tests.httpserver import redirect_to

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

ARS = "technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss"
ARS_NEXT_DAY = "technews/arstechnica-feed-2025-11-20-cloudflare-outage-rca.rss"


@pytest.fixture
def ars_source(http_server):
    http_server.serve_file("/ars.rss", ARS, content_type="application/rss+xml")
    return SourceFactory(slug="ars", url=http_server.url("/ars.rss"), kind="feed")


def test_it_stores_a_feed_and_records_a_healthy_attempt(ars_source):
    report = poll_source(ars_source.pk)
    ars_source.refresh_from_db()
    attempt = FetchAttempt.objects.get()
    assert (report.outcome, report.http_status, report.new, report.error) == ("changed", 200, 20, "")
    assert Article.objects.filter(source=ars_source).count() == 20
    assert ars_source.health == "ok" and ars_source.consecutive_failures == 0
    assert ars_source.claimed_at is None and ars_source.pending_attempts == 0
    assert attempt.items_new == 20 and attempt.bytes_received > 70_000 and attempt.http_status == 200
    assert ars_source.next_fetch_at > timezone.now() + timedelta(seconds=290)


def test_a_second_poll_sends_the_etag_and_a_304_is_a_success_with_nothing_new(ars_source, http_server):
    poll_source(ars_source.pk)
    report = poll_source(ars_source.pk)
    sent = http_server.requests("/ars.rss")[-1][1]
    assert sent.get("If-None-Match") or sent.get("if-none-match")
    assert (report.outcome, report.http_status, report.new) == ("not_modified", 304, 0)
    ars_source.refresh_from_db()
    assert ars_source.health == "ok"


def test_an_unchanged_body_is_not_parsed_again(http_server):
    source = SourceFactory(url=http_server.url("/no-etag.rss"))
    http_server.serve("/no-etag.rss", (FIXTURES / ARS).read_bytes(), content_type="application/rss+xml")
    assert poll_source(source.pk).outcome == "changed"
    assert poll_source(source.pk).outcome == "unchanged_body"


def test_the_next_snapshot_adds_new_stories_and_keeps_the_old(ars_source, http_server):
    poll_source(ars_source.pk)
    http_server.serve_file("/ars.rss", ARS_NEXT_DAY, content_type="application/rss+xml")
    report = poll_source(ars_source.pk)
    titles = list(Article.objects.values_list("title", flat=True))
    assert report.new > 0 and len(titles) == len(set(titles)) == 20 + report.new


@pytest.mark.parametrize(
    ("route", "expected_in_error"),
    [
        ("/misbehave/status?code=404", "404"),
        ("/misbehave/status?code=500", "500"),
        ("/misbehave/empty", "empty"),
        ("/html-page", "HTML"),
        ("/broken.xml", "feed"),
    ],
)
def test_a_failure_marks_the_source_failing_with_a_readable_reason_and_backs_off(http_server, route, expected_in_error):
    http_server.serve("/html-page", b"<!doctype html><html><body><p>Hello</p></body></html>", content_type="text/html")
    http_server.serve("/broken.xml", b"<rss><channel><item><title>unterminated", content_type="application/rss+xml")
    source = SourceFactory(url=http_server.url(route), poll_interval=60)
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert report.outcome == "error"
    assert expected_in_error.lower() in source.last_error.lower()
    assert source.health == "failing" and source.consecutive_failures == 1
    assert source.claimed_at is None
    assert FetchAttempt.objects.get().error == source.last_error
    assert source.next_fetch_at >= timezone.now() + timedelta(seconds=55)


def test_consecutive_failures_back_off_further(http_server):
    source = SourceFactory(url=http_server.url("/misbehave/status?code=503"), poll_interval=60)
    for _ in range(3):
        poll_source(source.pk)
    source.refresh_from_db()
    assert source.consecutive_failures == 3
    assert source.next_fetch_at >= timezone.now() + timedelta(seconds=175)


def test_retry_after_is_honoured(http_server):
    source = SourceFactory(url=http_server.url("/misbehave/status?code=429&retry_after=3600"), poll_interval=60)
    report = poll_source(source.pk)
    source.refresh_from_db()
    assert report.http_status == 429
    assert source.next_fetch_at >= timezone.now() + timedelta(seconds=3590)


def test_a_success_after_failures_makes_the_source_healthy_again(ars_source):
    Source.objects.filter(pk=ars_source.pk).update(health="failing", consecutive_failures=4, last_error="HTTP 500")
    poll_source(ars_source.pk)
    ars_source.refresh_from_db()
    assert (ars_source.health, ars_source.consecutive_failures) == ("ok", 0)


def test_a_source_claimed_by_another_worker_is_not_fetched_twice(ars_source):
    assert claim(ars_source.pk, timezone.now())
    report = poll_source(ars_source.pk)
    assert report.outcome == "skipped" and "another worker" in report.error
    assert Article.objects.count() == 0


def test_a_stale_claim_left_by_a_dead_worker_can_be_taken(ars_source):
    Source.objects.filter(pk=ars_source.pk).update(claimed_at=timezone.now() - timedelta(hours=1), claim_token="dead")
    assert poll_source(ars_source.pk).outcome == "changed"


def test_a_poison_source_gives_up_after_the_attempt_limit_instead_of_looping(ars_source, settings):
    settings.OUTAGEHUB_MAX_FETCH_ATTEMPTS = 3
    # Three fetches started and never finished (the worker was SIGKILLed each time).
    Source.objects.filter(pk=ars_source.pk).update(pending_attempts=3)
    report = poll_source(ars_source.pk)
    ars_source.refresh_from_db()
    assert ars_source.health == "gave_up" and "gave up" in report.error
    assert poll_source(ars_source.pk).outcome == "skipped"
    reset_source(ars_source)
    assert poll_source(ars_source.pk).outcome == "changed"


def test_a_disabled_source_is_not_fetched(ars_source):
    Source.objects.filter(pk=ars_source.pk).update(enabled=False)
    assert poll_source(ars_source.pk).outcome == "skipped"


def test_a_private_address_is_refused_unless_both_the_setting_and_the_source_allow_it(ars_source, settings):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = False
    report = poll_source(ars_source.pk)
    assert report.outcome == "error" and "127.0.0.1" in report.error and "refused" in report.error
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True
    Source.objects.filter(pk=ars_source.pk).update(allow_private_addresses=False)
    report = poll_source(ars_source.pk)
    assert report.outcome == "error" and "refused" in report.error
    Source.objects.filter(pk=ars_source.pk).update(allow_private_addresses=True)
    assert poll_source(ars_source.pk).outcome == "changed"


def test_one_bad_source_does_not_stop_the_others(ars_source, http_server):
    bad = SourceFactory(url=http_server.url("/misbehave/reset"))
    assert poll_source(bad.pk).outcome == "error"
    assert poll_source(ars_source.pk).outcome == "changed"


@pytest.mark.parametrize(
    ("route", "expected_in_error"),
    [
        ("/misbehave/gzip-bomb?mib=16", "exceeds"),
        ("/misbehave/huge?mib=3", "exceeds"),
        ("/misbehave/huge-declared?mib=64", "limit"),
        ("/misbehave/redirect-loop", "redirect loop"),
        ("/misbehave/redirect-chain?hops=8", "too many redirects"),
        ("/misbehave/slow-headers?seconds=5", "timed out"),
        ("/misbehave/trickle?seconds=5", "timed out"),
        ("/misbehave/status?code=410", "gone"),
        ("/misbehave/reset", "closed the connection"),
    ],
)
def test_a_misbehaving_server_ends_in_a_readable_error_and_the_next_source_carries_on(
    http_server, settings, ars_source, route, expected_in_error
):
    settings.OUTAGEHUB_FETCH_TOTAL_TIMEOUT = 2
    settings.OUTAGEHUB_FETCH_MAX_BYTES = 1024 * 1024
    bad = SourceFactory(url=http_server.url(route))
    report = poll_source(bad.pk)
    bad.refresh_from_db()
    assert report.outcome == "error" and expected_in_error in bad.last_error, bad.last_error
    assert bad.claimed_at is None and bad.health == "failing"
    assert poll_source(ars_source.pk).outcome == "changed"


def test_a_feed_served_with_a_wrong_content_type_is_still_read(http_server):
    http_server.serve_file("/feed.txt", ARS, content_type="text/plain; charset=iso-8859-1")
    source = SourceFactory(url=http_server.url("/feed.txt"))
    assert poll_source(source.pk).new == 20


def test_a_status_page_json_is_stored_with_every_update(http_server):
    http_server.serve_file("/api/v2/summary.json", "statuspage/twilio-summary-incidents-2020-06-16.json",
                           content_type="application/json")
    source = SourceFactory(url=http_server.url("/api/v2/summary.json"), kind="statuspage", vendor_name="Twilio")
    report = poll_source(source.pk)
    assert report.new == Article.objects.filter(kind="status", vendor_name="Twilio").count() > 0
    with_updates = Article.objects.filter(updates__isnull=False).distinct()
    assert with_updates.count() == report.new


# --- a source that moved ---------------------------------------------------------------------------


def poll_times(source, times):
    for _ in range(times):
        poll_source(source.pk)
    source.refresh_from_db()
    return source


@pytest.mark.parametrize("code", [301, 308])
def test_a_permanent_redirect_seen_on_three_polls_in_a_row_becomes_the_sources_url(http_server, code):
    http_server.serve_file("/moved/feed.rss", ARS)
    old_url = redirect_to(http_server, "/moved/feed.rss", code=code)
    source = SourceFactory(url=old_url)
    assert poll_times(source, MOVE_AFTER_POLLS - 1).url == old_url  # the 2nd and later polls are 304s
    first, second = FetchAttempt.objects.order_by("started_at")
    assert first.permanent_redirect_to == second.permanent_redirect_to == http_server.url("/moved/feed.rss")
    assert first.moved_from == second.moved_from == ""

    assert poll_times(source, 1).url == http_server.url("/moved/feed.rss")
    assert source.host == "127.0.0.1" and source.health == "ok"
    assert FetchAttempt.objects.first().moved_from == old_url  # the editor sees when and from where
    redirects = len(http_server.requests("/misbehave/redirect-to"))
    assert poll_source(source.pk).outcome == "not_modified"  # the next poll asks the new address at once
    assert len(http_server.requests("/misbehave/redirect-to")) == redirects
    assert FetchAttempt.objects.first().permanent_redirect_to == ""


def test_a_temporary_redirect_never_moves_the_source(http_server):
    http_server.serve_file("/elsewhere.rss", ARS)
    source = SourceFactory(url=redirect_to(http_server, "/elsewhere.rss", code=302))
    assert poll_times(source, MOVE_AFTER_POLLS + 1).url == redirect_to(http_server, "/elsewhere.rss", code=302)
    assert set(FetchAttempt.objects.values_list("permanent_redirect_to", "moved_from")) == {("", "")}


def moving(location):
    return {"status": 301, "body": b"", "headers": {"Location": location}}


def test_a_target_that_differs_between_polls_is_not_adopted_until_it_repeats(http_server):
    http_server.serve_file("/a.rss", ARS)
    http_server.serve_file("/b.rss", ARS)
    http_server.serve_sequence("/wandering.rss", [moving("/a.rss"), moving("/b.rss"), moving("/a.rss")])
    source = SourceFactory(url=http_server.url("/wandering.rss"))
    assert poll_times(source, 4).url == http_server.url("/wandering.rss")  # a, b, a, a
    assert poll_times(source, 1).url == http_server.url("/a.rss")  # a, a, a


def test_a_failed_poll_between_redirected_ones_starts_the_count_again(http_server):
    http_server.serve_file("/new.rss", ARS)
    http_server.serve_sequence("/flaky.rss", [moving("/new.rss"), {"status": 503, "body": b"busy"}, moving("/new.rss")])
    source = SourceFactory(url=http_server.url("/flaky.rss"))
    assert poll_times(source, 4).url == http_server.url("/flaky.rss")  # moved, failed, moved, moved
    assert poll_times(source, 1).url == http_server.url("/new.rss")


def test_a_redirect_to_an_address_the_guard_refuses_is_never_adopted(public_http_server):
    # The local server passes for a public site here, so the source needs no private-address permission;
    # its redirect to a private address fails every poll, before any connection is made to it.
    start = redirect_to(public_http_server, "http://10.0.0.5/feed.rss", code=301)
    source = SourceFactory(url=start, allow_private_addresses=False)
    assert poll_times(source, MOVE_AFTER_POLLS + 1).url == start
    assert source.health == "failing" and "refused redirect" in source.last_error
    assert set(FetchAttempt.objects.values_list("permanent_redirect_to", "moved_from")) == {("", "")}


def test_a_target_another_source_already_polls_is_not_adopted(http_server):
    http_server.serve_file("/taken.rss", ARS)
    SourceFactory(url=http_server.url("/taken.rss"))
    source = SourceFactory(url=redirect_to(http_server, "/taken.rss", code=301))
    assert poll_times(source, MOVE_AFTER_POLLS).url == redirect_to(http_server, "/taken.rss", code=301)
    assert source.health == "ok"
    assert FetchAttempt.objects.filter(source=source).exclude(moved_from="").count() == 0
