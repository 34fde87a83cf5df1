"""Which sources to poll now, and recovery of claims left by dead workers.

The beat runs `enqueue_due_sources` every minute; a tick takes the sources due before the next
tick's midpoint (scheduling.dispatch_horizon), so none waits a whole minute for being a moment
late. Each due source is taken with a conditional UPDATE that pushes its next_fetch_at forward (a
lease), so a second beat started by mistake, or an old tick delivered late, finds nothing left to
enqueue: fetches are never doubled.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from .models import FetchAttempt, Source
from .polling import claim_stale_after
from .scheduling import dispatch_horizon

HOST_WINDOW = timedelta(minutes=1)
ATTEMPT_RETENTION = timedelta(days=30)


@dataclass
class DispatchResult:
    enqueued: list[int]
    deferred: int


def due_sources(now: datetime, limit: int = 1000):
    return (
        Source.objects.filter(enabled=True, next_fetch_at__lte=now, claimed_at__isnull=True)
        .exclude(health=Source.Health.GAVE_UP)
        .order_by("next_fetch_at")
        .values_list("pk", "host", "next_fetch_at")[:limit]
    )


def take_due_sources(now: datetime) -> DispatchResult:
    """The due sources this tick may fetch, each leased so no other dispatcher takes it.

    Many vendors share one status-page provider: at most OUTAGEHUB_HOST_BUDGET_PER_MINUTE fetches
    start per host per minute; the rest are deferred to the next tick (not counted as failures).
    """
    budget = settings.OUTAGEHUB_HOST_BUDGET_PER_MINUTE
    recent = Counter(dict(
        Source.objects.filter(last_fetch_at__gte=now - HOST_WINDOW).values_list("host").annotate(n=Count("pk"))
    ))
    lease_until = now + claim_stale_after()
    taken, deferred = [], []
    for pk, host, due_at in due_sources(dispatch_horizon(now, settings.OUTAGEHUB_DISPATCH_PERIOD)):
        if recent[host] >= budget:
            deferred.append(pk)
            continue
        # Conditional on the value we read: exactly one dispatcher wins each source.
        still_due = Source.objects.filter(pk=pk, next_fetch_at=due_at, claimed_at__isnull=True)
        if still_due.update(next_fetch_at=lease_until):
            recent[host] += 1
            taken.append(pk)
    if deferred:
        Source.objects.filter(pk__in=deferred).update(next_fetch_at=now + HOST_WINDOW)
    return DispatchResult(enqueued=taken, deferred=len(deferred))


def reap_stale_claims(now: datetime) -> int:
    """Free sources claimed by a worker that died mid-fetch and make them due again.

    pending_attempts is left as it is: a source that kills its worker every time reaches the
    limit and gives up instead of looping forever.
    """
    freed = Source.objects.filter(claimed_at__lt=now - claim_stale_after()).update(
        claimed_at=None, claim_token="", next_fetch_at=now
    )
    FetchAttempt.objects.filter(started_at__lt=now - ATTEMPT_RETENTION).delete()
    return freed
