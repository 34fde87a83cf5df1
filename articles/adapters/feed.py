"""Tech-news RSS 2.0, RSS 1.0 and Atom feeds, read with feedparser."""

from ..items import Item, ItemKind
from .common import (
    entry_html,
    entry_title,
    excerpt,
    feed_time,
    html_to_text,
    looks_like_feed,
    read_feed,
    stable_id,
    unique,
)

KIND = "feed"
LABEL = "RSS/Atom news feed"

_SUBSTANCE = ("title", "link", "id", "summary", "content")


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    parsed = read_feed(body)
    # Duplicate guids are all returned: the ingest layer dedupes. An entry with nothing in it
    # (what a cut-off <item> leaves) is not a story.
    return [_item(entry) for entry in parsed.entries if any(entry.get(key) for key in _SUBSTANCE)]


def _item(entry: dict) -> Item:
    content_html = entry_html(entry) if entry.get("content") else ""
    summary_html = entry.get("summary") or ""
    if summary_html == content_html:  # feedparser copies content:encoded into a missing summary
        summary_html = ""
    published = feed_time(entry, "published")
    updated = feed_time(entry, "updated")
    title = entry_title(entry) or excerpt(html_to_text(summary_html or content_html)) or "(no title)"
    # FeedBurner rewrites links to its redirector; the article's own URL is in origLink.
    link = (entry.get("feedburner_origlink") or entry.get("link") or "").strip()
    return Item(
        kind=ItemKind.NEWS,
        external_id=(entry.get("id") or "").strip() or link or stable_id(title, published or updated),
        title=title,
        url=link,
        published_at=published or updated,
        updated_at=updated,
        author=" ".join((entry.get("author") or "").split()),
        summary_html=summary_html.strip(),
        content_html=content_html.strip(),
        categories=unique(" ".join((tag.get("term") or "").split()) for tag in entry.get("tags") or ()),
    )


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    # Any feed is news until a status-feed adapter claims it with a higher score.
    return 50 if looks_like_feed(body) else 0
