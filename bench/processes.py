"""Starting and stopping the processes a benchmark needs, so none outlives it.

Every process is started in a session of its own and, on Linux, set to receive SIGTERM when the
process that started it dies (even by SIGKILL), so a crashed or killed benchmark leaves nothing
running. The normal way out is still `stop()`, called from a `finally` or an ExitStack.
"""

import contextlib
import ctypes
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from . import FIXTURES_DIR, ROOT

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
SERVED_AT = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(command: list[str], own_session: bool = True, cwd: Path = ROOT, **popen_kwargs) -> subprocess.Popen:
    """Popen, from the repository root by default. `own_session=False` keeps the process in our
    process group, so whoever stops our group (the parent benchmark) stops it too."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter running our own modules, no shell
        command, cwd=cwd, start_new_session=own_session,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # set before exec
        **popen_kwargs,
    )


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM (to its whole group when it leads one), then SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return
    leads_group = _leads_group(process)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig) if leads_group else process.send_signal(sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _leads_group(process: subprocess.Popen) -> bool:
    try:
        return os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return False


@contextlib.contextmanager
def fixture_server(with_validators: bool, log_path: Path, timeout: float = 15.0) -> Iterator[str]:
    """Serve tests/fixtures from another process on a free 127.0.0.1 port; yield its base URL.

    with_validators=True: articles.demo_server as the demo runs it (ETag, Last-Modified, 304 on a match).
    with_validators=False: with --no-validators (neither: every poll gets the same 200 body).
    It ignores query strings, so `?n=1`, `?n=2` ... are distinct URLs for one payload.
    """
    command = [sys.executable, "-m", "articles.demo_server", "--port", "0", "--root", str(FIXTURES_DIR), "--quiet"]
    if not with_validators:
        command.append("--no-validators")
    with open(log_path, "ab") as log:
        process = start(command, stdout=subprocess.PIPE, stderr=log)
    try:
        yield f"http://127.0.0.1:{_served_port(process, timeout, log_path)}"
    finally:
        stop(process)
        process.stdout.close()


def _served_port(process: subprocess.Popen, timeout: float, log_path: Path) -> int:
    """The port from the server's first line ("Serving ... at http://127.0.0.1:PORT/")."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().decode(errors="replace") if ready else ""
    match = SERVED_AT.search(line)
    if match is None:
        stop(process)
        log_tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(process.args[1:4])} did not start: {line!r}\n{log_tail}")
    return int(match.group(1))


def wait_until(condition, timeout: float, what: str, process: subprocess.Popen | None = None, interval=0.1) -> float:
    """Poll `condition` until true; seconds waited. Raises TimeoutError, or RuntimeError when the
    process we are waiting on exits first."""
    started = time.monotonic()
    while not condition():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with status {process.returncode}")
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - started
