"""The Azure status RSS, https://azure.status.microsoft/en-us/status/feed/: one RSS 2.0 item per
incident post, its state told only in words ("... is now mitigated"). Items may have no guid, and
most link to the status page itself."""

import re
from urllib.parse import parse_qs, urlsplit

from ..items import Item, ItemKind, StatusUpdate, VendorStatus
from .common import (
    feed_time,
    html_to_text,
    looks_like_feed,
    read_feed,
    sniff_text,
    stable_id,
    unique,
)

KIND = "azure"
LABEL = "Azure status RSS"

_STATUS_PAGE = re.compile(r"^https?://(?:azure\.status\.microsoft|status\.azure\.com|azure\.microsoft\.com)"
                          r"(?:/[a-z]{2}-[a-z]{2})?/status/?(?:feed/?)?(?:[?#].*)?$", re.I)
_POSTMORTEM = re.compile(r"\bpost[- ]incident review\b|\bPIR\b", re.I)
_RESOLVED = re.compile(r"\b(?:mitigated|resolved)\b", re.I)
# Azure region names as the status posts write them: "West Europe", "East US 2", "UK South".
_REGION = re.compile(
    r"\b(?:(?:UK|France|Germany|Japan|Australia|Brazil|Canada|Korea|Norway|Switzerland|Sweden|UAE|Qatar|Poland|"
    r"Italy|Israel|Mexico|Spain|South Africa|US Gov) (?:West Central|North|South|East|West|Central|Southeast)|"
    r"(?:North|South|East|West|Central|Southeast|Northeast|Southwest|Northwest)(?: Central)? "
    r"(?:US|Europe|Asia|India|Japan|Australia|Brazil|Canada|France|Germany|Korea|UK|UAE|Norway|Switzerland))"
    r"(?: \d)?\b"
)


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    return [_item(entry) for entry in read_feed(body).entries]


def _item(entry: dict) -> Item:
    title = " ".join((entry.get("title") or "").split())
    description = (entry.get("summary") or "").strip()
    text = html_to_text(description)
    posted_at = feed_time(entry, "published") or feed_time(entry, "updated")
    link = (entry.get("link") or "").strip()
    link_identifies = bool(link) and not _STATUS_PAGE.match(link)
    status = _status(title, text)
    services = unique(" ".join((tag.get("term") or "").split()) for tag in entry.get("tags") or ())
    guid = (entry.get("id") or "").strip()
    return Item(
        kind=ItemKind.STATUS,
        external_id=guid or (link if link_identifies else stable_id(title, posted_at)),
        vendor_incident_id=_tracking_id(link, guid),
        title=title or "(no title)",
        url=link,
        url_identifies=link_identifies,
        published_at=posted_at,
        updated_at=feed_time(entry, "updated"),
        summary_html=description,
        status=status,
        components=services,  # Azure files each post under the service's name
        locations=unique(_REGION.findall(f"{title}\n{text}")),
        resolved_at=posted_at if status == VendorStatus.RESOLVED else None,
        updates=(StatusUpdate(posted_at=posted_at, status=status, text=text, html=description),) if posted_at else (),
    )


def _tracking_id(link: str, guid: str) -> str:
    """Azure's tracking id ("SYN2-VMA" in ...?trackingid=SYN2-VMA, else the guid when it is no address):
    it tells two incidents of one status page apart, so one's post never joins the other's incident."""
    tracking = parse_qs(urlsplit(link).query).get("trackingid")
    if tracking and tracking[0].strip():
        return tracking[0].strip()
    return "" if "://" in guid else guid


def _status(title: str, text: str) -> VendorStatus:
    # Only a title names a review: a mitigation post often says "a Post Incident Review will follow".
    if _POSTMORTEM.search(title):
        return VendorStatus.POSTMORTEM
    if _RESOLVED.search(title) or _RESOLVED.search(text):
        return VendorStatus.RESOLVED
    return VendorStatus.INVESTIGATING


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    if not looks_like_feed(body):
        return 0
    head = sniff_text(body, 8192)
    if re.search(r"azure\.status\.microsoft|status\.azure\.com|azure\.(?:microsoft\.)?com/[a-z-]*/?status", head):
        return 90
    return 60 if "azure.status.microsoft" in url else 0
