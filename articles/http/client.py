"""The one way Django code fetches a URL: http.fetch.fetch with the guards and bounds from settings (Django)."""

from django.conf import settings

from . import fetch as http_fetch


def fetch(url: str, *, allow_private: bool, **kwargs) -> http_fetch.FetchResult:
    """GET ``url``. ``allow_private`` asks to reach private addresses (a source an editor allowed);
    OUTAGEHUB_ALLOW_PRIVATE_SOURCES is the upper bound: when it is off, no fetch reaches one."""
    return http_fetch.fetch(
        url,
        allow_private=allow_private and settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES,
        user_agent=settings.OUTAGEHUB_USER_AGENT,
        connect_timeout=settings.OUTAGEHUB_FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.OUTAGEHUB_FETCH_TOTAL_TIMEOUT,
        max_bytes=settings.OUTAGEHUB_FETCH_MAX_BYTES,
        **kwargs,
    )
