from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from articles.models import Article
from incidents.models import ArticleFacts, Incident, Membership
from incidents.pipeline import process_article


class Command(BaseCommand):
    help = (
        "Rebuild incidents from stored articles (all, or those published since --since): facts are "
        "extracted again with the current catalogue and the articles clustered again in time order. "
        "Articles an editor placed or excluded stay as they are; incidents an editor made or merged are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Only articles published on or after this day.")

    def handle(self, *args, since, **options):
        articles = Article.objects.all()
        if since:
            day = parse_date(since)
            if day is None:
                raise CommandError(f"--since {since!r} is not a date; write it as YYYY-MM-DD.")
            articles = articles.filter(published_at__gte=timezone.make_aware(datetime.combine(day, time.min)))
        with transaction.atomic():
            ArticleFacts.objects.filter(article__in=articles).delete()
            machine_placed = Membership.objects.filter(article__in=articles, assigned_by=Membership.AssignedBy.AUTO)
            emptied = set(machine_placed.values_list("incident_id", flat=True))
            machine_placed.delete()
            # An incident an editor made, merged away or otherwise curated stays, even when empty.
            Incident.objects.filter(pk__in=emptied, memberships__isnull=True, revisions__isnull=True,
                                    merged_into__isnull=True).delete()
        ids = list(articles.order_by("published_at", "pk").values_list("pk", flat=True))
        placed = 0
        for n, article_id in enumerate(ids, 1):
            placed += process_article(article_id).incident_id is not None
            if n % 500 == 0:
                self.stderr.write(f"  {n}/{len(ids)} articles")
        self.stdout.write(
            f"reclustered {len(ids)} articles: {placed} placed in {Incident.objects.count()} incidents"
        )
