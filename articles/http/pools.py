"""Connection pools for fetch: one per (scheme, checked IP, port, TLS host name), reused across calls (pure).

A pool connects to the address the SSRF guard checked, never to a fresh DNS answer; TLS still
verifies the certificate for the original host name (``server_hostname``). Its connections keep
the total deadline (:mod:`articles.http.deadline`).
"""

from __future__ import annotations

import os
import ssl
import threading
from collections import OrderedDict

from urllib3.connectionpool import HTTPConnectionPool
from urllib3.util import Retry

from .deadline import DeadlineHTTPConnectionPool, DeadlineHTTPSConnection, DeadlineHTTPSConnectionPool

__all__ = ["NO_RETRIES", "connection_pool"]

# fetch follows redirects and decides about retries itself.
NO_RETRIES = Retry(total=False, redirect=False, raise_on_redirect=False, raise_on_status=False)


def connection_pool(scheme: str, ip: str, port: int, host: str) -> HTTPConnectionPool:
    """The pool for ``ip``:``port`` (``host`` is the TLS server name for https)."""
    return _pools.get(scheme, ip, port, host)


class _HTTPSConnection(DeadlineHTTPSConnection):
    def connect(self) -> None:
        # One context per thread: urllib3 sets ALPN on the context at every handshake, which is not safe
        # while another thread creates a TLS connection from the same context.
        self.ssl_context = _thread_ssl_context()
        super().connect()


class _HTTPSPool(DeadlineHTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _thread_ssl_context() -> ssl.SSLContext:
    context = getattr(_local, "ssl_context", None)
    if context is None:
        context = ssl.create_default_context()  # system CA bundle, hostname checking, TLS 1.2+
        _local.ssl_context = context
    return context


class _PoolCache:
    """Connection pools keyed by (scheme, checked IP, port, TLS server name), least recently used dropped."""

    def __init__(self, max_pools: int = 128, connections_per_pool: int = 4) -> None:
        self._pools: OrderedDict[tuple[str, str, int, str], HTTPConnectionPool] = OrderedDict()
        self._lock = threading.Lock()
        self._max_pools = max_pools
        self._per_pool = connections_per_pool

    def get(self, scheme: str, ip: str, port: int, host: str) -> HTTPConnectionPool:
        key = (scheme, ip, port, host if scheme == "https" else "")
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            if scheme == "https":
                pool = _HTTPSPool(
                    ip, port, maxsize=self._per_pool, block=False, retries=NO_RETRIES, server_hostname=host
                )
            else:
                pool = DeadlineHTTPConnectionPool(ip, port, maxsize=self._per_pool, block=False, retries=NO_RETRIES)
            self._pools[key] = pool
            evicted = self._pools.popitem(last=False)[1] if len(self._pools) > self._max_pools else None
        if evicted is not None:
            evicted.close()
        return pool


_local = threading.local()  # .ssl_context: this thread's TLS context
_pools = _PoolCache()


def _after_fork_in_child() -> None:
    # Never share sockets or locks with the parent (Celery prefork workers).
    global _pools, _local
    _pools = _PoolCache()
    _local = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
