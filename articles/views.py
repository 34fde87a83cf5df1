"""The sources page: every source we poll and how well polling it goes, so readers can judge the coverage."""

from collections import Counter

from django.shortcuts import render
from django.utils import timezone

from .connectivity import is_unresolved
from .models import Source
from .redaction import redact_text, redact_url
from .source_health import fetching_summary

# Sources that need attention first, then the healthy ones, then those not fetched yet; disabled last.
HEALTH_ORDER = {Source.Health.GAVE_UP: 0, Source.Health.FAILING: 1, Source.Health.OK: 2, Source.Health.NEW: 3}


def sources(request):
    rows = sorted(
        Source.objects.only("name", "kind", "url", "vendor_name", "enabled", "health", "consecutive_failures",
                            "last_error", "last_error_at", "last_success_at", "last_fetch_at", "poll_interval"),
        key=lambda s: (not s.enabled, HEALTH_ORDER.get(s.health, 9), s.name.lower()),
    )
    for source in rows:
        # A public page: a URL's credentials and query (?token=…) stay private. Errors are stored
        # redacted; redacting again covers those stored before that was so.
        source.public_url = redact_url(source.url)
        source.last_error = redact_text(source.last_error)
    # Offline, one line says so instead of "check the host name in the URL" on every source.
    no_network = fetching_summary(timezone.now()).network.message(timezone.now())
    if no_network:
        for source in rows:
            if source.health == Source.Health.FAILING and is_unresolved(source.last_error):
                source.last_error = "name resolution failed: no network (see above)"
    health = Counter(s.health for s in rows if s.enabled)
    return render(request, "articles/sources.html", {
        "no_network": no_network,
        "sources": rows,
        "enabled": sum(1 for s in rows if s.enabled),
        "healthy": health[Source.Health.OK],
        "failing": health[Source.Health.FAILING] + health[Source.Health.GAVE_UP],
        "new": health[Source.Health.NEW],
    })
