"""Articles stored and not yet processed by the incident pipeline, and the sweep that hands them on again.

An article is pending from the moment it is stored or changes (`Article.pending_since`, set by ingest)
until the pipeline has handled it as it now is (cleared by the consumer, in incidents.pipeline). The
queued message is only a fast path: if it is lost (a worker killed, Redis restarted, a publish that
failed), the row still says what is left to do, and `take_overdue` finds it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from .models import Article

# Articles handed on per sweep; the rest wait for the next one (the oldest go first).
SWEEP_BATCH = 2000


@dataclass
class PendingWork:
    """Articles to hand on: teasers whose page is still to fetch, and the others (to process)."""

    to_scrape: list[int] = field(default_factory=list)
    to_process: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.to_scrape) + len(self.to_process)


def redeliver_after() -> timedelta:
    return timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER)


def take_overdue(now: datetime, limit: int = SWEEP_BATCH) -> PendingWork:
    """The articles pending longer than OUTAGEHUB_REDELIVER_AFTER, each leased (its mark moved to now) so
    that a second sweep, or the next one while the queue is still long, does not hand it on again.

    In one transaction with the rows locked (skipped if another sweep holds them), so two sweeps never
    take one article; SQLite's IMMEDIATE transaction serialises them instead."""
    overdue = PendingWork()
    with transaction.atomic():
        rows = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(pending_since__lt=now - redeliver_after())
            .order_by("pending_since").values_list("pk", "scrape_state")[:limit]
        )
        if not rows:
            return overdue
        Article.objects.filter(pk__in=[pk for pk, _ in rows]).update(pending_since=now)
    for pk, scrape_state in rows:
        (overdue.to_scrape if scrape_state == Article.ScrapeState.PENDING else overdue.to_process).append(pk)
    return overdue


def of_sources(source_ids: list[int]) -> PendingWork:
    """Every pending article of these sources, whatever its age: what a fetch that took over an unfinished
    one hands on, since the items that one stored may never have reached the pipeline."""
    work = PendingWork()
    for pk, scrape_state in Article.objects.filter(source_id__in=source_ids, pending_since__isnull=False).values_list(
            "pk", "scrape_state").order_by("published_at", "pk"):
        (work.to_scrape if scrape_state == Article.ScrapeState.PENDING else work.to_process).append(pk)
    return work
