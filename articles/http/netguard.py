"""SSRF guard: decide whether a URL may be fetched, and to which addresses we may connect.

Pure Python (no Django). The fetcher calls :func:`check_url` (or :func:`parse_url` + :func:`check_host`)
for the start URL and again for every redirect target, then connects to one of the returned addresses
itself, so a DNS answer that changes between the check and the connection (DNS rebinding) cannot
smuggle a private address past the check.

A host is refused when ANY of its addresses is not publicly routable: loopback, private (RFC 1918,
unique-local fc00::/7), link-local (169.254.0.0/16 including the cloud metadata service
169.254.169.254, fe80::/10), shared address space 100.64.0.0/10, multicast, reserved, unspecified,
site-local, documentation/benchmark ranges, and IPv6 addresses that embed one of those (IPv4-mapped
::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). ``allow_private=True`` lets all of them through, for
intranet status pages and tests: the caller passes it for a source's own URL only, when both
``OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1`` and the source's ``allow_private_addresses`` are on.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..redaction import redact_url

__all__ = [
    "ALLOWED_SCHEMES",
    "ALLOW_PRIVATE_SETTING",
    "UNRESOLVED_HOST",
    "ParsedURL",
    "ResolvedAddress",
    "UnresolvableHostError",
    "UnsafeURLError",
    "check_host",
    "check_url",
    "classify_address",
    "parse_url",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOW_PRIVATE_SETTING = "OUTAGEHUB_ALLOW_PRIVATE_SOURCES"
_ALLOW_HINT = (
    f"(allowed only for a source's own URL, when {ALLOW_PRIVATE_SETTING}=1 and the source's "
    "“allow private addresses” is on)"
)

_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052; DNS64 answers for IPv4-only sites
# Named in messages: the address an SSRF is usually after (AWS, GCP, Azure ...; AWS also on IPv6).
_CLOUD_METADATA = frozenset({ipaddress.IPv4Address("169.254.169.254"), ipaddress.IPv6Address("fd00:ec2::254")})


class UnsafeURLError(ValueError):
    """The URL must not be fetched: wrong scheme, no host, or a non-public address.

    ``str(error)`` (also ``message``) is the full readable message ("refused: ..."); ``reason`` is the
    cause without the prefix or advice, for callers that build a longer sentence (e.g. about a redirect).
    ``transient`` is False: retrying will not help until the URL or the setting changes.
    """

    transient = False

    def __init__(self, reason: str, *, message: str = "") -> None:
        super().__init__(message or f"refused: {reason}")
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __reduce__(self):  # picklable although __init__ takes other arguments than args (Celery results)
        return _rebuild_error, (type(self), self.args, self.__dict__)


# How the message of a host that did not resolve begins: articles/connectivity.py counts the sources whose
# last error begins so, to tell "no network" from one bad host name.
UNRESOLVED_HOST = "could not resolve host "


class UnresolvableHostError(UnsafeURLError):
    """The host name did not resolve. ``transient`` is True for a temporary DNS failure (EAI_AGAIN)."""

    def __init__(self, host: str, detail: str, *, transient: bool) -> None:
        reason = f"{UNRESOLVED_HOST}{host!r} ({detail})"
        advice = "the DNS lookup failed temporarily; retry later" if transient else "check the host name in the URL"
        super().__init__(reason, message=f"{reason}; {advice}")
        self.host = host
        self.transient = transient


def _rebuild_error(cls: type[Exception], args: tuple, state: dict) -> Exception:
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """The parts of a URL the fetcher needs, parsed once (the same parse is checked and connected to)."""

    url: str
    scheme: str  # "http" or "https"
    host: str  # lower-case; IDNA (ASCII) form for names; no brackets for IPv6 literals
    port: int  # explicit or the scheme's default
    target: str  # request target: path (at least "/") plus "?query"; never the fragment

    @property
    def host_header(self) -> str:
        """Value for the Host header: brackets around IPv6 literals, port only when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class ResolvedAddress:
    """One address the host resolved to, checked. Connect to ``connect_ip`` (IPv4-mapped → plain IPv4)."""

    ip: IPAddress
    family: int  # socket.AF_INET or socket.AF_INET6

    @property
    def connect_ip(self) -> str:
        ip = self.ip
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ip)


def parse_url(url: str) -> ParsedURL:
    """Parse and validate the syntax of ``url``: http(s) only, a host, a valid port. No DNS."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"{redact_url(url)!r} is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(f"only http and https URLs can be fetched (got {scheme or 'no scheme'!r})")
    # One trailing dot names the same host as an absolute name ("127.0.0.1.", "localhost."): read without
    # it, a literal address is checked as one instead of going to DNS, and a name resolves as itself.
    host = (parts.hostname or "").removesuffix(".")
    if not host:
        raise UnsafeURLError(f"{redact_url(url)!r} has no host name")
    if not _is_ip_literal(host):
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise UnsafeURLError(f"{host!r} is not a valid host name") from None
        if not all(c.isalnum() or c in "-._" for c in host):
            raise UnsafeURLError(f"{host!r} is not a valid host name")
    if port == 0:
        raise UnsafeURLError(f"{redact_url(url)!r} has port 0")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return ParsedURL(url=url, scheme=scheme, host=host, port=port or DEFAULT_PORTS[scheme], target=target)


def check_url(url: str, allow_private: bool) -> list[ResolvedAddress]:
    """Resolve ``url``'s host and return its addresses, or raise :class:`UnsafeURLError`.

    Raises :class:`UnresolvableHostError` (a subclass) when the name does not resolve.
    """
    parsed = parse_url(url)
    return check_host(parsed.host, parsed.port, allow_private)


def check_host(host: str, port: int, allow_private: bool) -> list[ResolvedAddress]:
    """Resolve ``host`` and return its addresses (in the resolver's preference order), all checked."""
    literal = _ip_literal(host)
    if literal is not None:
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        addresses = [ResolvedAddress(literal, family)]
    else:
        addresses = _resolve(host, port)
    if not allow_private:
        for address in addresses:
            kind = classify_address(address.ip)
            if kind is None:
                continue
            what = f"{_article(kind)} {kind} address"
            if address.ip in _CLOUD_METADATA or _embedded_ipv4_of(address.ip) in _CLOUD_METADATA:
                what += " (the cloud metadata service)"
            shown = _display(address.ip)
            if literal is not None:
                raise UnsafeURLError(f"{shown} is {what} {_ALLOW_HINT}")
            raise UnsafeURLError(f"{host} resolves to {shown}, {what} {_ALLOW_HINT}")
    return addresses


def classify_address(ip: IPAddress) -> str | None:
    """Return why ``ip`` is not publicly routable ("loopback", "private", ...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return classify_address(embedded)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.version == 4 and ip in _SHARED_ADDRESS_SPACE:
        return "shared (carrier-grade NAT)"
    if ip.version == 4 and ip.is_reserved:  # 240.0.0.0/4 and the broadcast address, which is_private counts too
        return "reserved"
    if ip.is_private:
        return "private"
    if ip.version == 6 and ip.is_site_local:
        return "site-local"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


def _embedded_ipv4_of(ip: IPAddress) -> ipaddress.IPv4Address | None:
    return _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _resolve(host: str, port: int) -> list[ResolvedAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        transient = exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None))
        raise UnresolvableHostError(host, exc.strerror or str(exc), transient=transient) from None
    except (UnicodeError, ValueError) as exc:
        raise UnsafeURLError(f"{host!r} is not a valid host name ({exc})") from None
    addresses: list[ResolvedAddress] = []
    seen: set[str] = set()
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = sockaddr[0]
        if text in seen:
            continue
        seen.add(text)
        addresses.append(ResolvedAddress(ipaddress.ip_address(text), family))
    if not addresses:
        raise UnresolvableHostError(host, "no IPv4 or IPv6 address", transient=False)
    return addresses


def _display(ip: IPAddress) -> str:
    """``str(ip)``, but IPv4-mapped addresses as ::ffff:10.0.0.5 (Python 3.11 prints ::ffff:a00:5)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def _is_ip_literal(host: str) -> bool:
    return _ip_literal(host) is not None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
