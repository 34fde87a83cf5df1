"""The health of all sources at once, in one aggregate query: what /healthz, the sources page and
`fetch_sources` report about fetching as a whole (Django)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q

from .connectivity import NetworkState
from .http.netguard import UNRESOLVED_HOST
from .models import Source


@dataclass(frozen=True)
class FetchingSummary:
    enabled: int
    last_success_at: datetime | None  # the latest successful fetch of any source
    due: int  # due now and not taken by a dispatch or a worker
    oldest_due_at: datetime | None  # when the longest-waiting of them fell due
    network: NetworkState


def fetching_summary(now: datetime) -> FetchingSummary:
    polled = Q(enabled=True) & ~Q(health=Source.Health.GAVE_UP)
    due = polled & Q(next_fetch_at__lte=now, claimed_at__isnull=True)
    unresolved = polled & Q(health=Source.Health.FAILING, last_error__startswith=UNRESOLVED_HOST)
    # The aliases differ from the field names: Django refuses an aggregate named like a field it filters on.
    row = Source.objects.aggregate(
        n_enabled=Count("pk", filter=Q(enabled=True)),
        latest_success=Max("last_success_at", filter=Q(enabled=True)),
        n_due=Count("pk", filter=due),
        oldest_due=Min("next_fetch_at", filter=due),
        n_fetched=Count("pk", filter=polled & ~Q(health=Source.Health.NEW)),
        n_unresolved=Count("pk", filter=unresolved),
        unresolved_latest_success=Max("last_success_at", filter=unresolved),
    )
    return FetchingSummary(
        enabled=row["n_enabled"], last_success_at=row["latest_success"], due=row["n_due"],
        oldest_due_at=row["oldest_due"],
        network=NetworkState(row["n_fetched"], row["n_unresolved"], row["unresolved_latest_success"]),
    )
