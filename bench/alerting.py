"""Section "alerts", one subprocess per database: how fast one event fans out to many watches.

    python -m bench.alerting --database-url sqlite:////tmp/somewhere/bench.sqlite3 --watches 10000

N watches of every incident are seeded (bulk); then, per round, a new incident with one source is
announced (incidents.alerts.service.announce): its "opened" event decided, the ledger written, one query
for the matching watches, the deliveries inserted in bulk, and after commit handed to the alerts queue
in chunks (here the filesystem broker in the bench's temp dir). The figure is deliveries per second of
that whole step, median of the rounds; sending is not in it (that is the receivers' time).

Prints one JSON line per figure on stdout.
"""

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from statistics import median
from time import perf_counter

from .child import arguments, guarded, main
from .report import Entry, Figure, progress

DEFAULT_WATCHES = 10_000


def figure_names(prefix: str) -> list[str]:
    return [f"{prefix}.fanout_per_s", f"{prefix}.fanout_queries"]


def seed_watches(count: int) -> None:
    from incidents.alerts.models import Watch, new_secret, new_token

    Watch.objects.bulk_create([
        Watch(destination=Watch.Destination.WEBHOOK, url=f"https://hooks.example/{n}", everything=True,
              secret=new_secret(), token=new_token()) for n in range(count)], batch_size=2000)


def new_incident(n: int) -> int:
    from articles.models import Article, Source
    from incidents.models import Incident, Membership

    source, _ = Source.objects.get_or_create(slug="bench-wire", defaults={
        "name": "Bench wire", "kind": "feed", "url": "https://news.example/feed.xml"})
    at = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
    article = Article.objects.create(source=source, kind=Article.Kind.NEWS, external_id=f"alert-{n}",
                                     url=f"https://news.example/{n}", title=f"Outage {n}", published_at=at,
                                     first_seen_at=at, last_changed_at=at, content_hash=f"alert-{n}")
    incident = Incident.objects.create(slug=f"bench-alert-{n}", title=f"Outage {n}", severity=3, started_at=at,
                                       first_reported_at=at, last_activity_at=at)
    Membership.objects.create(article=article, incident=incident)
    return incident.pk


def measure(prefix: str, watches: int, rounds: int) -> list[Figure]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.alerts import service

    started = perf_counter()
    seed_watches(watches)
    progress(f"{prefix}: seeded {watches:,} watches in {perf_counter() - started:.1f} s; {rounds} rounds")
    rates, queries = [], 0
    for n in range(rounds):
        incident_id = new_incident(n)
        with CaptureQueriesContext(connection) as captured:
            began = perf_counter()
            created = service.announce(incident_id)
            elapsed = perf_counter() - began
        if len(created) != watches:
            raise RuntimeError(f"announce made {len(created)} deliveries for {watches} watches")
        rates.append(watches / elapsed)
        queries = len(captured)
    return [
        Figure(f"{prefix}.fanout_per_s", median(rates), "deliveries/s",
               f"one event to {watches:,} watches: decided, deliveries inserted in bulk, queued; median of {rounds}"),
        Figure(f"{prefix}.fanout_queries", queries, "queries", "SQL statements of one such announcement"),
    ]


def run(args) -> Iterator[Entry]:
    from django.db import connection

    prefix = f"alerts.{connection.vendor}"  # alerts.sqlite or alerts.postgresql
    yield f"{prefix}: {args.watches:,} watches of every incident; one event of a new incident announced to all"
    yield from guarded(figure_names(prefix), lambda: measure(prefix, args.watches, args.rounds))


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--watches", type=int, default=DEFAULT_WATCHES, help="watches of every incident")
    parser.add_argument("--rounds", type=int, default=3, help="events announced, each timed")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
