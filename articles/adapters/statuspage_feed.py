"""Status-page history feeds: Atlassian Statuspage /history.atom and /history.rss, and feeds of
other status pages written alike. One item per incident; its updates are read from the entry
HTML, one paragraph per update:

    <p><small>Nov <var>21</var>, <var>19:58</var> UTC</small><br><strong>Resolved</strong> - This
    incident has been resolved.</p>

The stamps carry no year (it comes from the entry's own date) and are in the page's time zone.
"""

import re
from datetime import datetime, timezone

from bs4 import Tag

from ..items import Item, ItemKind, StatusUpdate, VendorStatus
from .common import (
    CLOSED_STATUSES,
    MAINTENANCE_STATUSES,
    current_status,
    entry_html,
    entry_title,
    feed_time,
    html_to_text,
    looks_like_feed,
    parse_html,
    parse_stamp,
    parse_time_keeping_offset,
    read_feed,
    sniff_text,
    stable_id,
    vendor_status,
)

KIND = "statuspage_feed"
LABEL = "Status page history feed (Atom/RSS)"

_CLOSING = (VendorStatus.RESOLVED, VendorStatus.COMPLETED)
_INCIDENT_CODE = re.compile(r"/incidents/([A-Za-z0-9_-]+)")
_LEADING_DASH = re.compile(r"^\s*[-\u2013\u2014]\s*")  # the " - " after the status word; en and em dashes too
_STATUS_FEED_MARKERS = re.compile(
    r"/history\.(?:atom|rss)|Incident History|,2005:Incident/|"
    r"(?:<|&lt;)small(?:>|&gt;).{0,200}?(?:<|&lt;)(?:strong|b)(?:>|&gt;)\s*"
    r"(?:Investigating|Identified|Monitoring|Resolved|Update|Scheduled|In progress|Completed)",
    re.S,
)


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    return [_item(entry) for entry in read_feed(body).entries]


def _item(entry: dict) -> Item:
    html = entry_html(entry)
    published = feed_time(entry, "published")
    updated = feed_time(entry, "updated")
    near = updated or published
    updates = _updates(html, near, _page_offset(entry)) if near else []
    statuses = [update.status for update in updates]
    status = current_status(statuses)
    closing = [update.posted_at for update in updates if update.status in _CLOSING]
    link = (entry.get("link") or "").strip()
    code = _INCIDENT_CODE.search(link)
    title = entry_title(entry) or "(no title)"
    return Item(
        kind=ItemKind.STATUS,
        external_id=(entry.get("id") or "").strip() or link or stable_id(title, published),
        title=title,
        url=link,
        published_at=published or updated,
        updated_at=updated,
        summary_html=html,
        vendor_incident_id=code[1] if code else "",
        status=status,
        impact="maintenance" if MAINTENANCE_STATUSES.intersection(statuses) else "",
        started_at=updates[0].posted_at if updates else None,
        resolved_at=closing[-1] if closing and status in CLOSED_STATUSES else None,
        updates=tuple(updates),
    )


def _updates(html: str, near: datetime, page_offset: timezone | None) -> list[StatusUpdate]:
    """Each <small> stamp followed by a <strong> (or <b>) status word and the text up to the
    next stamp or the end of its paragraph. Other markup (Symantec's "THIS IS A SCHEDULED
    EVENT" header, <strong> headings inside a body) is not an update."""
    updates = []
    for stamp in parse_html(html).find_all("small"):
        posted_at = parse_stamp(stamp.get_text(), near, page_offset)
        word_tag = stamp.find_next(["strong", "b"])
        if posted_at is None or word_tag is None or word_tag.parent is not stamp.parent:
            continue
        body_parts = []
        for sibling in word_tag.next_siblings:
            if isinstance(sibling, Tag) and (sibling.name == "small" or sibling.find("small")):
                break
            body_parts.append(str(sibling))
        body_html = _LEADING_DASH.sub("", "".join(body_parts)).strip()
        while body_html.endswith("<br/>"):  # status.io separates updates with <br /><br />
            body_html = body_html[: -len("<br/>")].rstrip()
        word = " ".join(word_tag.get_text().split())
        updates.append(StatusUpdate(
            posted_at=posted_at,
            status=vendor_status(word),
            text=html_to_text(body_html),
            html=body_html,
            vendor_status=word,
        ))
    # Statuspage lists updates newest first; turn that into oldest first before sorting, so two
    # updates posted in the same minute keep their order.
    if updates and updates[0].posted_at > updates[-1].posted_at:
        updates.reverse()
    return sorted(updates, key=lambda update: update.posted_at)


def _page_offset(entry: dict) -> timezone | None:
    """The UTC offset the feed writes the entry's date in: Statuspage uses the page's time zone
    there too, so it stands in for a stamp's zone abbreviation that we do not know."""
    moment = parse_time_keeping_offset(dict.get(entry, "published") or dict.get(entry, "updated"))
    offset = moment.utcoffset() if moment else None
    return timezone(offset) if offset is not None else None


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    if not looks_like_feed(body):
        return 0
    if _STATUS_FEED_MARKERS.search(sniff_text(body, 16384)):
        return 85
    return 60 if re.search(r"/history\.(?:atom|rss)$", url) else 0
