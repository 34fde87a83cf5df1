"""Typed readers for settings that come from the environment.

Each raises ImproperlyConfigured with the variable's name and the bad value, so a typo is a
clear error at start-up instead of a surprise at run time.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return value


def env_period(name: str, default: int, minimum: int, maximum: int) -> int:
    """Seconds between runs of a periodic task, or 0 to turn it off."""
    value = env_int(name, default, minimum=0, maximum=maximum)
    if 0 < value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}; use 0 to turn it off.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def database_from_url(url: str, base_dir, var_dir) -> dict:
    """Django DATABASES entry for a sqlite:///path or postgres://user:pass@host:port/name URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy and dj-database-url spell it.
        path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no file; write sqlite:///var/outagehub.sqlite3.")
        name = path if path.startswith("/") or path == ":memory:" else str(base_dir / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Readers never wait for the fetcher; the writer waits instead of failing at once.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            # A file, not memory: the integration tests start worker processes that share it.
            "TEST": {"NAME": str(var_dir / "test.sqlite3")},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        if not parts.path.strip("/"):
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database; write postgres://user@host:5432/outagehub.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r} has an unsupported scheme {scheme!r}; use sqlite:///… or postgres://…"
    )


def cache_from_url(url: str, timeout: int) -> dict:
    """Django CACHES entry for CACHE_URL: locmem:// (each process its own, the default), redis://host:6379/1
    (shared by every web process: production), or dummy:// (no cache)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "locmem":
        # Pages are 10-200 KB: a few hundred is a few tens of MB per process.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": timeout,
                "OPTIONS": {"MAX_ENTRIES": 500}}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "TIMEOUT": timeout,
                "KEY_PREFIX": "outagehub",
                # A Redis that hangs must not hang the site: past these, the page is rendered uncached.
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} has an unsupported scheme {scheme!r}; use locmem://, redis://host:6379/1 or dummy://"
    )
