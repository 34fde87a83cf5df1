"""The one way Django code fetches a URL: http.fetch.fetch with the guards and bounds from settings (Django)."""

from django.conf import settings

from . import fetch as http_fetch
from . import netguard


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


def refuse_forbidden_source_url(url: str, *, allow_private: bool) -> None:
    """Raise :class:`netguard.UnsafeURLError` when a source with this URL could never be fetched: not
    http(s), malformed, or on an address the fetch would refuse (the same rule and upper bound as
    :func:`fetch`). Called when a source is added or edited, so a forbidden URL is refused there and then
    instead of on every poll. A name that does not resolve now (offline, or not yet in DNS) is let
    through: every fetch checks every hop again."""
    try:
        netguard.check_url(url, allow_private and settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES)
    except netguard.UnresolvableHostError:
        return


def post(url: str, body: bytes, headers: dict[str, str]) -> http_fetch.PostResult:
    """POST to an alert destination with the alert bounds from settings. A private address is refused
    unless OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS (its own switch: a deployment that polls a private
    source has not thereby opened its network to whoever creates a webhook)."""
    return http_fetch.post(
        url,
        body,
        headers=headers,
        allow_private=settings.OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS,
        user_agent=settings.OUTAGEHUB_USER_AGENT,
        connect_timeout=settings.OUTAGEHUB_FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.OUTAGEHUB_ALERT_TIMEOUT,
        max_bytes=settings.OUTAGEHUB_ALERT_MAX_RESPONSE_BYTES,
    )


def refuse_forbidden_destination(url: str) -> None:
    """Raise :class:`netguard.UnsafeURLError` when an alert could never be sent to this URL: not http(s),
    malformed, or on an address :func:`post` refuses. Called when a watch is created or edited; every send
    checks again (a name may resolve elsewhere later). As for sources, a name that does not resolve now is
    let through: the send checks it, and a watch from the public form is confirmed by a message sent to it."""
    try:
        netguard.check_url(url, settings.OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS)
    except netguard.UnresolvableHostError:
        return
