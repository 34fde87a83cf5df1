"""Section 2, one subprocess per database: parse + dedupe + store, polling's path without HTTP.

    python -m bench.storing --database-url sqlite:////tmp/somewhere/bench.sqlite3

Each "first ingest" round starts from empty tables with one Source per recorded payload and runs
parse_payload + store_items on every payload once, as poll_source does after a 200. Then the same
payloads again, all unchanged: what a poll costs when the body changed but none of its items did.
Prints one JSON line per figure on stdout. Django modules are imported inside the functions:
they can only be imported once bench.child.main has configured Django for this database.
"""

import sys
from collections.abc import Iterator
from time import perf_counter

from .child import arguments, guarded, main
from .payloads import Payload, parse_all, recorded_payloads
from .report import Entry, Figure, plural, progress
from .timing import Rate, repeat_for


def fresh_sources(payloads: list[Payload]) -> list:
    """Empty tables, then one Source per payload (cascading deletes take the articles with them)."""
    from articles.models import Source

    Source.objects.all().delete()
    return [
        Source.objects.create(
            name=payload.path, slug=f"bench-{index}", kind=payload.kind, url=payload.url, vendor_name=payload.vendor
        )
        for index, payload in enumerate(payloads)
    ]


def ingest(payloads: list[Payload], sources: list) -> int:
    """parse_payload then store_items for each payload, as polling does after a 200; items parsed."""
    from django.conf import settings
    from django.utils import timezone

    from articles.adapters import parse_payload
    from articles.ingest import store_items

    count = 0
    for payload, source in zip(payloads, sources, strict=True):
        items = parse_payload(payload.kind, payload.body, url=payload.url, content_type=payload.content_type)
        store_items(source, items, fetched_at=timezone.now(), scrape_teasers=settings.OUTAGEHUB_SCRAPE_TEASERS)
        count += len(items)
    return count


def first_ingests(payloads: list[Payload], min_seconds: float, min_rounds: int, max_rounds: int):
    """Rounds of (parse only, then first ingest into emptied tables), until both min_seconds and
    min_rounds are reached. Timing parse-only inside the same rounds keeps the ratio honest when
    the machine's load drifts during the run. Returns (ingest rate, parse-only rate, sources)."""
    ingest_rounds: list[float] = []
    parse_rounds: list[float] = []
    ingest_items = parse_items = 0
    sources: list = []
    parse_all(payloads)  # warm-up: first-call costs belong to neither rate
    while len(ingest_rounds) < max_rounds and (len(ingest_rounds) < min_rounds or sum(ingest_rounds) < min_seconds):
        started = perf_counter()
        parse_items = parse_all(payloads)
        parse_rounds.append(perf_counter() - started)
        sources = fresh_sources(payloads)  # untimed: emptying the tables is not part of polling
        started = perf_counter()
        ingest_items = ingest(payloads, sources)
        ingest_rounds.append(perf_counter() - started)
    return Rate(ingest_items, tuple(ingest_rounds)), Rate(parse_items, tuple(parse_rounds)), sources


def measure(payloads: list[Payload], prefix: str, args) -> list[Figure]:
    from articles.models import Article

    progress(f"{prefix}: parse only and first ingest of {plural(len(payloads), 'payload')}, in turns")
    first, parse_only, sources = first_ingests(payloads, args.min_seconds, args.min_rounds, args.max_rounds)
    stored = Article.objects.count()
    progress(f"{prefix}: second pass, everything unchanged")
    unchanged = repeat_for(lambda: ingest(payloads, sources), args.min_seconds, max_rounds=args.max_rounds)
    return [
        Figure(
            f"{prefix}.items_per_s", first.per_second, "items/s",
            f"{plural(len(payloads), 'payload')}, {first.units_per_round} items a round, {stored} stored, "
            f"the rest deduped across sources; median of {plural(first.rounds, 'round')}, {first.seconds:.1f} s",
        ),
        Figure(
            f"{prefix}.parse_only_items_per_s", parse_only.per_second, "items/s",
            "parse_payload alone on the same mix, timed in the same rounds; median round",
        ),
        Figure(
            f"{prefix}.ratio_to_parse", first.per_second / parse_only.per_second, "x",
            "end-to-end rate / parse-only rate; target >= 0.5",
        ),
        Figure(
            f"{prefix}.unchanged_items_per_s", unchanged.per_second, "items/s",
            "same payloads again, every item unchanged: parse + dedupe only; "
            f"median of {plural(unchanged.rounds, 'round')}",
        ),
    ]


def run(args) -> Iterator[Entry]:
    from django.db import connection

    prefix = f"store.{connection.vendor}"  # store.sqlite or store.postgresql
    names = [f"{prefix}.{name}" for name in ("items_per_s", "parse_only_items_per_s", "ratio_to_parse",
                                             "unchanged_items_per_s")]
    payloads = recorded_payloads()
    yield from guarded(names, lambda: measure(payloads, prefix, args))


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--min-rounds", type=int, default=3, help="first-ingest rounds at least")
    parser.add_argument("--max-rounds", type=int, default=20, help="bound on rounds per measurement")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
