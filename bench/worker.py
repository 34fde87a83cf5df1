"""Throughput through a real Celery worker process: `celery worker --pool=solo --concurrency=1` on
the filesystem broker (in this run's temp dir) and the same throw-away SQLite database.

The worker is started in our process group, so stopping the benchmark's group stops it too; the
`finally` below stops it on every normal or interrupted way out.
"""

import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from time import perf_counter

from . import ROOT
from .processes import start, stop, wait_until
from .report import Figure, progress

WORKER_START_TIMEOUT = 60.0


def worker_command(queue: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "outagehub", "worker", "--pool=solo", "--concurrency=1",
        "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
    ]


def worker_environment() -> dict[str, str]:
    """Ours, with the checkout importable from the temp working directory (`-A outagehub`)."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def celery_throughput(source_ids: list[int], warmup_id: int, var_dir: Path, timeout: float) -> Figure:
    """Enqueue one fetch_source task per source and time until every source has its FetchAttempt."""
    from articles.models import FetchAttempt
    from articles.tasks import fetch_source

    queue = f"bench-{uuid.uuid4().hex[:8]}"  # no dots: the filesystem transport splits file names on them
    log_path = var_dir / "celery-worker.log"

    def attempts(ids: list[int]) -> int:
        # The sources were bulk-created in one go, so their ids are one range (no 1,000-item IN list).
        in_range = FetchAttempt.objects.filter(source_id__gte=min(ids), source_id__lte=max(ids))
        return in_range.values("source_id").distinct().count()

    # "No hostname was supplied": true and harmless for the filesystem transport.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    with open(log_path, "ab") as log:
        # The environment is this process's: same database, same broker folder, same settings; the
        # same working directory too, for the transport's "./control" tables (see bench/child.py).
        worker = start(
            worker_command(queue), own_session=False, cwd=Path.cwd(), env=worker_environment(),
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        progress("starting a Celery worker (solo pool)")
        fetch_source.apply_async((warmup_id,), queue=queue)
        try:
            wait_until(lambda: attempts([warmup_id]) == 1, WORKER_START_TIMEOUT, "Celery worker warm-up", worker)
        except (TimeoutError, RuntimeError) as exc:
            raise RuntimeError(f"{exc}; worker log:\n{log_tail(log_path)}") from None

        progress(f"Celery worker: {len(source_ids)} fetch_source tasks")
        started = perf_counter()
        for source_id in source_ids:
            fetch_source.apply_async((source_id,), queue=queue)
        enqueued_in = perf_counter() - started
        done = wait_for_attempts(lambda: attempts(source_ids), len(source_ids), started + timeout, worker)
        seconds = perf_counter() - started
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited ({worker.returncode}); its log:\n{log_tail(log_path)}")
    finally:
        stop(worker, grace=15.0)
    note = f"{done} of {len(source_ids)} first polls in {seconds:.1f} s (enqueueing took {enqueued_in:.1f} s)"
    if done < len(source_ids):
        note += f"; stopped at the {timeout:.0f} s cap"
    return Figure("throughput.celery_worker_sources_per_min", done / seconds * 60, "sources/min",
                  f"{note}; solo pool, filesystem broker, SQLite")


def wait_for_attempts(count_done, total: int, deadline: float, worker: subprocess.Popen) -> int:
    """Poll the database (a cheap COUNT) until `total` sources are done, the deadline passes or the
    worker dies; how many are done. Progress every fifth of the way."""
    done = reported = 0
    while perf_counter() < deadline and worker.poll() is None:
        done = count_done()
        if done >= total:
            break
        if done - reported >= max(1, total // 5):
            reported = done
            progress(f"Celery worker: {done}/{total}")
        time.sleep(0.2)
    return done


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"
