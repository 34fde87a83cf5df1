import pytest

from tests.httpserver import LocalHTTPServer


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 (tests/httpserver.py), one per session; reset before each test."""
    server = LocalHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _reset_http_server(request):
    # The server lives for the whole session; routes and recorded requests must not leak between tests.
    # Only tests that use it (directly or through another fixture) start it.
    if "http_server" in request.fixturenames:
        request.getfixturevalue("http_server").reset()
