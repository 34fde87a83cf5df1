"""scripts/serve (`make run`, `make demo`): Ctrl-C or SIGTERM stops every process it started, quietly.

The real script runs, in demo mode (local payloads, its own SQLite and broker in a temporary folder).
Nothing here is timed: the waits are generous bounds, and the assertions are on which processes exist.
"""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

# What a clean start and stop must not print (issue 15): kombu's warning about the filesystem broker,
# Celery's warning about running as root, and pool processes killed from outside.
NOISE = ("No hostname was supplied", "superuser privileges", "exited with signal")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # exited while we looked
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def answers(port: int, attempts: int = 120) -> bool:
    """Whether the web app answers on ``port`` within ``attempts`` tries, half a second apart."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10):
                return True
        except urllib.error.HTTPError:
            return True  # 503 is an answer: beat has not ticked yet
        except OSError:
            time.sleep(0.5)
    return False


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie (exited, not yet reaped by whoever adopted it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Output:
    """The script's combined output, read on a thread so its pipe never fills."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, *needles: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: all(any(n in line for line in self.lines) for n in needles),
                                         timeout=timeout)

    @property
    def text(self) -> str:
        with self.changed:
            return "".join(self.lines)


@pytest.mark.parametrize(("how", "exit_status"), [("ctrl-c", 130), ("sigterm", 143)])
def test_stopping_the_launcher_stops_everything_it_started_without_noise(tmp_path, how, exit_status):
    web, demo = free_port(), free_port()
    env = {**os.environ, "OUTAGEHUB_VAR_DIR": str(tmp_path), "OUTAGEHUB_SCRAPE_TEASERS": "0",
           "DJANGO_SETTINGS_MODULE": "outagehub.settings", "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)  # demo mode chooses its own, under the temporary folder
    process = subprocess.Popen(  # a session of its own, as a terminal gives a command
        ["scripts/serve", "--port", str(web), "--demo", str(demo)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output = Output(process)
    try:
        ready = output.wait_for(" ready.", f"OutageHub: http://127.0.0.1:{web}/", timeout=300)
        assert ready and answers(web), f"the launcher did not start:\n{output.text}"
        started = descendants(process.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in started]
        assert any("celery" in c and "worker" in c for c in commands), commands
        assert any("runserver" in c for c in commands) and any("demo_server" in c for c in commands), commands

        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
        else:
            process.send_signal(signal.SIGTERM)  # what a service manager or `kill` does: the script alone
        assert process.wait(timeout=180) == exit_status, output.text
        output.thread.join(timeout=30)

        assert [pid for pid in started if running(pid)] == [], "processes left running after the launcher exited"
        noise = [line for line in output.text.splitlines() if any(n in line for n in NOISE)]
        assert noise == []
    finally:
        if process.poll() is None:
            for pid in descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()
