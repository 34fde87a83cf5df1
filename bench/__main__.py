"""`python -m bench` (`make bench`): run every benchmark and print its figures.

    python -m bench                      # the full run, about five minutes on 2 cores (2.5: cluster)
    python -m bench --only parse,store   # some sections
    python -m bench --only cluster --cluster-sizes 1000,10000   # a smaller archive
    python -m bench --only site --site-incidents 1000 --site-articles 10000   # pages on a smaller archive
    python -m bench --only join --join-sizes 10,1000   # joining incidents of 10 and 1,000 members
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench   # adds PostgreSQL
    python -m bench --only cluster --cluster-sizes 100000 --cluster-database postgres://…/outagehub_bench_kept
        # clustering on PostgreSQL in a kept database: its 100k-incident archive is seeded once, reused after

The Django benchmarks run in subprocesses (bench/storing.py, bench/polling.py, bench/clustering.py, ...)
on throw-away databases in a temp dir; they stream their figures back as JSON lines, printed here.
The HTTP servers are subprocesses too. Everything is stopped and removed at the end, on Ctrl-C as
well.
"""

import argparse
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from . import alerting, clustering, joining, parsing, site
from .databases import is_postgres_url, sqlite_url, throwaway_postgres_database
from .processes import fixture_server, start, stop
from .report import Entry, Figure, Report, entry_from_json, progress

# "poll": the per-poll CPU and throughput figures; "alerts": one event fanned out to many watches
SECTIONS = ("parse", "store", "poll", "cluster", "join", "site", "alerts")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1, not {text!r}")
    return int(text)


def archive_sizes(text: str) -> list[int]:
    try:
        return clustering.parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def incident_sizes(text: str) -> list[int]:
    try:
        return joining.parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="time each rate for at least this long")
    parser.add_argument("--store-rounds", type=int, default=3, help="first-ingest rounds at least, per database")
    parser.add_argument("--sources", type=int, default=1000, help="sources in the throughput figures")
    parser.add_argument("--max-polls", type=int, default=2000, help="bound on timed polls per per-poll figure")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds at most per throughput pass")
    parser.add_argument("--celery-timeout", type=float, default=90.0, help="seconds at most for the Celery figure")
    parser.add_argument("--no-celery", action="store_true", help="skip the Celery worker figure")
    parser.add_argument("--cluster-sizes", type=archive_sizes, default=clustering.DEFAULT_SIZES,
                        help="incidents in the archive, ascending: it is seeded and grown between sizes")
    parser.add_argument("--cluster-articles", type=positive, default=200, help="fresh articles clustered per round")
    parser.add_argument("--cluster-rounds", type=positive, default=3, help="timed rounds per archive size")
    parser.add_argument("--cluster-database", metavar="POSTGRES_URL",
                        help="run the clustering section's PostgreSQL part in this database, kept between runs: "
                             "the archive an earlier run seeded there is reused (instead of a throw-away database)")
    parser.add_argument("--join-sizes", type=incident_sizes, default=joining.DEFAULT_SIZES,
                        help="members of the incidents joined, ascending")
    parser.add_argument("--join-articles", type=positive, default=20, help="timed joins per incident size")
    parser.add_argument("--alert-watches", type=positive, default=alerting.DEFAULT_WATCHES,
                        help="watches one alert fans out to")
    parser.add_argument("--alert-rounds", type=positive, default=3, help="alerts fanned out, each timed")
    parser.add_argument("--site-incidents", type=positive, default=10_000, help="incidents seeded for the site figures")
    parser.add_argument("--site-articles", type=positive, default=100_000, help="articles seeded for the site figures")
    parser.add_argument("--site-requests", type=positive, default=200, help="timed requests per page")
    parser.add_argument("--site-sources", type=positive, default=300, help="sources in all for the status board")
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    return args


def run_child(module: str, child_args: list[str], cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    """Run `python -m <module>` and yield the entries it prints; its stderr (progress, tracebacks)
    goes straight to ours. A child that fails yields an error figure instead of stopping the run."""
    process = start([sys.executable, "-m", module, *child_args], stdout=subprocess.PIPE, text=True)
    cleanup.callback(stop, process)
    for line in process.stdout:
        if line.startswith("{"):
            yield entry_from_json(line)
        else:
            print(line, end="", file=sys.stderr)
    process.stdout.close()
    if process.wait() != 0:
        yield Figure.failed(f"{module.removeprefix('bench.')}.exit", f"exited with status {process.returncode}; "
                            "its error output is above")


def on_each_database(
    module: str, label: str, args_for_child: list[str], skipped: list[str], work_dir: Path,
    cleanup: contextlib.ExitStack, kept_postgres: str | None = None,
) -> Iterator[Entry]:
    """Run a bench child on a fresh SQLite file, then on a throw-away database on DATABASE_URL's
    server when that is PostgreSQL (else the `skipped` figures say why), or on `kept_postgres`,
    a database that is kept (the child is told so)."""
    sqlite_dir = work_dir / f"{label}-sqlite"
    progress(f"{label} on SQLite (subprocess)")
    yield from run_child(
        module, ["--database-url", sqlite_url(sqlite_dir), "--var-dir", str(sqlite_dir), *args_for_child], cleanup
    )
    if kept_postgres is not None:
        progress(f"{label} on PostgreSQL: the kept database {kept_postgres.rsplit('/', 1)[-1]} (subprocess)")
        yield from run_child(module, ["--database-url", kept_postgres, "--var-dir", str(work_dir / f"{label}-kept"),
                                      *args_for_child, "--keep-archive"], cleanup)
        return
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgres_url(server_url):
        for name in skipped:
            yield Figure.skipped(name, "DATABASE_URL is not PostgreSQL")
        return
    progress(f"{label} on PostgreSQL: a throw-away database on DATABASE_URL's server (subprocess)")
    pg_dir = work_dir / f"{label}-postgresql"
    # Exits run last-first: the child is stopped before its database is dropped.
    with throwaway_postgres_database(server_url) as database_url, contextlib.ExitStack() as child_cleanup:
        yield from run_child(
            module, ["--database-url", database_url, "--var-dir", str(pg_dir), *args_for_child], child_cleanup
        )


def store_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    common = ["--min-seconds", str(args.min_seconds), "--min-rounds", str(args.store_rounds)]
    names = ("items_per_s", "parse_only_items_per_s", "ratio_to_parse", "unchanged_items_per_s")
    yield from on_each_database("bench.storing", "store", common, [f"store.postgresql.{n}" for n in names],
                                work_dir, cleanup)


def cluster_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    sizes = args.cluster_sizes
    common = ["--sizes", ",".join(map(str, sizes)), "--articles", str(args.cluster_articles),
              "--rounds", str(args.cluster_rounds)]
    progress(f"clustering against archives of {', '.join(map(clustering.size_label, sizes))} incidents")
    if args.cluster_database and not is_postgres_url(args.cluster_database):
        yield Figure.failed("cluster.postgresql", f"--cluster-database must be a PostgreSQL URL, not "
                            f"{args.cluster_database.split(':', 1)[0]}:…")
        return
    yield from on_each_database("bench.clustering", "cluster", common,
                                clustering.figure_names("cluster.postgresql", sizes), work_dir, cleanup,
                                kept_postgres=args.cluster_database)


def join_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    sizes = args.join_sizes
    common = ["--sizes", ",".join(map(str, sizes)), "--joins", str(args.join_articles)]
    progress(f"joining incidents of {', '.join(f'{size:,}' for size in sizes)} members")
    yield from on_each_database("bench.joining", "join", common, joining.figure_names("join.postgresql", sizes),
                                work_dir, cleanup)


def alerts_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    progress(f"one alert fanned out to {args.alert_watches:,} watches")
    common = ["--watches", str(args.alert_watches), "--rounds", str(args.alert_rounds)]
    yield from on_each_database("bench.alerting", "alerts", common, alerting.figure_names("alerts.postgresql"),
                                work_dir, cleanup)


def poll_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    progress("starting the fixture HTTP servers (with and without ETag)")
    etag_server = cleanup.enter_context(fixture_server(True, work_dir / "demo-server.log"))
    plain_server = cleanup.enter_context(fixture_server(False, work_dir / "plain-server.log"))
    poll_dir = work_dir / "poll-sqlite"
    child_args = [
        "--database-url", sqlite_url(poll_dir), "--var-dir", str(poll_dir),
        "--etag-server", etag_server, "--plain-server", plain_server,
        "--min-seconds", str(args.min_seconds), "--max-polls", str(args.max_polls),
        "--sources", str(args.sources), "--time-cap", str(args.time_cap),
        "--celery-timeout", str(args.celery_timeout),
    ]
    if args.no_celery:
        child_args.append("--no-celery")
    yield from run_child("bench.polling", child_args, cleanup)


def site_section(args, work_dir: Path, cleanup: contextlib.ExitStack) -> Iterator[Entry]:
    common = ["--incidents", str(args.site_incidents), "--articles", str(args.site_articles),
              "--requests", str(args.site_requests), "--sources", str(args.site_sources)]
    names = [f"site.postgresql.{page}_{q}" for page in site.PAGES for q in ("p50", "p95")]
    names += [f"site.postgresql.{page}_queries" for page in site.COUNTED]
    yield from on_each_database("bench.site", "site", common, names, work_dir, cleanup)


def _interrupt_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # the same clean-up path as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    report = Report()
    started = time.monotonic()
    report.title(f"OutageHub benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
                 f"{platform.machine()}; figures only, nothing passes or fails on time")
    try:
        with contextlib.ExitStack() as cleanup:
            work_dir = Path(tempfile.mkdtemp(prefix="outagehub-bench-"))
            cleanup.callback(shutil.rmtree, work_dir, ignore_errors=True)
            runs = {
                "parse": lambda: parsing.run(args.min_seconds),
                "store": lambda: store_section(args, work_dir, cleanup),
                "poll": lambda: poll_section(args, work_dir, cleanup),
                "cluster": lambda: cluster_section(args, work_dir, cleanup),
                "join": lambda: join_section(args, work_dir, cleanup),
                "site": lambda: site_section(args, work_dir, cleanup),
                "alerts": lambda: alerts_section(args, work_dir, cleanup),
            }
            for name in SECTIONS:  # in this order whatever the order of --only
                if name in args.sections:
                    report.start_section(name)
                    for entry in runs[name]():
                        report.add(entry)
    except KeyboardInterrupt:
        print("\ninterrupted: processes stopped, temporary files removed", file=sys.stderr)
        return 130
    print(f"\n{report.summary(time.monotonic() - started)}", flush=True)
    return 1 if report.has_errors else 0


if __name__ == "__main__":
    sys.exit(main())
