"""Celery tasks: thin wrappers that take primary keys and call the modules that do the work."""

import logging

from celery import shared_task
from django.utils import timezone

from outagehub.celery import RETRY_POLICY

from . import dispatch, handoff, polling, scraping
from .models import Heartbeat

log = logging.getLogger(__name__)

@shared_task(bind=True, **RETRY_POLICY)
def fetch_source(self, source_id: int) -> dict:
    report = polling.poll_source(source_id, claim_token=self.request.id or "")
    # Teasers are processed once their page is fetched; everything else straight away.
    for article_id in report.to_scrape:
        scrape_article.delay(article_id)
    handoff.queue(sorted(set(report.new_ids + report.updated_ids) - set(report.to_scrape)))
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
    handoff.queue([article_id])  # with the page's text if it was fetched, the teaser if not
    return state


@shared_task
def enqueue_due_sources() -> int:
    now = timezone.now()
    # Beat's heartbeat for /healthz: this task runs on every dispatch tick (a worker ran what beat sent).
    Heartbeat.stamp(Heartbeat.DISPATCH, now)
    result = dispatch.take_due_sources(now)
    for source_id in result.enqueued:
        fetch_source.delay(source_id)
    if result.deferred:
        log.info("deferred %d sources to respect per-host budgets", result.deferred)
    return len(result.enqueued)


@shared_task
def reap_stale_claims() -> int:
    freed = dispatch.reap_stale_claims(timezone.now())
    if freed:
        log.warning("freed %d sources claimed by workers that never finished", freed)
    return freed
