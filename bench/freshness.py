"""`make freshness` (`python -m bench.freshness`): how long a new status post takes to reach readers.

    python -m bench.freshness                       # SQLite, the filesystem broker: what `make run` uses
    python -m bench.freshness --database-url postgres://postgres@127.0.0.1:5432/a_throwaway_db  # migrated, filled

A measurement, not a test: it takes several minutes. A Celery worker with beat runs with the default
periods (dispatch every 60 s, summary tick every 10 s, debounce 60 s) against status sources polled
every 60 s (the default for status pages), served by a local HTTP server in this process. Once every
source has been polled, trials begin: at random moments a source's payload gains a new incident post,
and this process watches (every second, as a reader would, through the site's own views and page
cache) for its title on the incident page and in the Atom feed, and for the incident's first summary.
Reports p50, p95 and max seconds from the post to each, over all trials.
"""

import atexit
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import quantiles

from .child import arguments, guarded, main
from .databases import sqlite_url
from .processes import start, stop
from .report import Figure, format_figure, progress
from .worker import log_tail, worker_environment

WORDS = ("login", "API", "dashboard", "webhook", "billing", "storage", "DNS", "email", "SSO", "queue")


class StatusPages:
    """Statuspage-style /s<n>/api/v2/incidents.json payloads that trials add posts to."""

    def __init__(self, count: int):
        self.incidents: list[list[dict]] = [[] for _ in range(count)]
        self.lock = threading.Lock()

    def body(self, n: int) -> bytes:
        with self.lock:
            return json.dumps({"page": {"url": f"https://status{n}.example"}, "incidents": self.incidents[n]}).encode()

    def post(self, n: int, trial: int, rng: random.Random) -> tuple[str, str]:
        """A new incident on source n; its id and title."""
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        incident_id = f"fresh{n}x{trial}"
        title = f"Elevated {rng.choice(WORDS)} errors, trial {trial} on page {n}"
        with self.lock:
            self.incidents[n].insert(0, {
                "id": incident_id, "name": title, "status": "investigating", "impact": "major",
                "created_at": now, "started_at": now, "updated_at": now,
                "incident_updates": [{"id": f"{incident_id}u1", "status": "investigating", "created_at": now,
                                      "display_at": now, "body": f"We are investigating elevated errors ({title})."}],
            })
        return incident_id, title


def serve(pages: StatusPages) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            n = int(self.path.split("/")[1][1:])
            body = pages.body(n)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch(trials: list[dict], timeout: float) -> None:
    """Each second: which trials' posts show on their incident page, in the feed, in a summary."""
    from django.test import Client

    from articles.models import Article

    client = Client()
    while any(t.get("posted") and not t.get("done") for t in trials) or any(not t.get("posted") for t in trials):
        now = time.monotonic()
        feed = client.get("/feeds/incidents.atom").content.decode()
        for trial in trials:
            if not trial.get("posted") or trial.get("done"):
                continue
            article = (Article.objects.filter(source_id=trial["source_id"], external_id=trial["external_id"])
                       .select_related("membership__incident").first())
            incident = getattr(getattr(article, "membership", None), "incident", None)
            if (incident is not None and "page" not in trial
                    and trial["title"] in client.get(f"/incidents/{incident.slug}/").content.decode()):
                trial["page"] = now - trial["posted"]
            if "feed" not in trial and trial["title"] in feed:
                trial["feed"] = now - trial["posted"]
            if incident is not None and "summary" not in trial and incident.summary_id is not None:
                trial["summary"] = now - trial["posted"]
            trial["done"] = all(k in trial for k in ("page", "feed", "summary")) or now - trial["posted"] > timeout
        time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))


def post_at_random_moments(pages: StatusPages, trials: list[dict], rng: random.Random, gap: tuple[float, float]):
    """Per source, one trial after another, each a random gap after the previous post."""
    def run(source_trials: list[dict]):
        for trial in source_trials:
            time.sleep(rng.uniform(*gap))
            trial["external_id"], trial["title"] = pages.post(trial["page_index"], trial["number"], rng)
            trial["posted"] = time.monotonic()
            progress(f"trial {trial['number']}: posted on page {trial['page_index']}")

    by_page: dict[int, list[dict]] = {}
    for trial in trials:
        by_page.setdefault(trial["page_index"], []).append(trial)
    for source_trials in by_page.values():
        threading.Thread(target=run, args=(source_trials,), daemon=True).start()


def measure(args) -> list[Figure]:
    from django.conf import settings

    from articles.models import FetchAttempt, Source

    rng = random.Random(args.seed)
    pages = StatusPages(args.sources)
    server = serve(pages)
    port = server.server_address[1]
    sources = [Source.objects.create(name=f"Freshness status {n}", slug=f"fresh-{n}", kind="statuspage",
                                     url=f"http://127.0.0.1:{port}/s{n}/api/v2/incidents.json",
                                     vendor_name=f"Freshvendor{n}", poll_interval=60, allow_private_addresses=True)
               for n in range(args.sources)]
    log_path = args.var_dir / "celery.log"
    with open(log_path, "ab") as log:
        worker = start([sys.executable, "-m", "celery", "-A", "outagehub", "worker", "--beat", "--concurrency=2",
                        "--loglevel=WARNING"], own_session=False, cwd=args.var_dir, env=worker_environment(),
                       stdout=log, stderr=log)
    try:
        progress(f"worker + beat started; waiting for the first poll of {len(sources)} sources")
        deadline = time.monotonic() + 180
        while FetchAttempt.objects.values("source").distinct().count() < len(sources):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sources were not polled; worker log:\n{log_tail(log_path)}")
            time.sleep(1)
        trials = [{"number": k, "page_index": k % len(sources), "source_id": sources[k % len(sources)].pk}
                  for k in range(args.trials)]
        post_at_random_moments(pages, trials, rng, (args.min_gap, args.max_gap))
        watch(trials, args.timeout)
    finally:
        stop(worker, grace=15.0)
        server.shutdown()
    note = (f"{args.trials} trials, {len(sources)} status sources polled every 60 s, dispatch every "
            f"{settings.OUTAGEHUB_DISPATCH_PERIOD} s, summary tick {settings.OUTAGEHUB_SUMMARY_PERIOD} s, "
            f"debounce {settings.OUTAGEHUB_SUMMARY_DEBOUNCE} s")
    figures = []
    for what in ("page", "feed", "summary"):
        seen = sorted(t[what] for t in trials if what in t)
        missing = len(trials) - len(seen)
        if len(seen) < 2:
            figures.append(Figure.failed(f"freshness.{what}_p50", f"seen in {len(seen)} of {len(trials)} trials"))
            continue
        cuts = quantiles(seen, n=20, method="inclusive")
        figures += [
            Figure(f"freshness.{what}_p50", cuts[9], "s", note if what == "page" else ""),
            Figure(f"freshness.{what}_p95", cuts[18], "s"),
            Figure(f"freshness.{what}_max", seen[-1], "s",
                   f"{missing} not seen within {args.timeout:.0f} s" if missing else ""),
        ]
    return figures


def run(args):
    """The figures as JSON lines on stdout (as every bench child), and readable on stderr."""
    title = "freshness: a new status post at random moments, worker + beat with the default periods"
    print(title, file=sys.stderr)
    yield title
    for figure in guarded(["freshness.page_p50"], lambda: measure(args)):
        print(format_figure(figure), file=sys.stderr)
        yield figure


if __name__ == "__main__":
    if not any(arg.startswith("--database-url") for arg in sys.argv[1:]):  # `make freshness`: SQLite, as `make run`
        scratch = Path(tempfile.mkdtemp(prefix="outagehub-freshness-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        sys.argv += ["--database-url", sqlite_url(scratch), "--var-dir", str(scratch)]
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=4, help="status sources, each with its own trials")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--min-gap", type=float, default=20.0, help="least seconds between two posts on one source")
    parser.add_argument("--max-gap", type=float, default=100.0)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a trial is watched at most")
    parser.add_argument("--seed", type=int, default=15)
    sys.exit(main(parser, run))
