"""The demo server serves the recorded payloads read-only, with validators and 304s, and nothing else."""

import http.client
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from articles.demo_server import BIND_ADDRESS, DEFAULT_DEMO_SOURCES, FixtureServer, content_types_from
from articles.sources_catalog import FIXTURES_DIR

ARS_PATH = "technews/arstechnica-feed-2025-10-25-aws-outage.rss"
GCP_PATH = "gcp/gcp-status-incidents-2022-07-03.json"


def start_server(root: Path, content_types: dict[str, str]):
    server = FixtureServer(0, root, content_types, quiet=True)  # port 0: the OS picks a free one
    # A short poll interval so shutdown() returns at once instead of after half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def demo_server():
    server, thread = start_server(FIXTURES_DIR, content_types_from(DEFAULT_DEMO_SOURCES))
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def base_url(server) -> str:
    return f"http://{BIND_ADDRESS}:{server.server_port}"


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) -- urllib raises for a 304 or a 404, so unwrap those too."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw_get(server, path: str) -> int:
    """Send `path` exactly as written; urllib and browsers would tidy up a ../ first."""
    connection = http.client.HTTPConnection(BIND_ADDRESS, server.server_port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_serves_a_payload_byte_for_byte_with_its_content_type_and_validators(demo_server):
    status, headers, body = fetch(f"{base_url(demo_server)}/{ARS_PATH}")
    assert status == 200
    assert body == (FIXTURES_DIR / ARS_PATH).read_bytes()
    assert headers["Content-Type"] == content_types_from(DEFAULT_DEMO_SOURCES)[ARS_PATH]
    assert headers["Content-Type"].startswith("application/rss+xml")
    assert headers["ETag"].startswith('"')
    assert headers["Last-Modified"].endswith("GMT")
    assert int(headers["Content-Length"]) == len(body)


def test_json_payloads_are_served_as_json(demo_server):
    status, headers, body = fetch(f"{base_url(demo_server)}/{GCP_PATH}")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body.startswith(b"[")


def test_a_repeat_with_the_etag_gets_304_without_a_body(demo_server):
    url = f"{base_url(demo_server)}/{ARS_PATH}"
    _, first, _ = fetch(url)
    status, headers, body = fetch(url, {"If-None-Match": first["ETag"]})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == first["ETag"]

    status, _, body = fetch(url, {"If-None-Match": '"something-else"'})
    assert status == 200 and body


def test_a_repeat_with_last_modified_gets_304(demo_server):
    url = f"{base_url(demo_server)}/{ARS_PATH}"
    _, first, _ = fetch(url)
    status, _, body = fetch(url, {"If-Modified-Since": first["Last-Modified"]})
    assert (status, body) == (304, b"")

    status, _, _ = fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert status == 200


def test_head_sends_the_headers_only(demo_server):
    status, headers, body = fetch(f"{base_url(demo_server)}/{ARS_PATH}", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == (FIXTURES_DIR / ARS_PATH).stat().st_size


def test_missing_files_and_folders_are_404(demo_server):
    assert fetch(f"{base_url(demo_server)}/technews/no-such-feed.rss")[0] == 404
    assert fetch(f"{base_url(demo_server)}/technews/")[0] == 404  # no directory listings


@pytest.mark.parametrize(
    "path",
    [
        "/../../pyproject.toml",
        "/technews/../../../pyproject.toml",
        "/%2e%2e/%2e%2e/pyproject.toml",
        "/technews/..%2f..%2f..%2fpyproject.toml",
        "/..\\..\\pyproject.toml",
    ],
)
def test_paths_that_escape_the_folder_are_refused(demo_server, path):
    assert raw_get(demo_server, path) == 403


def test_symlinks_pointing_out_of_the_folder_are_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    server, thread = start_server(root, {})
    try:
        assert raw_get(server, "/link.txt") == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_unlisted_files_get_a_content_type_from_their_extension(tmp_path):
    for name in ("feed.rss", "feed.atom", "data.json", "blob.bin"):
        (tmp_path / name).write_bytes(b"x")
    server, thread = start_server(tmp_path, {})
    try:
        url = base_url(server)
        assert fetch(f"{url}/feed.rss")[1]["Content-Type"] == "application/rss+xml"
        assert fetch(f"{url}/feed.atom")[1]["Content-Type"] == "application/atom+xml"
        assert fetch(f"{url}/data.json")[1]["Content-Type"] == "application/json"
        assert fetch(f"{url}/blob.bin")[1]["Content-Type"] == "application/octet-stream"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_it_listens_on_loopback_only(demo_server):
    assert demo_server.server_address[0] == "127.0.0.1"


def test_it_does_not_import_django():
    # A fresh interpreter: this test process has Django loaded already.
    code = "import sys, articles.demo_server; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=FIXTURES_DIR.parent.parent
    )
    assert result.stdout.strip() == "False"


def test_without_validators_every_request_gets_the_whole_body(tmp_path):
    import threading
    import urllib.request

    from articles.demo_server import FixtureServer

    (tmp_path / "feed.rss").write_bytes(b"<rss/>")
    server = FixtureServer(0, tmp_path, {}, quiet=True, validators=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/feed.rss"
        request = urllib.request.Request(url, headers={"If-None-Match": '"anything"', "If-Modified-Since": "x"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200 and response.read() == b"<rss/>"
            assert response.headers.get("ETag") is None and response.headers.get("Last-Modified") is None
    finally:
        server.shutdown()
        server.server_close()


def test_sigterm_stops_the_command_cleanly_as_ctrl_c_does():
    # scripts/serve and scripts/smoke_production stop it with SIGTERM and check its exit status.
    process = subprocess.Popen([sys.executable, "-m", "articles.demo_server", "--port", "0", "--root",
                                str(FIXTURES_DIR)], cwd=Path(__file__).resolve().parents[2],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout.readline().startswith("Serving ")  # listening, the handler in place
    process.terminate()
    assert process.wait(timeout=60) == 0
