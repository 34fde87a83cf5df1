"""Celery tasks of the incidents app: thin wrappers over incidents.pipeline and incidents.summaries,
and the consumer of stored articles that incidents.apps registers with articles.handoff."""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from incidents import pipeline
from incidents.alerts import delivery as alert_delivery
from incidents.alerts import service as alerts
from incidents.summaries import service
from outagehub.celery import RETRY_POLICY

log = logging.getLogger(__name__)


@shared_task(**RETRY_POLICY)
def process_article(article_id: int) -> str:
    started = time.monotonic()
    try:
        outcome = pipeline.process_article(article_id)
    except Exception as exc:
        # The article keeps no current facts, so `fetch_sources --sync` tries it again; say which one failed.
        error = f"{type(exc).__name__}: {exc}"
        log.error("article %s could not be processed: %s", article_id, error,
                  extra=step_fields("process_article", started, article_id=article_id, action="failed", error=error))
        raise
    log.info("article %s: %s%s", article_id, outcome.action,
             f" (incident {outcome.incident_id})" if outcome.incident_id else "",
             extra=step_fields("process_article", started, article_id=article_id, incident_id=outcome.incident_id,
                               action=outcome.action))
    return outcome.action


def step_fields(step: str, started: float, **fields) -> dict:
    """The fields of one pipeline step's log line (JSON with LOG_FORMAT=json, outagehub/logs.py)."""
    return {"event": "pipeline", "step": step, **fields, "duration_ms": int((time.monotonic() - started) * 1000)}


def queue_articles(article_ids: list[int]) -> None:
    for article_id in article_ids:
        process_article.delay(article_id)


def run_now(source_ids: list[int], warn: Callable[[str], None]) -> str:
    """`fetch_sources --sync`: the sources' unprocessed articles, then the summaries that fell due."""
    placed, failed = pipeline.process_pending(source_ids, warn)
    quietened = pipeline.quieten(timezone.now())
    written = service.write_all_due()["written"]
    return (f"{placed} articles placed in incidents, {failed} could not be processed, {quietened} with no recent "
            f"reports; {written} summaries written")


@shared_task
def enqueue_due_summaries() -> int:
    """Beat: hand every incident whose summary is due to a worker."""
    leased = service.lease_due()
    try:
        for incident_id, lease in leased:
            write_summary.delay(incident_id, lease.isoformat())
    except BrokerUnreachable as exc:
        # The summaries stay due in the database: their lease runs out and the next tick takes them again.
        log.warning("the broker refused a summary (%s); it is taken again when its lease runs out", exc)
    return len(leased)


@shared_task(**RETRY_POLICY)
def write_summary(incident_id: int, lease: str | None = None) -> str:
    started = time.monotonic()
    outcome = service.write_due_summary(incident_id, datetime.fromisoformat(lease) if lease else None)
    log.info("summary of incident %s: %s", incident_id, outcome,
             extra=step_fields("write_summary", started, incident_id=incident_id, action=outcome))
    return outcome


@shared_task
def quieten_incidents() -> int:
    """Beat: press-only incidents with no report for the quiet period become "no recent reports"."""
    return pipeline.quieten(timezone.now())


@shared_task
def enqueue_due_alerts() -> int:
    """Beat: incidents whose alerts are due, deliveries whose message was lost, digests whose window ended;
    sends a dead worker left unfinished are given up, watches left unconfirmed removed."""
    now = timezone.now()
    due = alerts.lease_due(now)
    alerts.give_up_lost_sends(now)
    alerts.expire_unconfirmed(now)
    try:
        for incident_id in due:
            announce_incident.delay(incident_id)
        alerts.enqueue(alerts.overdue_deliveries(now))
        for watch_id in alerts.watches_with_due_digests(now):
            deliver_alert_digest.delay(watch_id)
    except BrokerUnreachable as exc:  # all of it is in the database: the next tick, or the lease, takes it again
        log.warning("the broker refused an alert task (%s); it is taken again later", exc)
    return len(due)


@shared_task(**RETRY_POLICY)
def announce_incident(incident_id: int) -> int:
    """An incident's new events, announced once each and fanned out to the watches they concern."""
    return len(alerts.announce(incident_id))


@shared_task(**RETRY_POLICY)
def deliver_alerts(delivery_ids: list[int]) -> dict:
    """Send each delivery (claimed first: one that another run took is left alone). A chunk of slow
    receivers would outlast the time limit: what is left when one more send might not fit is handed on."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT - settings.OUTAGEHUB_ALERT_TIMEOUT - 5
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for n, delivery_id in enumerate(delivery_ids):
        if n and time.monotonic() - started > budget:  # at least one each time, so the chunk always moves on
            deliver_alerts.delay(delivery_ids[n:])
            outcomes["handed_on"] = len(delivery_ids) - n
            break
        outcome = alert_delivery.deliver(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log.info("alert deliveries: %s", outcomes, extra={"event": "alerts", **outcomes})
    return outcomes


@shared_task(**RETRY_POLICY)
def deliver_alert_digest(watch_id: int) -> str:
    return alert_delivery.deliver_digest(watch_id)


@shared_task
def confirm_watch(watch_id: int) -> str:
    """Send a new watch its confirmation link (double opt-in)."""
    from incidents.alerts.models import Watch

    watch = Watch.objects.filter(pk=watch_id, state=Watch.State.PENDING).first()
    if watch is None:
        return "not pending"
    result = alert_delivery.send_confirmation(watch)
    return "sent" if result.ok else result.error
