"""Sections 3 and 4, in one subprocess on a throw-away SQLite database: CPU per poll_source call,
and sources polled per minute by one process (sequentially here, then through a Celery worker).

    python -m bench.polling --database-url sqlite:////tmp/x/bench.sqlite3 \\
        --etag-server http://127.0.0.1:P1 --plain-server http://127.0.0.1:P2

The HTTP servers are other processes (bench/processes.py starts them), so time.process_time()
here counts only the polling side: claim, conditional GET, body hash, queries, bookkeeping.
Django modules are imported inside the functions, once bench.child.main has configured Django.
"""

import sys
from collections import Counter
from collections.abc import Iterator
from time import perf_counter, process_time

from .child import arguments, guarded, main
from .report import Entry, Figure, progress
from .worker import celery_throughput

# A typical news feed for the per-poll figures: 76 KB, 20 items with full content.
PER_POLL_PAYLOAD = "technews/arstechnica-feed-2025-10-25-aws-outage.rss"
# The feed behind the 1,000 throughput sources: a small real feed (11 KB, 12 items).
THROUGHPUT_PAYLOAD = "technews/bleepingcomputer-feed-2025-07-24.rss"
MIN_POLLS = 20


def make_sources(base_url: str, count: int, tag: str) -> list[int]:
    """`count` feed sources on distinct URLs of one payload (the servers ignore the query)."""
    from articles.models import Source

    rows = [
        Source(
            name=f"bench {tag} {n}", slug=f"bench-{tag}-{n}", kind="feed", host="127.0.0.1",
            url=f"{base_url}/{THROUGHPUT_PAYLOAD}?{tag}={n}", allow_private_addresses=True,
        )
        for n in range(count)
    ]
    Source.objects.bulk_create(rows, batch_size=500)  # bulk_create skips save(), hence host= above
    return list(Source.objects.filter(slug__startswith=f"bench-{tag}-").order_by("pk").values_list("pk", flat=True))


def poll_expecting(source_id: int, outcomes: set[str]):
    from articles.polling import poll_source

    report = poll_source(source_id)
    if report.outcome not in outcomes:
        raise RuntimeError(f"poll of {report.slug} gave {report.outcome!r}, not {sorted(outcomes)}: {report.error}")
    return report


def cpu_per_poll(
    url: str, slug: str, expected: str, min_seconds: float, max_polls: int
) -> tuple[float, float, int, int]:
    """Mean CPU ms and wall ms per poll_source call once the source is known, the number of polls
    timed, and the SQL queries of one more such poll."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import FetchAttempt, Source

    source = Source.objects.create(name=slug, slug=slug, kind="feed", url=url, allow_private_addresses=True)
    poll_expecting(source.pk, {FetchAttempt.Outcome.CHANGED, FetchAttempt.Outcome.NO_CHANGE})  # 200: stored
    poll_expecting(source.pk, {expected})  # warm-up: connection pool, query compilation
    cpu = 0.0
    polls = 0
    started = perf_counter()
    while polls < max_polls and (polls < MIN_POLLS or perf_counter() - started < min_seconds):
        cpu_before = process_time()
        poll_expecting(source.pk, {expected})
        cpu += process_time() - cpu_before
        polls += 1
    wall = perf_counter() - started
    with CaptureQueriesContext(connection) as queries:  # untimed: capturing adds its own cost
        poll_expecting(source.pk, {expected})
    return cpu / polls * 1000, wall / polls * 1000, polls, len(queries)


def per_poll_figures(args) -> list[Figure]:
    from articles.models import FetchAttempt

    figures = []
    for label, base_url, expected, how in (
        ("304", args.etag_server, FetchAttempt.Outcome.NOT_MODIFIED, "server answers 304 to our ETag"),
        ("unchanged", args.plain_server, FetchAttempt.Outcome.UNCHANGED_BODY,
         "server sends no validators: 200, same bytes, body hash equal"),
    ):
        progress(f"per-poll CPU, {label}: {PER_POLL_PAYLOAD}")
        cpu_ms, wall_ms, polls, queries = cpu_per_poll(
            f"{base_url}/{PER_POLL_PAYLOAD}", f"bench-per-poll-{label}", expected, args.min_seconds, args.max_polls
        )
        figures.append(Figure(
            f"poll.cpu_ms_{label}", cpu_ms, "ms",
            f"{how}; mean of {polls} polls, wall {wall_ms:.2f} ms each; target <= 2 ms",
        ))
        figures.append(Figure(f"poll.queries_{label}", queries, "queries", "SQL statements in one such poll"))
    return figures


def poll_all(source_ids: list[int], time_cap: float, what: str) -> tuple[int, float, Counter, str]:
    """poll_source on each source in turn, stopping early at `time_cap` seconds. Returns polls done,
    seconds, outcome counts and the first error message."""
    from articles.polling import poll_source

    outcomes: Counter = Counter()
    first_error = ""
    started = perf_counter()
    step = max(1, len(source_ids) // 5)
    for done, source_id in enumerate(source_ids, start=1):
        report = poll_source(source_id)
        outcomes[report.outcome] += 1
        first_error = first_error or report.error
        if done % step == 0:
            progress(f"{what}: {done}/{len(source_ids)}")
        if perf_counter() - started > time_cap:
            break
    return sum(outcomes.values()), perf_counter() - started, outcomes, first_error


def throughput_note(done: int, total: int, seconds: float, outcomes: Counter, first_error: str) -> str:
    counts = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.most_common())
    note = f"{done} polls in {seconds:.1f} s: {counts}"
    if done < total:
        note += f"; stopped at the time cap, {total - done} not polled"
    if first_error:
        note += f"; first error: {first_error[:120]}"
    return note


def sequential_figures(args) -> list[Figure]:
    progress(f"creating {args.sources} sources on {THROUGHPUT_PAYLOAD}")
    source_ids = make_sources(args.etag_server, args.sources, "seq")
    figures = []
    for name, what in (
        # Cross-source dedupe: the 1,000 copies of one feed store its items once (the first source);
        # the other 999 parse the feed and find every URL taken. That is expected, and realistic
        # for the many feeds that carry the same wire story.
        ("throughput.first_poll_sources_per_min", "first poll (200: fetch, parse, dedupe, store)"),
        ("throughput.repeat_poll_sources_per_min", "repeat poll (304 Not Modified)"),
    ):
        done, seconds, outcomes, first_error = poll_all(source_ids, args.time_cap, what.split(" (")[0])
        figures.append(Figure(
            name, done / seconds * 60, "sources/min",
            f"{what}; one process, sequential; {throughput_note(done, len(source_ids), seconds, outcomes, first_error)}"
            + ("; target >= 1000" if "repeat" in name else ""),
        ))
    return figures


def run(args) -> Iterator[Entry]:
    yield from guarded(["poll.cpu_ms_304", "poll.queries_304", "poll.cpu_ms_unchanged", "poll.queries_unchanged"],
                       lambda: per_poll_figures(args))
    yield from guarded(["throughput.first_poll_sources_per_min", "throughput.repeat_poll_sources_per_min"],
                       lambda: sequential_figures(args))
    name = "throughput.celery_worker_sources_per_min"
    if args.no_celery:
        yield Figure.skipped(name, "--no-celery")
        return
    yield from guarded([name], lambda: [celery_figure(args)])


def celery_figure(args) -> Figure:
    count = args.celery_sources or args.sources
    progress(f"creating {count} more sources for the Celery worker")
    # Fresh sources (never polled), so the worker does first polls; the one warm-up source shows
    # the worker is up before the clock starts.
    warmup_id, *source_ids = make_sources(args.etag_server, count + 1, "celery")
    return celery_throughput(source_ids, warmup_id, args.var_dir, args.celery_timeout)


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--etag-server", required=True, help="base URL of articles.demo_server (ETag, 304)")
    parser.add_argument("--plain-server", required=True, help="base URL of articles.demo_server --no-validators")
    parser.add_argument("--max-polls", type=int, default=2000, help="bound on timed polls per per-poll figure")
    parser.add_argument("--sources", type=int, default=1000, help="sources polled in the throughput figures")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds at most per throughput pass")
    parser.add_argument("--celery-sources", type=int, default=0, help="default: --sources")
    parser.add_argument("--celery-timeout", type=float, default=90.0, help="seconds at most for the Celery figure")
    parser.add_argument("--no-celery", action="store_true", help="skip the Celery worker figure")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
