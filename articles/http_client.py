"""The one way Django code fetches a URL: fetching.fetch with the guards and bounds from settings."""

from django.conf import settings

from . import fetching


def fetch(url: str, **kwargs) -> fetching.FetchResult:
    return fetching.fetch(
        url,
        allow_private=settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES,
        user_agent=settings.OUTAGEHUB_USER_AGENT,
        connect_timeout=settings.OUTAGEHUB_FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.OUTAGEHUB_FETCH_TOTAL_TIMEOUT,
        max_bytes=settings.OUTAGEHUB_FETCH_MAX_BYTES,
        **kwargs,
    )
