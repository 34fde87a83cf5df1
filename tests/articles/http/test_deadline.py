"""articles.http.deadline against the real local HTTP server: whose socket a deadline may cut.

fetch (tests/articles/http/test_fetch.py) and the LLM backend (its tests) show that a deadline cuts a
trickling server; these show that it cuts nothing else.
"""

import time

import pytest
from urllib3.exceptions import HTTPError

from articles.http.deadline import Deadline, DeadlineHTTPConnectionPool


def test_a_pooled_connection_taken_by_another_request_is_not_cut_by_the_first_ones_deadline(http_server):
    http_server.serve("/quick", "done")
    pool = DeadlineHTTPConnectionPool("127.0.0.1", http_server.port, maxsize=1)
    try:
        # The first deadline leaves the quick request room on a loaded machine; the trickle outlasts it.
        with Deadline(1) as first:
            assert pool.urlopen("GET", "/quick").data == b"done"  # its connection goes back to the pool
            with Deadline(10) as second:  # the next request takes that same connection, kept alive
                response = pool.urlopen("GET", "/misbehave/trickle?seconds=5&interval=0.4", preload_content=False)
                body = response.read()  # about 2 s: past the first deadline, within the second
                response.release_conn()
        assert first.expired and not second.expired
        assert body == b"xxxxx"
        assert len(http_server.requests("/misbehave/trickle")) == 1
    finally:
        pool.close()


def test_a_request_after_the_deadline_passed_is_cut_before_it_reads_anything(http_server):
    http_server.serve("/late", "too late")
    pool = DeadlineHTTPConnectionPool("127.0.0.1", http_server.port, maxsize=1)
    try:
        with Deadline(0) as deadline:
            while not deadline.expired:  # the watchdog marks it on its own thread
                time.sleep(0.01)
            with pytest.raises((OSError, HTTPError)):  # the socket is shut down as soon as it is connected
                pool.urlopen("GET", "/late", retries=False)
    finally:
        pool.close()
