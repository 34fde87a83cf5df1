import ipaddress

import pytest

from articles.http import netguard
from tests.httpserver import LocalHTTPServer
from tests.llm_server import ChatServer


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 (tests/httpserver.py), one per session; reset before each test."""
    server = LocalHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def public_http_server(http_server, monkeypatch):
    """The local server, taken for a public site by the SSRF guard. Links inside items may never reach a
    private address (issue 11, finding 7), so only this shows a scrape succeed offline; HTTP stays real."""
    local = ipaddress.ip_address(http_server.host)
    classify = netguard.classify_address
    monkeypatch.setattr(netguard, "classify_address", lambda ip: None if ip == local else classify(ip))
    return http_server


@pytest.fixture(autouse=True)
def _reset_http_server(request):
    # The server lives for the whole session; routes and recorded requests must not leak between tests.
    # Only tests that use it (directly or through another fixture) start it.
    if "http_server" in request.fixturenames:
        request.getfixturevalue("http_server").reset()


@pytest.fixture(scope="session")
def _llm_server():
    with ChatServer() as server:
        yield server


@pytest.fixture
def llm_server(_llm_server):
    """A real OpenAI-compatible chat-completions endpoint on 127.0.0.1 (tests/llm_server.py), reset per test."""
    _llm_server.reset()
    yield _llm_server
    _llm_server.wait_finished()  # no handler of this test is still writing when the next one starts


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """A rolled-back test leaves the content version where it found it, so the next test could meet a
    page rendered from rows that no longer exist: each test starts with an empty local cache. (A
    Redis cache is shared by parallel workers; its keys also carry the time of the last change.)"""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
