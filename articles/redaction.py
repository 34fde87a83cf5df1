"""URLs with their secrets taken out, for every error we store or show (pure).

A source's URL may carry credentials: ``https://user:pass@host/feed`` or ``https://host/feed?token=…``.
Errors name URLs (redirect chains, refused targets), and errors reach admin, the public /sources page
and the logs; so each URL in them keeps its scheme, host, port and path, loses its userinfo and
fragment, and shows its query only as ``?…``.
"""

import re

__all__ = ["REDACTED_QUERY", "redact_text", "redact_url"]

REDACTED_QUERY = "?…"

# A URL inside free text: a scheme and "://", up to white space, a double quote or an angle bracket
# (a single quote may be part of a URL; quotes and punctuation at its end are given back below).
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"<>]+")
_TRAILING = "'.,;:!)]}"
# What is left of a well-formed authority once the userinfo is gone: a host (or [IPv6]) and a port.
_HOST_AND_PORT = re.compile(r"(\[[0-9A-Fa-f:.]*\]|[^:@\[\]]*)(:\d*)?")


def redact_url(url: str) -> str:
    """``url`` without userinfo, query value or fragment: ``https://u:p@h/feed?token=1#x`` → ``https://h/feed?…``."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    host, tail = _split_authority(rest)
    if not _HOST_AND_PORT.fullmatch(host):
        # A "/", "?" or "#" inside a password ends the authority early ("u:p/w@host"): everything up to
        # the last "@" is userinfo then; without one, keep only the name before the bad port.
        at = rest.rfind("@")
        host, tail = _split_authority(rest[at + 1:]) if at >= 0 else (host.partition(":")[0], tail)
    path = tail.partition("#")[0]
    path, question, _query = path.partition("?")
    return f"{scheme}://{host}{path}{REDACTED_QUERY if question else ''}"


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted (:func:`redact_url`)."""
    return _URL_IN_TEXT.sub(_redact_match, text)


def _split_authority(rest: str) -> tuple[str, str]:
    """(host and port without userinfo, the rest): the authority ends at the first "/", "?" or "#"."""
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    return rest[:end].rpartition("@")[2], rest[end:]


def _redact_match(match: re.Match[str]) -> str:
    found = match.group()
    url = found.rstrip(_TRAILING)
    return redact_url(url) + found[len(url):]
