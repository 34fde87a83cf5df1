"""Poll one source: claim it, fetch, parse, store, record the attempt, schedule the next poll.

This is the body of the `fetch_source` task and of `fetch_sources --sync`. It is safe to run
twice or concurrently for one source: the claim lets one run through and turns the other away.

A source that moved is followed: when MOVE_AFTER_POLLS successful polls in a row were permanently
redirected (301 or 308 on every hop) to the same address, that address becomes the source's URL, as
NewsBlur does. The attempts show each redirect and the poll that moved the source. Every hop of a
fetch passed the SSRF guard, so an address the guard refuses is never one a successful poll reached.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .adapters import parse_components, parse_payload
from .component_store import store_page_status
from .http import client as http_client
from .http.errors import FetchError
from .ingest import store_items
from .items import AdapterError
from .models import FetchAttempt, Source
from .redaction import redact_text, redact_url
from .scheduling import next_poll_delay

log = logging.getLogger(__name__)

MOVE_AFTER_POLLS = 3  # successful polls in a row permanently redirected to one address before the source moves
_MAX_URL_LENGTH = Source._meta.get_field("url").max_length


@dataclass
class PollReport:
    """What one poll did; `fetch_sources` prints one line of it per source."""

    slug: str
    outcome: str
    http_status: int | None = None
    new: int = 0
    updated: int = 0
    error: str = ""
    duration_ms: int = 0
    bytes_received: int = 0
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    to_scrape: list[int] = field(default_factory=list)
    # The claim found an earlier fetch of this source that never finished (its worker died): what that
    # one stored may never have been handed on.
    took_over: bool = False


def claim_stale_after() -> timedelta:
    """A claim older than the hard task time limit belongs to a worker that died."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def claim(source_id: int, now: datetime, token: str = "") -> Source | None:
    """Take the source for this worker and load it, in one conditional UPDATE … RETURNING.

    Exactly one worker gets the row back; the token (kept on the row) proves ownership later. The
    Celery task passes its own id as the token, so when a worker dies mid-fetch and the broker
    redelivers the task, the rerun takes over its own claim at once instead of waiting for the
    reaper. Raw SQL because this runs on every poll and the ORM has no UPDATE … RETURNING
    (SQLite ≥ 3.35 and PostgreSQL both have it).
    """
    token = token or str(uuid.uuid4())
    when = connection.ops.adapt_datetimefield_value
    params = [when(now), token, when(now), source_id, Source.Health.GAVE_UP.value,
              when(now - claim_stale_after()), token]
    claimed = list(Source.objects.raw(_claim_sql(connection.vendor), params))
    return claimed[0] if claimed else None


@cache
def _claim_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Source._meta.concrete_fields)
    return (
        f"UPDATE {quote(Source._meta.db_table)} SET claimed_at = %s, claim_token = %s, last_fetch_at = %s, "  # noqa: S608 - names from the model, values as parameters
        "pending_attempts = pending_attempts + 1 "
        "WHERE id = %s AND enabled AND health <> %s "
        "AND (claimed_at IS NULL OR claimed_at < %s OR claim_token = %s) "
        f"RETURNING {columns}"
    )


def poll_source(source_id: int, claim_token: str = "") -> PollReport:
    """1. claim  2. give up on a poison source  3. fetch  4. skip 304 / unchanged bodies
    5. parse  6. store  7. record the attempt and the next poll time, release the claim."""
    now = timezone.now()
    source = claim(source_id, now, claim_token)
    if source is None:
        source = Source.objects.filter(pk=source_id).first()
        if source is None:
            return PollReport(slug=f"#{source_id}", outcome="missing", error="no such source")
        return PollReport(slug=source.slug, outcome="skipped", error=_why_not_claimed(source))
    token = source.claim_token

    if source.pending_attempts > settings.OUTAGEHUB_MAX_FETCH_ATTEMPTS:
        return _give_up(source, token, now)

    started = time.monotonic()
    attempt = FetchAttempt(source=source, started_at=now)
    report = PollReport(slug=source.slug, outcome=FetchAttempt.Outcome.ERROR, took_over=source.pending_attempts > 1)
    try:
        report, max_age = _fetch_parse_store(source, attempt, report, now)
        health = _healthy(source, max_age, now)
    except (FetchError, AdapterError) as exc:
        attempt.http_status = attempt.http_status or getattr(exc, "http_status", None)
        attempt.bytes_received = attempt.bytes_received or getattr(exc, "bytes_received", 0) or 0
        health = _failing(source, attempt, report, _describe(exc), getattr(exc, "retry_after", None))
    except SoftTimeLimitExceeded:
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        health = _failing(source, attempt, report, f"timed out: the poll took longer than the {limit} s task "
                          "limit; the source is too slow or too big to poll", None)
    except Exception as exc:  # one broken source must not stop the others
        log.exception("fetching %s failed unexpectedly", source.slug)
        health = _failing(source, attempt, report, f"internal error while fetching ({type(exc).__name__}: {exc})",
                          None)
    attempt.duration_ms = report.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.outcome = report.outcome
    report.bytes_received = attempt.bytes_received
    moving_to = _repeated_permanent_redirect(source, attempt)
    # The attempt and the release of the claim land together: no reader sees a finished attempt on
    # a source still claimed (the killed-worker test did, between two autocommits).
    with transaction.atomic():
        if moving_to:
            _move(source, token, attempt, moving_to)
        attempt.save()
        # Health, next poll time and the release of the claim in one statement, only if the claim is
        # still ours (the reaper may have handed the source on after a very long fetch).
        Source.objects.filter(pk=source.pk, claim_token=token).update(
            **health, claimed_at=None, claim_token="", pending_attempts=0
        )
    return report


def _fetch_parse_store(
    source: Source, attempt: FetchAttempt, report: PollReport, now: datetime
) -> tuple[PollReport, int | None]:
    result = http_client.fetch(source.url, allow_private=source.allow_private_addresses, etag=source.etag,
                               last_modified=source.last_modified)
    attempt.http_status = report.http_status = result.status
    attempt.bytes_received = result.bytes_received
    redirect = result.permanent_redirect_to or ""
    attempt.permanent_redirect_to = redirect if len(redirect) <= _MAX_URL_LENGTH else ""  # too long to be a URL here
    source.etag = result.etag or ("" if not result.not_modified else source.etag)
    source.last_modified = result.last_modified or ("" if not result.not_modified else source.last_modified)

    if result.not_modified:
        report.outcome = FetchAttempt.Outcome.NOT_MODIFIED
    else:
        body_hash = hashlib.sha256(result.body).hexdigest()
        if body_hash == source.body_hash:
            report.outcome = FetchAttempt.Outcome.UNCHANGED_BODY
        else:
            items = parse_payload(source.kind, result.body, url=result.final_url, content_type=result.content_type)
            page = parse_components(source.kind, result.body, url=result.final_url, content_type=result.content_type)
            stored = store_items(source, items, fetched_at=now, scrape_teasers=settings.OUTAGEHUB_SCRAPE_TEASERS)
            if page is not None:
                store_page_status(source, page, now)
            # Only a body we stored completely counts as seen: a crash above means it is parsed again.
            source.body_hash = body_hash
            attempt.items_seen, attempt.items_new, attempt.items_updated = stored.seen, stored.new, stored.updated
            attempt.items_duplicate = stored.duplicates
            report.new, report.updated = stored.new, stored.updated
            report.new_ids, report.updated_ids, report.to_scrape = stored.new_ids, stored.updated_ids, stored.to_scrape
            changed = stored.new or stored.updated
            report.outcome = FetchAttempt.Outcome.CHANGED if changed else FetchAttempt.Outcome.NO_CHANGE
    return report, result.max_age


def _repeated_permanent_redirect(source: Source, attempt: FetchAttempt) -> str:
    """Where this successful poll was permanently redirected, when the MOVE_AFTER_POLLS - 1 polls before it
    succeeded and were redirected to the same address; else ""."""
    target = attempt.permanent_redirect_to
    if not target or attempt.outcome == FetchAttempt.Outcome.ERROR:
        return ""
    earlier = list(
        FetchAttempt.objects.filter(source=source).order_by("-started_at")
        .values_list("outcome", "permanent_redirect_to")[: MOVE_AFTER_POLLS - 1]
    )
    if len(earlier) < MOVE_AFTER_POLLS - 1:
        return ""
    if any(outcome == FetchAttempt.Outcome.ERROR or seen != target for outcome, seen in earlier):
        return ""
    return target


def _move(source: Source, token: str, attempt: FetchAttempt, url: str) -> None:
    """Make ``url`` the source's URL and say so on the attempt; not if another source has that URL (two
    sources would poll one feed), nor if the claim or the URL changed meanwhile (an editor's edit stands)."""
    try:
        with transaction.atomic():  # a savepoint: the unique URL may already be another source's
            moved = Source.objects.filter(pk=source.pk, claim_token=token, url=source.url).update(
                url=url, host=Source.host_of(url)
            )
    except IntegrityError:
        log.warning("source %s is permanently redirected to %s, which another source has", source.slug,
                    redact_url(url))
        return
    if moved:
        attempt.moved_from = source.url
        log.info("source %s moved from %s to %s after %d permanently redirected polls", source.slug,
                 redact_url(source.url), redact_url(url), MOVE_AFTER_POLLS)


def _describe(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


def _healthy(source: Source, max_age: int | None, now: datetime) -> dict:
    """Source fields after a successful poll (a 304 and an unchanged body are successes)."""
    return {
        "health": Source.Health.OK,
        "consecutive_failures": 0,
        "last_success_at": now,
        "next_fetch_at": now + timedelta(seconds=next_poll_delay(source.poll_interval, 0, max_age=max_age)),
        "etag": source.etag,
        "last_modified": source.last_modified,
        "body_hash": source.body_hash,
    }


def _failing(source: Source, attempt: FetchAttempt, report: PollReport, message: str, retry_after) -> dict:
    """Source fields after a failed poll; the attempt and the report get the reason.

    The reason is shown in admin and on the public /sources page: any URL in it (an adapter's or an
    unexpected exception's text) loses its credentials and query here.
    """
    now = timezone.now()
    message = redact_text(message)
    attempt.error = report.error = message
    report.http_status = attempt.http_status
    report.outcome = FetchAttempt.Outcome.ERROR
    failures = source.consecutive_failures + 1
    return {
        "health": Source.Health.FAILING,
        "consecutive_failures": failures,
        "last_error": message,
        "last_error_at": now,
        "next_fetch_at": now + timedelta(
            seconds=next_poll_delay(source.poll_interval, failures, retry_after=retry_after)
        ),
    }


def _give_up(source: Source, token: str, now: datetime) -> PollReport:
    message = (
        f"gave up: {source.pending_attempts - 1} fetches in a row never finished (the worker was killed "
        "or hit its time limit); find the cause, then use “reset” in admin to poll it again"
    )
    Source.objects.filter(pk=source.pk, claim_token=token).update(
        health=Source.Health.GAVE_UP, last_error=message, last_error_at=now, claimed_at=None, claim_token="",
    )
    FetchAttempt.objects.create(source=source, started_at=now, outcome=FetchAttempt.Outcome.ERROR, error=message)
    return PollReport(slug=source.slug, outcome=FetchAttempt.Outcome.ERROR, error=message)


def _why_not_claimed(source: Source) -> str:
    if not source.enabled:
        return "disabled"
    if source.health == Source.Health.GAVE_UP:
        return "stopped after repeated crashes; reset it in admin"
    return "already being fetched by another worker"


def reset_source(source: Source) -> None:
    """Clear backoff, failures and a give-up so the source is polled on the next tick."""
    Source.objects.filter(pk=source.pk).update(
        health=Source.Health.NEW if source.last_success_at is None else Source.Health.OK,
        consecutive_failures=0, pending_attempts=0, claimed_at=None, claim_token="", next_fetch_at=timezone.now(),
    )
