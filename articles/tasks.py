"""Celery tasks: thin wrappers that take primary keys and call the modules that do the work."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from outagehub.celery import RETRY_POLICY

from . import dispatch, handoff, pending, polling, scraping
from .models import Heartbeat

log = logging.getLogger(__name__)


@shared_task(bind=True, **RETRY_POLICY)
def fetch_source(self, source_id: int) -> dict:
    report = polling.poll_source(source_id, claim_token=self.request.id or "")
    # Teasers are processed once their page is fetched; everything else straight away.
    work = pending.PendingWork(to_scrape=report.to_scrape,
                           to_process=sorted(set(report.new_ids + report.updated_ids) - set(report.to_scrape)))
    if report.took_over or (self.request.delivery_info or {}).get("redelivered"):
        # A fetch before this one stopped midway, perhaps after storing items and before handing them
        # on; this one finds them unchanged, so it hands on whatever of the source is still pending.
        work = pending.of_sources([source_id])
    hand_on(work)
    # One line per fetch; with LOG_FORMAT=json its fields are the JSON object's (outagehub/logs.py).
    log.info("fetched %s: %s, %d new, %d updated, %d bytes in %d ms%s", report.slug, report.outcome, report.new,
             report.updated, report.bytes_received, report.duration_ms, f"; {report.error}" if report.error else "",
             extra={"event": "fetch", "source": report.slug, "status": report.outcome,
                    "http_status": report.http_status, "duration_ms": report.duration_ms,
                    "bytes": report.bytes_received, "items_new": report.new, "items_updated": report.updated,
                    "error": report.error})
    return {"slug": report.slug, "outcome": report.outcome, "new": report.new, "updated": report.updated}


@shared_task(**RETRY_POLICY)
def scrape_article(article_id: int) -> str:
    state = scraping.scrape_article(article_id)
    hand_on(pending.PendingWork(to_process=[article_id]))  # with the page's text if it was fetched, the teaser if not
    return state


def hand_on(work: pending.PendingWork) -> None:
    """Queue the pages to fetch and the articles to process. A broker that refuses the message even
    after the publish retries (Redis restarting) loses nothing: the articles stay pending in the
    database and the sweep hands them on; the task itself succeeds, its rows are stored."""
    try:
        for article_id in work.to_scrape:
            scrape_article.delay(article_id)
        handoff.queue(work.to_process)
    except BrokerUnreachable as exc:
        log.warning("the broker refused a message (%s): %d articles stay pending in the database; the sweep "
                    "hands them on after %d s", exc, len(work), settings.OUTAGEHUB_REDELIVER_AFTER)


@shared_task
def enqueue_due_sources() -> int:
    now = timezone.now()
    # Beat's heartbeat for /healthz: this task runs on every dispatch tick (a worker ran what beat sent).
    Heartbeat.stamp(Heartbeat.DISPATCH, now)
    result = dispatch.take_due_sources(now)
    try:
        for source_id in result.enqueued:
            fetch_source.delay(source_id)
    except BrokerUnreachable as exc:
        # Each source taken is leased, not lost: it falls due again when its lease runs out.
        log.warning("the broker refused a fetch (%s); the sources taken fall due again when their lease runs out",
                    exc)
    if result.deferred:
        log.info("deferred %d sources to respect per-host budgets", result.deferred)
    return len(result.enqueued)


@shared_task
def reap_stale_claims() -> int:
    freed = dispatch.reap_stale_claims(timezone.now())
    if freed:
        log.warning("freed %d sources claimed by workers that never finished", freed)
    return freed


@shared_task
def sweep_pending_articles() -> int:
    """Beat: hand on again the articles pending longer than OUTAGEHUB_REDELIVER_AFTER (their message was
    lost, or the pipeline is that far behind; processing twice is harmless, it finds them unchanged)."""
    overdue = pending.take_overdue(timezone.now())
    if overdue:
        log.warning("handing on again %d articles pending for over %d s", len(overdue),
                    settings.OUTAGEHUB_REDELIVER_AFTER)
        hand_on(overdue)
    return len(overdue)
