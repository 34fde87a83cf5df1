"""What every benchmark subprocess shares: Django on a throw-away database, figures as JSON lines
on stdout (bench/__main__.py prints them), and cleanup when the parent sends SIGTERM.

Each database gets its own process because Django reads DATABASES once, at start-up.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .report import Entry, Figure, entry_to_json


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", required=True, help="a throw-away database: it is migrated and filled")
    parser.add_argument("--var-dir", type=Path, help="OUTAGEHUB_VAR_DIR (broker folder); default: a temp dir")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="time each rate for at least this long")
    return parser


def configure_django(database_url: str, var_dir: Path) -> None:
    """tests.settings, on the given database, with a throw-away secret key and the SSRF guard off
    (the benchmark's HTTP servers are on 127.0.0.1). Never the checkout's var/outagehub.sqlite3."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "OUTAGEHUB_VAR_DIR": str(var_dir),
        "SECRET_KEY": "bench-only-" + secrets.token_urlsafe(48),
        "OUTAGEHUB_ALLOW_PRIVATE_SOURCES": "1",
        "DEBUG": "0",  # DEBUG=1 would make Django keep every query in memory and slow it down
        "CELERY_BROKER_URL": "filesystem://",  # inside var_dir, so nothing is shared with a real broker
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",  # the host name of Django's test client, which bench/site.py uses
        "OUTAGEHUB_API_RATE": "1000000/min",  # the site bench times the API from one address, thousands of times
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    })
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through every `finally`: workers stopped, temp dirs removed


@contextlib.contextmanager
def _var_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    made = Path(tempfile.mkdtemp(prefix="outagehub-bench-"))
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


def main(parser: argparse.ArgumentParser, run: Callable[[argparse.Namespace], Iterable[Entry]]) -> int:
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    figures_out = sys.stdout
    sys.stdout = sys.stderr  # anything else printed must not corrupt the figure stream
    with _var_dir(args.var_dir) as var_dir:
        args.var_dir = var_dir
        # kombu's filesystem transport keeps its exchange tables in "./control", relative to the
        # working directory (the settings do not move it): work from the temp dir so they land
        # there, not in the checkout. Imports still work: `-m` put the checkout on sys.path.
        os.chdir(var_dir)
        configure_django(args.database_url, var_dir)
        for entry in run(args):
            print(entry_to_json(entry), file=figures_out, flush=True)
    return 0


def guarded(names: list[str], measure: Callable[[], list[Figure]]) -> list[Figure]:
    """Run one group of measurements; if it crashes, the traceback goes to stderr and its figures
    say "error", so the other groups still run and the parent exits non-zero."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
        traceback.print_exc()
        return [Figure.failed(name, f"{type(exc).__name__}: {exc}") for name in names]
