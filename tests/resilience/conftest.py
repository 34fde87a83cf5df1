"""Fixtures of the fault tests: a broker of the test's own, workers and beats as real processes, the
recorded corpus served by a gated HTTP server. See services.py."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.resilience.services import (
    GatedHTTPServer,
    Process,
    RedisServer,
    celery_command,
    publishing_to,
    wait_for,
    worker_args,
)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Cluster:
    """Workers and beats of one test, on its broker and the test database."""

    def __init__(self, tmp_path: Path, broker_env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.var_dir = tmp_path / "var"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "OUTAGEHUB_VAR_DIR": str(self.var_dir),
            "OUTAGEHUB_SCRAPE_TEASERS": "0",
            **broker_env,
        }
        self.processes: list[Process] = []

    def worker(self, name: str, queues: str = "", concurrency: int = 1, wait: bool = True, **env: str) -> Process:
        process = Process(name, worker_args(name, queues=queues, concurrency=concurrency),
                          {**self.env, **env}, self.tmp_path).start()
        self.processes.append(process)
        if wait:
            wait_for(lambda: " ready." in process.log(), f"worker {name} to start", 60, (process,))
        return process

    def beat(self, name: str, **env: str) -> Process:
        args = celery_command("beat", "--loglevel=INFO", "-s", str(self.tmp_path / f"{name}-schedule"))
        process = Process(name, args, {**self.env, **env}, self.tmp_path).start()
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture
def gated_server():
    server = GatedHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own, without persistence; the test may kill and restart it."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server); this fault test needs one")
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def cluster(transactional_db, tmp_path, request):
    """Workers and beats on a broker of the test's own: the configured engine (Redis or the filesystem
    transport), never the broker other tests use. A test that asks for `redis_server` gets that one."""
    if "redis_server" in request.fixturenames or settings.CELERY_BROKER_URL.startswith("redis"):
        redis = request.getfixturevalue("redis_server")
        broker = ({"CELERY_BROKER_URL": redis.url}, redis.url, None,
                  {"visibility_timeout": settings.CELERY_BROKER_VISIBILITY_TIMEOUT})
    else:
        folders = {name: tmp_path / "var" / "broker" / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True)
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                   "data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
                   "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"])}
        broker = ({"CELERY_BROKER_URL": "filesystem://"}, "filesystem://", settings.CELERY_BROKER_TRANSPORT, options)
    broker_env, url, transport, options = broker
    running = Cluster(tmp_path, broker_env)
    with publishing_to(url, transport, options):
        try:
            yield running
        finally:
            running.stop_all()
