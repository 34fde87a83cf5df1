"""The AWS Health Dashboard's RSS feeds, per service and region
(https://status.aws.amazon.com/rss/ec2-us-east-1.rss) or all together (all.rss). Each item is
one post; its title starts with the dashboard state: "Service is operating normally: [RESOLVED]
Connectivity issues affecting some instances". Every link is the dashboard itself."""

import re

from ..items import Item, ItemKind, StatusUpdate, VendorStatus
from .common import (
    AWS_STATES,
    aws_service_and_region,
    aws_status,
    feed_time,
    html_to_text,
    looks_like_feed,
    read_feed,
    sniff_text,
    stable_id,
    strip_resolved_tag,
)

KIND = "aws_rss"
LABEL = "AWS Health service RSS"

_STATE_PREFIX = re.compile(r"^\s*(?P<state>" + "|".join(AWS_STATES.values()) + r")\s*:\s*", re.I)
# The guid ends in "#<service>-<region>_<epoch>"; the feed URL in "/rss/<service>-<region>.rss".
_GUID_SLUG = re.compile(r"#([a-z0-9-]+)_\d+$", re.I)
_URL_SLUG = re.compile(r"/rss/([a-z0-9-]+)\.rss$", re.I)


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    feed_slug = _URL_SLUG.search(url)
    # all.rss mixes every service: only a per-service feed's name says which service it is.
    slug = feed_slug[1] if feed_slug and feed_slug[1] != "all" else ""
    return [_item(entry, slug) for entry in read_feed(body).entries]


def _item(entry: dict, feed_slug: str) -> Item:
    full_title = " ".join((entry.get("title") or "").split())
    prefix = _STATE_PREFIX.match(full_title)
    state = prefix["state"] if prefix else ""
    headline = full_title[prefix.end():] if prefix else full_title
    status, impact = aws_status(state, headline)
    guid = (entry.get("id") or "").strip()
    slug = _GUID_SLUG.search(guid)
    service, region = aws_service_and_region(slug[1] if slug else feed_slug)
    posted_at = feed_time(entry, "published") or feed_time(entry, "updated")
    description = (entry.get("summary") or "").strip()
    title = strip_resolved_tag(headline) or "(no title)"
    return Item(
        kind=ItemKind.STATUS,
        external_id=guid or stable_id(full_title, posted_at),
        title=title,
        url=(entry.get("link") or "").strip(),
        url_identifies=False,
        published_at=posted_at,
        updated_at=posted_at,
        summary_html=description,
        status=status,
        impact=impact,
        components=(service,) if service else (),
        locations=(region,) if region else (),
        resolved_at=posted_at if status == VendorStatus.RESOLVED else None,
        updates=(StatusUpdate(posted_at=posted_at, status=status, text=html_to_text(description), html=description,
                              vendor_status=state, external_id=guid),) if posted_at else (),
    )


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    if not looks_like_feed(body):
        return 0
    head = sniff_text(body, 8192)
    if "status.aws.amazon.com" in head or "AWS Service Health Dashboard" in head:
        return 90
    return 60 if "status.aws.amazon.com/rss/" in url else 0
