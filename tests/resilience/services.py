"""Real servers and processes for the fault tests, each started by the test on a spare port of 127.0.0.1:
a Redis and a PostgreSQL the test may kill (never the machine's own 6379 and 5432), a broker of the
test's own (so no other test's messages, and no messages left from an earlier run, reach its workers),
Celery workers and beats as separate processes, and an HTTP server that holds a response until the test
lets it go (a known point inside a fetch, without sleeping).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import RequestFactory

from outagehub.celery import app
from outagehub.healthz import healthz
from tests.httpserver import FIXTURES_DIR

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0,
              processes: tuple[Process, ...] = ()) -> None:
    """Poll `condition` until it holds; fail naming `what` (and with the processes' logs) after `timeout`.
    The timeout bounds the test; it is never what the test asserts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            if process.exited():
                raise AssertionError(f"{process.name} exited early while waiting for {what}:\n{process.log()[-6000:]}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {p.name} ---\n{p.log()[-6000:]}" for p in processes)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")


class Process:
    """A child process in its own session (so the test can kill it with everything it started), logging
    to a file the failure message shows."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        log = self.log_path.open("a")
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        log.close()
        return self

    def exited(self) -> bool:
        return self.popen is not None and self.popen.poll() is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a Celery worker and its pool children) and reap it."""
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def stop(self) -> None:
        self.kill()  # the test is over: nothing to finish, and its broker and data go with it


class RedisServer:
    """redis-server without persistence on a spare port: a restart loses every message, as in production
    when Redis runs without AOF."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.process = Process(f"redis-{self.port}", [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(log_dir),
        ], dict(os.environ), log_dir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process.start()
        wait_for(self.answers, f"redis-server on port {self.port} to answer PING", 20, (self.process,))
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        self.process.kill()


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl in a temporary folder, port spare, fsync off).
    Its commits are synchronous, as a real server's are: with synchronous_commit off, the crash the fault
    test makes loses the transactions of the last few hundred milliseconds that the workers were told had
    committed (sources left claimed, articles gone), which no production server does. fsync off costs only
    what the operating system would lose, and the test crashes the server, never the machine.
    PostgreSQL refuses to run as root, so as root it runs as the system's `postgres` user (`runuser`)."""

    def __init__(self) -> None:
        self.port = free_port()
        # Its own folder under /tmp: pytest's are private to the user running the tests, which may not be
        # the one running the server.
        self.data_dir = Path(tempfile.mkdtemp(prefix="outagehub-pg-"))
        self.bin = next((d for d in PG_BIN_DIRS if (d / "pg_ctl").exists()), None)
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            self.run_as = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def unavailable(cls) -> str:
        """Why no cluster can be started here, or "" when one can."""
        if not any((d / "initdb").exists() for d in PG_BIN_DIRS):
            return "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and no 'postgres' system user exists to run a test cluster as"
            if not shutil.which("runuser"):
                return "running as root and runuser is missing"
        return ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/outagehub"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.run_as, *args], capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"

    def init(self) -> PostgresServer:
        if self.run_as:
            shutil.chown(self.data_dir, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data_dir / "pg"), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync", "--no-instructions")
        return self

    def start(self) -> PostgresServer:
        options = (f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir / "pg"), "-l", str(self.data_dir / "pg.log"),
                  "-o", options, "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is the crash of the server: every connection drops at once, no clean shutdown."""
        if (self.data_dir / "pg" / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir / "pg"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def log(self) -> str:
        path = self.data_dir / "pg.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE outagehub")


class GatedHTTPServer:
    """Serves recorded payloads from tests/fixtures; a path that is `hold`-ed keeps its response until
    `release`, and `arrived(path)` tells the test a worker is now inside that fetch."""

    def __init__(self) -> None:
        self._routes: dict[str, tuple[bytes, str]] = {}
        self._held: dict[str, threading.Event] = {}
        self._arrived: dict[str, threading.Event] = {}
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                gate._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> GatedHTTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        for event in self._held.values():
            event.set()
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve_file(self, path: str, fixture: str, content_type: str) -> str:
        self._routes[path] = ((FIXTURES_DIR / fixture).read_bytes(), content_type)
        return self.url(path)

    def hold(self, path: str) -> None:
        self._held[path] = threading.Event()
        self._arrived[path] = threading.Event()

    def arrived(self, path: str) -> bool:
        return self._arrived[path].is_set()

    def release(self, path: str) -> None:
        self._held.pop(path).set()

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits.get(path, 0)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
        held = self._held.get(path)
        if held is not None:
            self._arrived[path].set()
            held.wait(timeout=120)  # bounded: a test that forgets to release does not hang the server
        body, content_type = self._routes.get(path, (b"not found", "text/plain"))
        try:
            handler.send_response(200 if path in self._routes else 404)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the worker that asked was killed meanwhile


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "outagehub", *args]


def worker_args(name: str, *, queues: str = "", concurrency: int = 1) -> list[str]:
    args = celery_command("worker", "--pool=prefork", f"--concurrency={concurrency}", f"--hostname={name}@%h",
                          "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO")
    return [*args, "-Q", queues] if queues else args


@contextlib.contextmanager
def publishing_to(url: str, transport: str | None, options: dict):
    """Point this process's Celery app at another broker for the length of a test, so what the test
    publishes reaches its own workers and nothing else."""
    conf = app.conf
    # The write and read URLs, because Celery prefers a CELERY_BROKER_URL in the environment to broker_url.
    names = ("broker_write_url", "broker_read_url", "broker_transport", "broker_transport_options")
    saved = {name: conf.get(name) for name in names}

    def reset_pools():
        app._pool = None  # Celery builds both again from the configuration on the next publish
        app.amqp._producer_pool = None

    conf.update(broker_write_url=url, broker_read_url=url, broker_transport=transport,
                broker_transport_options=options)
    reset_pools()
    try:
        yield
    finally:
        conf.update(saved)
        reset_pools()


def health() -> tuple[int, dict]:
    """What /healthz answers now (its view, called directly): the status code and each check's status."""
    response = healthz(RequestFactory().get("/healthz"))
    checks = json.loads(response.content)["checks"]
    return response.status_code, {name: check["status"] for name, check in checks.items()}
