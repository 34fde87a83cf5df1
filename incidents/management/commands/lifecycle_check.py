import json

from django.core.management.base import BaseCommand
from django.db.models import F
from django.utils import timezone

from incidents.models import ONGOING_STATUSES, Incident, Severity
from incidents.pipeline import quiet_period

# "Unknown" severity is measured on incidents with at least this many sources: one report may say nothing of scale.
MANY_SOURCES = 3


class Command(BaseCommand):
    help = (
        "Check that incidents say true things about time: none ongoing on press reports older than the quiet "
        "period (OUTAGEHUB_QUIET_HOURS), no resolved outage that ends at its start, and how many incidents with "
        "several sources have no severity; lists post-incident reports that explain no incident we saw (a sane "
        "result when the outage itself was never reported to us). Exits 1 when either of the first two is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the figures and the incidents as JSON.")

    def handle(self, *args, **options):
        now = timezone.now()
        public = Incident.objects.public().filter(merged_into__isnull=True)
        stale = list(public.filter(status__in=ONGOING_STATUSES, status_count=0,
                                   last_activity_at__lt=now - quiet_period()).values_list("slug", flat=True))
        # An end at its start ("for 0 min, from 23:48 to 23:48"): one report's moment taken for both. A vendor's
        # own record of an instant (GitHub's retroactive posts) is its statement, and summaries then say
        # "resolved by", not a duration; a vendor's 38-second incident is believed.
        zero = list(public.filter(resolved_at__isnull=False, resolved_at__lte=F("started_at"), status_count=0)
                    .values_list("slug", flat=True))
        alone = list(public.filter(post_incident_report__isnull=False, news_count__lte=1, status_count=0)
                     .values_list("slug", flat=True))
        many = public.filter(news_count__gte=MANY_SOURCES) | public.filter(status_count__gte=MANY_SOURCES)
        many_total = many.count()
        unknown = many.filter(severity=Severity.UNKNOWN).count()
        figures = {
            "incidents": public.count(),
            "ongoing_past_quiet_period": len(stale),
            "zero_minute_resolved": len(zero),
            "post_incident_reports_alone": len(alone),
            "severity_unknown_with_3_sources": unknown,
            "incidents_with_3_sources": many_total,
            "severity_unknown_share": round(unknown / many_total, 3) if many_total else 0.0,
            "details": {"ongoing_past_quiet_period": stale, "zero_minute_resolved": zero,
                        "post_incident_reports_alone": alone},
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            for name, value in figures.items():
                if name != "details":
                    self.stdout.write(f"{name}: {value}")
            for name, slugs in figures["details"].items():
                for slug in slugs[:20]:
                    self.stdout.write(f"  {name}: /incidents/{slug}/")
            self.stdout.write(f"{len(stale)} ongoing past the quiet period, {len(zero)} resolved in 0 minutes, "
                              f"{len(alone)} post-incident reports alone; {unknown} of {many_total} incidents "
                              f"with {MANY_SOURCES}+ sources have no severity")
        if stale or zero:
            raise SystemExit(1)
