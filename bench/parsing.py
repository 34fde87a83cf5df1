"""Section 1: items/s per adapter on the recorded payloads; for news feeds, feedparser's own HTML
sanitiser against our adapter (sanitiser off) and against our adapter + nh3, as ingest cleans HTML.

Pure Python (no Django), so it runs in the parent process.
"""

from collections.abc import Iterator

import feedparser

from articles.adapters import ADAPTERS, parse_payload
from articles.sanitize import html_to_text, sanitize_html
from articles.sources_catalog import NEWS_KIND

from .payloads import Payload, by_kind, parse_all, recorded_payloads, total_kilobytes
from .report import Entry, Figure, plural, progress
from .timing import Rate, repeat_for

ISSUE_QUOTE = "the issue quotes 240 items/s with feedparser's sanitizer, about 600 without, on a 186 KB feed"


def feedparser_with_sanitizer(payloads: list[Payload]) -> int:
    """What we would pay if feedparser cleaned the HTML itself (its sgmllib-based sanitiser)."""
    return sum(
        len(feedparser.parse(p.body, sanitize_html=True, resolve_relative_uris=False).entries) for p in payloads
    )


def feedparser_without_sanitizer(payloads: list[Payload]) -> int:
    """feedparser alone, as our adapter calls it: the floor under the adapter's own rate."""
    return sum(
        len(feedparser.parse(p.body, sanitize_html=False, resolve_relative_uris=False).entries) for p in payloads
    )


def adapter_with_nh3(payloads: list[Payload]) -> int:
    """Our adapter, then what articles.ingest._article_fields does to each item's HTML: nh3 on the
    summary and the content, then the plain text of each (html_to_text sanitises its input again)."""
    count = 0
    for p in payloads:
        for item in parse_payload(p.kind, p.body, url=p.url, content_type=p.content_type):
            summary_html = sanitize_html(item.summary_html)
            body_html = sanitize_html(item.content_html)
            html_to_text(summary_html)
            html_to_text(body_html)
            count += 1
    return count


def items_figure(name: str, rate: Rate, note: str) -> Figure:
    timing = f"median of {plural(rate.rounds, 'round')}, {rate.seconds:.1f} s"
    return Figure(name, rate.per_second, "items/s", f"{note}; {timing}")


def run(min_seconds: float = 1.0) -> Iterator[Entry]:
    groups = by_kind(recorded_payloads())
    for kind in ADAPTERS:
        name = f"parse.{kind}.items_per_s"
        payloads = groups.get(kind, [])
        if not payloads:
            yield Figure.skipped(name, "no recorded payload of this kind (see tests/fixtures/SOURCES.md, Gaps)")
            continue
        progress(f"parsing {kind}: {len(payloads)} payloads")
        rate = repeat_for(lambda payloads=payloads: parse_all(payloads), min_seconds)
        size = f"{plural(len(payloads), 'payload')}, {total_kilobytes(payloads):.0f} KB, {rate.units_per_round} items"
        yield items_figure(name, rate, size)

    news = groups.get(NEWS_KIND, [])
    if not news:
        return
    yield from sanitizer_comparison("parse.feed", news, min_seconds, with_adapter=False)
    largest = max(news, key=lambda payload: len(payload.body))
    yield f"largest news payload alone: {largest.path} ({largest.kilobytes:.0f} KB); {ISSUE_QUOTE}"
    yield from sanitizer_comparison("parse.feed.largest", [largest], min_seconds, with_adapter=True)


def sanitizer_comparison(
    prefix: str, payloads: list[Payload], min_seconds: float, with_adapter: bool
) -> Iterator[Entry]:
    variants = [
        ("feedparser_sanitizer_items_per_s", feedparser_with_sanitizer, "feedparser.parse(sanitize_html=True)"),
        ("feedparser_no_sanitizer_items_per_s", feedparser_without_sanitizer, "feedparser.parse(sanitize_html=False)"),
        ("nh3_items_per_s", adapter_with_nh3, "our adapter + nh3 on summary and content, as ingest does"),
    ]
    if with_adapter:
        variants.insert(0, ("items_per_s", parse_all, "our adapter (feedparser, sanitizer off)"))
    for suffix, work, what in variants:
        progress(f"{prefix}: {what}")
        rate = repeat_for(lambda work=work: work(payloads), min_seconds)
        yield items_figure(f"{prefix}.{suffix}", rate, what)
