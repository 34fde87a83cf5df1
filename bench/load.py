"""`make loadtest` (`python -m bench.load`): OutageHub under 50 concurrent readers, on gunicorn and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres CACHE_URL=redis://127.0.0.1:6379/1 python -m bench.load
    python -m bench.load --short        # CI: a small archive, 20 s

1. a throw-away database on DATABASE_URL's server (PostgreSQL only), seeded as `make bench`'s site
   section seeds it (bench/load_data.py): 10,000 incidents, 100,000 articles;
2. gunicorn (`outagehub.wsgi`, sync workers, settings given as flags, not gunicorn.conf.py) on a free
   port of 127.0.0.1, with the page cache of CACHE_URL (local memory per worker when unset);
3. locust, headless, bounded in time (bench/locustfile.py): the timeline, incident pages, search and
   the feeds at 50 concurrent clients with no think time; then requests/s, p50 and p99 per kind.

Everything is on loopback, and everything it started or made is stopped and removed at the end.
Exit status 1 if any request failed (any answer but 200), so CI fails on an error; time never fails it.
"""

import argparse
import contextlib
import csv
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import ROOT
from .databases import is_postgres_url, throwaway_postgres_database
from .processes import start, stop, wait_until

KINDS = ("timeline", "incident", "search", "feed")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--short", action="store_true", help="CI's version: 300 incidents, 3,000 articles, 20 s")
    args = parser.parse_args(argv)
    if args.short:
        args.incidents, args.articles, args.seconds = 300, 3000, 20
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own server on loopback
            return response.status == 200
    except OSError:
        return False


def seed(database_url: str, args, work_dir: Path) -> Path:
    slugs = work_dir / "slugs.txt"
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.load_data", "--database-url", database_url, "--var-dir", str(work_dir / "seed"),
         "--incidents", str(args.incidents), "--articles", str(args.articles), "--slugs", str(slugs)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return slugs


def serve(database_url: str, args, work_dir: Path, cleanup: contextlib.ExitStack) -> str:
    """gunicorn on a free loopback port; its base URL once it answers."""
    port = free_port()
    no_config = work_dir / "gunicorn.conf.py"  # empty: every setting is a flag here
    no_config.write_text("")
    env = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "load-only-" + secrets.token_urlsafe(48),
        "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "OUTAGEHUB_STATIC_MANIFEST": "0",
        "OUTAGEHUB_VAR_DIR": str(work_dir / "var"), "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": os.environ.get("CACHE_URL", "locmem://"),
    }
    with open(work_dir / "gunicorn.log", "ab") as log:
        server = start([sys.executable, "-m", "gunicorn", "outagehub.wsgi:application", "--config", str(no_config),
                        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "sync",
                        "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning"],
                       env=env, stdout=log, stderr=log)
    cleanup.callback(stop, server)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(base + "/"), 60, "gunicorn answering /", server, interval=0.5)
    return base


def load(base: str, slugs: Path, args, work_dir: Path) -> tuple[int, dict[str, dict[str, str]]]:
    """Run locust; its exit status (1 when a request failed) and its statistics per kind of request."""
    prefix = work_dir / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.seconds}s",
               "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "5",
               "--loglevel", "WARNING"]
    env = {**os.environ, "OUTAGEHUB_LOAD_SLUGS": str(slugs)}
    done = subprocess.run(command, cwd=work_dir, env=env, timeout=args.seconds + 120, check=False,  # noqa: S603 - locust, no shell
                          stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return done.returncode, rows


def report(rows: dict[str, dict[str, str]], args, cache: str) -> int:
    """Print the figures; the number of failed requests."""
    print(f"load test: {args.users} clients, {args.seconds} s, gunicorn {args.workers} sync workers, "
          f"PostgreSQL, {args.incidents:,} incidents / {args.articles:,} articles, page cache {cache}")
    print(f"{'':10} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
    failures = 0
    for name in (*KINDS, "Aggregated"):
        row = rows.get(name)
        if row is None:
            print(f"{name:10} no requests")
            continue
        failures += int(row["Failure Count"]) if name != "Aggregated" else 0
        print(f"{name.lower():10} {int(row['Request Count']):>9} {float(row['Requests/s']):>8.1f} "
              f"{row['50%']:>7} {row['99%']:>7} {int(row['Failure Count']):>7}")
    return failures


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgres_url(server_url):
        print("the load test runs on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/postgres (a throw-away "
              "database is made on that server and dropped at the end)", file=sys.stderr)
        return 2
    cache = os.environ.get("CACHE_URL", "locmem://").split("://")[0]
    started = time.monotonic()
    work_dir = Path(tempfile.mkdtemp(prefix="outagehub-load-"))
    try:
        with throwaway_postgres_database(server_url) as database_url, contextlib.ExitStack() as cleanup:
            print(f"seeding {args.incidents:,} incidents and {args.articles:,} articles ...", file=sys.stderr)
            slugs = seed(database_url, args, work_dir)
            base = serve(database_url, args, work_dir, cleanup)
            print(f"gunicorn at {base}; {args.users} clients for {args.seconds} s ...", file=sys.stderr)
            status, rows = load(base, slugs, args, work_dir)
            failures = report(rows, args, cache)
    except BaseException:
        log = work_dir / "gunicorn.log"
        if log.exists():
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(f"({time.monotonic() - started:.0f} s in all)", file=sys.stderr)
    if failures or status:
        print(f"FAILED: {failures} requests failed (locust exit status {status})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
