"""The recorded corpus the fault tests ingest, and what the database must say once it is all ingested."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from articles import dispatch, pending
from articles.adapters import parse_payload
from articles.models import Article, FetchAttempt, Source
from articles.polling import claim_stale_after
from articles.tasks import fetch_source, hand_on
from incidents.models import Membership
from tests.factories import SourceFactory
from tests.httpserver import FIXTURES_DIR


@dataclass(frozen=True)
class Recorded:
    path: str  # where the gated server serves it
    fixture: str
    kind: str
    vendor: str
    content_type: str

    def items(self) -> int:
        """How many distinct items the payload holds: the articles one clean ingest stores."""
        items = parse_payload(self.kind, (FIXTURES_DIR / self.fixture).read_bytes(), url="http://127.0.0.1/",
                              content_type=self.content_type)
        return len({item.external_id for item in items})


# Vendors' own status pages: every post makes or joins an incident, so "every article belongs to exactly
# one incident" holds for each of them.
STATUS_PAGES = (
    Recorded("/emma.json", "statuspage/emma-incidents-2019-02-21-extracted.json", "statuspage", "Emma",
             "application/json"),
    Recorded("/twilio.json", "statuspage/twilio-summary-incidents-2020-06-16.json", "statuspage", "Twilio",
             "application/json"),
    Recorded("/github.atom", "statuspage/githubstatus-history-2019-11-22.atom", "statuspage_feed", "GitHub",
             "application/atom+xml"),
)
# One more, fetched after a fault to show a worker reconnected.
ONE_MORE = Recorded("/cloudamqp.json", "statuspage/cloudamqp-summary-maintenance-2020-07-16.json", "statuspage",
                    "CloudAMQP", "application/json")
# Press and status pages together, two snapshots of one status feed among them: the four-worker test.
MIXED = (
    *STATUS_PAGES,
    Recorded("/do.rss", "statuspage/digitalocean-history-2020-01-11.rss", "statuspage_feed", "DigitalOcean",
             "application/rss+xml"),
    Recorded("/do.atom", "statuspage/digitalocean-history-2020-01-13.atom", "statuspage_feed", "DigitalOcean",
             "application/atom+xml"),
    Recorded("/ars-aws.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss", "feed", "",
             "application/rss+xml"),
    Recorded("/ars-cf.rss", "technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss", "feed", "",
             "application/rss+xml"),
    Recorded("/ars-cf-rca.rss", "technews/arstechnica-feed-2025-11-20-cloudflare-outage-rca.rss", "feed", "",
             "application/rss+xml"),
    Recorded("/aws.rss", "aws/aws-status-all-rss-2023-02-13-extracted.rss", "aws_rss", "AWS",
             "application/rss+xml"),
)


def add_sources(server, corpus=STATUS_PAGES) -> dict[str, Source]:
    """One source per recorded payload, served by `server`, due now, polled hourly (so a second fetch in
    a test is a second fetch within one interval)."""
    sources = {}
    for recorded in corpus:
        url = server.serve_file(recorded.path, recorded.fixture, recorded.content_type)
        sources[recorded.path] = SourceFactory(url=url, kind=recorded.kind, vendor_name=recorded.vendor,
                                               poll_interval=3600, next_fetch_at=timezone.now())
    return sources


def expected_articles(corpus=STATUS_PAGES) -> int:
    return sum(recorded.items() for recorded in corpus)


def fetch(*sources: Source) -> None:
    for source in sources:
        fetch_source.delay(source.pk)


@dataclass
class Recovery:
    sources: int  # claims of dead workers freed and fetched again
    articles: int  # pending articles handed on again


def sweep_as_beat_would(after: timedelta | None = None) -> Recovery:
    """What beat's reaper, dispatcher and sweep do once their bounds have passed: free the claims of dead
    workers, fetch what is due, hand on the articles still pending. Run with the clock moved past the
    bounds (the periodic tasks use now), so the test waits for no timer."""
    if after is None:
        after = max(claim_stale_after(), pending.redeliver_after()) + timedelta(seconds=1)
    later = timezone.now() + after
    freed = dispatch.reap_stale_claims(later)
    for source_id in dispatch.take_due_sources(later).enqueued:
        fetch_source.delay(source_id)
    overdue = pending.take_overdue(later)
    hand_on(overdue)
    return Recovery(sources=freed, articles=len(overdue))


def settled(corpus=STATUS_PAGES) -> bool:
    """Every source fetched, every article stored and processed."""
    return (not Source.objects.filter(claimed_at__isnull=False).exists()
            and Article.objects.count() == expected_articles(corpus)
            and not Article.objects.filter(pending_since__isnull=False).exists())


def assert_stored_once_and_placed_once(corpus=STATUS_PAGES) -> None:
    """Every recorded item is one article, and every article is a member of exactly one incident."""
    assert Article.objects.count() == expected_articles(corpus)
    doubled = Article.objects.values("source", "external_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists(), list(doubled)
    unplaced = list(Article.objects.filter(membership__isnull=True).values_list("pk", "title"))
    assert not unplaced, f"articles in no incident: {unplaced}"
    assert Membership.objects.count() == Article.objects.count()  # one-to-one: never two
    assert not FetchAttempt.objects.filter(outcome=FetchAttempt.Outcome.ERROR).exists(), list(
        FetchAttempt.objects.filter(outcome=FetchAttempt.Outcome.ERROR).values_list("source__slug", "error"))
