"""The recorded payloads under tests/fixtures, with the source kind of each (demo_sources.json)."""

from collections import defaultdict
from dataclasses import dataclass

from articles.adapters import parse_payload
from articles.sources_catalog import NEWS_KIND, load_demo_sources

from . import FIXTURES_DIR

# Where the demo serves them; adapters use the URL only to resolve relative links.
DEMO_BASE_URL = "http://127.0.0.1:8001"


@dataclass(frozen=True)
class Payload:
    path: str  # relative to tests/fixtures
    kind: str
    vendor: str
    content_type: str
    body: bytes

    @property
    def url(self) -> str:
        return f"{DEMO_BASE_URL}/{self.path}"

    @property
    def is_news(self) -> bool:
        return self.kind == NEWS_KIND

    @property
    def kilobytes(self) -> float:
        return len(self.body) / 1000


def recorded_payloads() -> list[Payload]:
    return [
        Payload(source.path, source.kind, source.vendor, source.content_type, (FIXTURES_DIR / source.path).read_bytes())
        for source in load_demo_sources()
    ]


def by_kind(payloads: list[Payload]) -> dict[str, list[Payload]]:
    groups: dict[str, list[Payload]] = defaultdict(list)
    for payload in payloads:
        groups[payload.kind].append(payload)
    return groups


def total_kilobytes(payloads: list[Payload]) -> float:
    return sum(payload.kilobytes for payload in payloads)


def parse_all(payloads: list[Payload]) -> int:
    """Parse each payload once with its adapter; the number of items read."""
    return sum(
        len(parse_payload(payload.kind, payload.body, url=payload.url, content_type=payload.content_type))
        for payload in payloads
    )
