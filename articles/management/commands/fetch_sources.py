from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles import handoff, polling, scraping
from articles.models import Source
from articles.source_health import fetching_summary
from articles.tasks import fetch_source


class Command(BaseCommand):
    help = (
        "Fetch every enabled source now (or one with --source). With --sync the whole pipeline runs in "
        "this process, no broker needed: fetch, store, extract and cluster the sources' articles not yet "
        "processed (new, changed, or failed in an earlier run), then write the summaries of the incidents "
        "they changed. Without it each source is queued for the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", metavar="SLUG", help="Only this source.")
        parser.add_argument("--sync", action="store_true", help="Run in this process instead of queueing.")

    def handle(self, *args, source, sync, **options):
        sources = Source.objects.filter(enabled=True).order_by("slug")
        if source:
            sources = Source.objects.filter(slug=source)
            if not sources.exists():
                raise CommandError(f"no source with slug {source!r}; `python manage.py shell -c` or admin lists them.")
        ids = list(sources.values_list("pk", flat=True))
        if not sync:
            for source_id in ids:
                fetch_source.delay(source_id)
            self.stdout.write(f"queued {len(ids)} sources for the workers")
            return

        totals = {"new": 0, "updated": 0, "errors": 0}
        for n, source_id in enumerate(ids, 1):
            report = polling.poll_source(source_id)
            for article_id in report.to_scrape:
                scraping.scrape_article(article_id)
            totals["new"] += report.new
            totals["updated"] += report.updated
            totals["errors"] += report.outcome == "error"
            status = report.http_status if report.http_status is not None else "-"
            error = report.error or "-"
            self.stdout.write(
                f"[{n}/{len(ids)}] {report.slug} status={status} new={report.new} "
                f"updated={report.updated} error={error}"
            )
        processed = handoff.run_now(ids, self.stderr.write)
        self.stdout.write(
            f"fetched {len(ids)} sources: {totals['new']} new, {totals['updated']} updated, "
            f"{totals['errors']} failed; {processed}"
        )
        now = timezone.now()
        no_network = fetching_summary(now).network.message(now)
        if no_network:  # what the failures above have in common, said once
            self.stdout.write(f"{no_network}; the sources are fine, this machine cannot look up host names")
