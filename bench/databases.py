"""Throw-away databases for the Django benchmarks: a SQLite file in a temp dir, always, and a
fresh PostgreSQL database when DATABASE_URL points at a PostgreSQL server."""

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}  # what outagehub/env.py accepts


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'bench.sqlite3'}"  # an absolute path: sqlite:////tmp/...


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in POSTGRES_SCHEMES


def with_database(url: str, name: str) -> str:
    """The same server, user and options, another database name; postgresql:// for libpq."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, f"/{name}", parts.query, ""))


@contextlib.contextmanager
def throwaway_postgres_database(server_url: str) -> Iterator[str]:
    """CREATE DATABASE outagehub_bench_<random> on the server of `server_url`; yield its URL; drop it
    at the end, whatever happened (WITH (FORCE) ends connections a killed benchmark left behind)."""
    import psycopg
    from psycopg import sql

    name = f"outagehub_bench_{secrets.token_hex(4)}"
    admin_url = with_database(server_url, urlsplit(server_url).path.lstrip("/") or "postgres")
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
