"""What several adapters need: reading bytes as JSON or as a feed, times to aware UTC, vendor
status words to VendorStatus, HTML to plain text, and the small checks the sniffers share.

Pure like the adapters: no Django, no network, no logging configuration.
"""

import hashlib
import json
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from time import struct_time
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from ..items import STATE_RANK, AdapterError, Component, ComponentState, PageStatus, VendorStatus, worst_state
from ..sanitize import html_to_text  # adapters take their text helpers from this module

# --- decoding bytes --------------------------------------------------------------------------

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(body: bytes) -> str:
    """The body as text, by its byte-order mark: AWS serves some JSON as UTF-16 with a BOM.
    A stray undecodable byte becomes U+FFFD rather than costing every other item."""
    encoding = "utf-16" if body.startswith(_UTF16_BOMS) else "utf-8-sig"
    return body.decode(encoding, errors="replace")


def sniff_text(body: bytes, limit: int = 65536) -> str:
    """The start of the body, decoded leniently, for sniffers to look at (never raises)."""
    head = body[:limit]
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def load_json(body: bytes) -> Any:
    if not body.strip():
        raise AdapterError("the body is empty")
    text = decode_text(body).strip()
    if xml_root(text) == "html":
        raise AdapterError("not JSON: the body is an HTML page")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AdapterError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert, nesting too deep
        raise AdapterError(f"not JSON: {exc}") from None


def json_or_none(body: bytes) -> Any:
    """For sniffers: the parsed body, or None when it is not JSON."""
    if sniff_text(body, 256).lstrip()[:1] not in ("{", "["):
        return None
    try:
        return load_json(body)
    except AdapterError:
        return None


# --- reading JSON of unknown shape ----------------------------------------------------------
# Payloads are untrusted: any field may be missing or of the wrong type. These never raise.


# JSON may escape half a surrogate pair ("\ud83d", a JavaScript string cut mid-emoji); such a
# string cannot be encoded, so neither BeautifulSoup nor the database would take it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def text_of(value: Any) -> str:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def dict_of(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def dicts_in(value: Any) -> list[dict]:
    return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []


def strings_in(value: Any) -> list[str]:
    return [text_of(element) for element in value if isinstance(element, str)] if isinstance(value, list) else []


def require_object(data: Any, what: str) -> dict:
    if not isinstance(data, dict):
        raise AdapterError(f"not {what}: expected a JSON object, got {json_type(data)}")
    return data


def require_objects(value: Any, where: str, what: str) -> list[dict]:
    """The array of objects a format is made of (its incidents, its events), or an AdapterError that
    names the wrong shape: `"incidents": "x"` is a broken payload, not a healthy page with nothing on it.
    (Fields inside an incident stay lenient: see dicts_in.)"""
    if not isinstance(value, list):
        raise AdapterError(f"not {what}: {where} is {json_type(value)}, expected an array of objects")
    for number, element in enumerate(value, start=1):
        if not isinstance(element, dict):
            raise AdapterError(f"not {what}: item {number} of {where} is {json_type(element)}, expected an object")
    return value


def json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values, first occurrence kept, in order."""
    return tuple(dict.fromkeys(value for value in values if value))


def stable_id(*parts: object) -> str:
    """An id for things the source gives none: the same parts always give the same id."""
    joined = "\x1f".join(str(part) for part in parts)
    return "sha1:" + hashlib.sha1(joined.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


# --- times -----------------------------------------------------------------------------------

# What status pages print after a wall-clock time. US abbreviations stand for their zone, not
# a fixed offset: the 2013 Parse feed prints "PST" on every stamp, summer ones included.
_ZONES = {
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "MST": "America/Denver", "MDT": "America/Denver",
    "CST": "America/Chicago", "CDT": "America/Chicago",
    "EST": "America/New_York", "EDT": "America/New_York",
}
_FIXED_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "SGT": 8, "HKT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_time_keeping_offset(value: Any) -> datetime | None:
    """ISO 8601, RFC 822 or epoch seconds as an aware datetime in the offset it was given in."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    text = text_of(value)
    if not text:
        return None
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return _from_epoch(float(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)  # knows PST/PDT, EST/EDT and the rest of RFC 822
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    moment = parse_time_keeping_offset(value)
    try:
        return as_utc(moment) if moment else None
    except OverflowError:  # year 1 with a positive offset, and the like
        return None


def _from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def feed_time(entry: dict, key: str) -> datetime | None:
    """feedparser's parsed `published` or `updated` (UTC struct_time) as a datetime.

    Read with dict.get: feedparser's own lookup of `updated` falls back to `published` with a
    DeprecationWarning, and callers want to know which one the feed gave."""
    parsed = dict.get(entry, f"{key}_parsed")
    if not isinstance(parsed, struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except ValueError:
        return None


def wall_clock_to_utc(local: datetime, zone: str, fallback: tzinfo | None = None) -> datetime | None:
    """A naive wall-clock time labelled with a zone abbreviation, as UTC. An unknown label uses
    `fallback` (the offset the same document writes its own dates in), else gives None."""
    tz = zone_of(zone, fallback)
    if tz is None:
        return None
    # In the repeated autumn hour the label (PST or PDT) says which of the two times is meant.
    candidates = [local.replace(tzinfo=tz, fold=fold) for fold in (0, 1)]
    matching = [moment for moment in candidates if moment.tzname() == zone.upper()]
    return as_utc(matching[0] if matching else candidates[0])


def zone_of(abbreviation: str, fallback: tzinfo | None = None) -> tzinfo | None:
    abbreviation = abbreviation.upper()
    if abbreviation in _ZONES:
        return ZoneInfo(_ZONES[abbreviation])
    if abbreviation in _FIXED_OFFSETS:
        return timezone(timedelta(hours=_FIXED_OFFSETS[abbreviation]))
    return fallback


_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

# "Nov 21, 19:58 UTC", "Jan  1, 09:09 PST", "Sep 12, 9:05 AM PDT", "June 4, 2026 06:43 PDT"
_STAMP = re.compile(
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})\s*,?\s+(?:(?P<year>\d{4}),?\s+)?"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<half>[AaPp]\.?[Mm]\.?)?\s*(?P<zone>[A-Za-z]{1,5})?"
)
_CLOCK = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<half>[AaPp]\.?[Mm]\.?)?\s*(?P<zone>[A-Za-z]{1,5})?")


def parse_stamp(text: str, near: datetime, fallback: tzinfo | None = None) -> datetime | None:
    """A status-page time stamp that may lack the year, as UTC. The year is the one that puts the
    stamp nearest to `near` (the entry's own date): a December update of an incident published
    in January belongs to the previous year.

    A stamp with only a clock time ("1:14 PM PDT", as AWS writes later updates of the same day)
    takes its day from `near`, as seen in the stamp's own time zone."""
    match = _STAMP.search(text)
    if match:
        month = _MONTHS.get(match["month"][:3].lower())
        if month is None:
            return None
        day = int(match["day"])
        years = [int(match["year"])] if match["year"] else [near.year - 1, near.year, near.year + 1]
    else:
        match = _CLOCK.search(text)
        zone = zone_of(match["zone"] or "UTC", fallback) if match else None
        if zone is None:
            return None
        try:
            local_near = near.astimezone(zone)
        except OverflowError:  # near the ends of the datetime range
            return None
        month, day, years = local_near.month, local_near.day, [local_near.year]
    hour, minute = int(match["hour"]), int(match["minute"])
    half = (match["half"] or "").lower().replace(".", "")
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    candidates = []
    for year in years:
        try:
            moment = wall_clock_to_utc(datetime(year, month, day, hour, minute), match["zone"] or "UTC", fallback)
        except (ValueError, OverflowError):  # 29 February of a common year, hour 25, year 0 ...
            continue
        if moment is not None:
            candidates.append(moment)
    return min(candidates, key=lambda moment: abs(moment - near), default=None)


# --- status words ----------------------------------------------------------------------------

_STATUS_WORDS = {
    "investigating": VendorStatus.INVESTIGATING,
    "identified": VendorStatus.IDENTIFIED,
    "monitoring": VendorStatus.MONITORING,
    "resolved": VendorStatus.RESOLVED,
    "mitigated": VendorStatus.RESOLVED,
    "postmortem": VendorStatus.POSTMORTEM,
    "post mortem": VendorStatus.POSTMORTEM,
    "scheduled": VendorStatus.SCHEDULED,
    "in progress": VendorStatus.IN_PROGRESS,
    "verifying": VendorStatus.VERIFYING,
    "completed": VendorStatus.COMPLETED,
    "update": VendorStatus.UPDATE,
}
MAINTENANCE_STATUSES = frozenset(
    {VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS, VendorStatus.VERIFYING, VendorStatus.COMPLETED}
)
CLOSED_STATUSES = frozenset({VendorStatus.RESOLVED, VendorStatus.COMPLETED, VendorStatus.POSTMORTEM})


def vendor_status(word: str, default: VendorStatus = VendorStatus.UPDATE) -> VendorStatus:
    """A provider's lifecycle word ("In progress", "in_progress", "Resolved") as VendorStatus."""
    normalised = " ".join(re.sub(r"[_-]", " ", word).lower().split())
    return _STATUS_WORDS.get(normalised, default)


def current_status(statuses: Iterable[VendorStatus]) -> VendorStatus | None:
    """The newest lifecycle word of statuses given oldest first. A plain "Update" post does not
    change the lifecycle, so it only counts when there is nothing else."""
    statuses = list(statuses)
    lifecycle = [status for status in statuses if status != VendorStatus.UPDATE]
    if lifecycle:
        return lifecycle[-1]
    return statuses[-1] if statuses else None


def unlabelled_post_statuses(count: int, current: VendorStatus) -> list[VendorStatus]:
    """Statuses for posts that carry no status word of their own (Slack notes, AWS update lines),
    oldest first: the first post opens the incident, the newest says where it stands now, the
    ones between are updates."""
    statuses = [VendorStatus.UPDATE] * count
    if count:
        statuses[0] = VendorStatus.INVESTIGATING
        statuses[-1] = current
    return statuses


# --- HTML and text ---------------------------------------------------------------------------

def parse_html(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # bs4 warns when the markup looks like a file name or URL; here that is just short text.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(_LONE_SURROGATE.sub("\ufffd", html), "html.parser")


def excerpt(text: str, limit: int = 80) -> str:
    """The start of the text on one line, cut at a word boundary when it is too long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,.;:") + "…"


def text_to_html(text: str) -> str:
    """Status-update bodies are plain text with line breaks; keep the breaks as <br />."""
    return "<br />".join(text.splitlines())


# --- feeds -----------------------------------------------------------------------------------

_XML_ROOT = re.compile(r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!(?i:DOCTYPE)[^>]*>\s*)*<([A-Za-z_][\w:.-]*)", re.S)
FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf"})
# feedparser 6.0.14 crashes (ValueError from chr()) on a character reference beyond U+10FFFF,
# and turns one to a surrogate or NUL into a string nothing downstream can store. Browsers show
# U+FFFD for all of those, and so do we.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
# More items than any news or status feed carries: feedparser takes about a millisecond and a few kilobytes
# per item, so a 15 MB body of 100,000 tiny items held a worker for minutes and hundreds of megabytes.
MAX_ITEMS = 5000
_ITEM_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
# A DOCTYPE with an internal subset ("<!DOCTYPE rss [ ... ]>") in the prolog, before the root element: where
# entities are declared. No feed needs one; its entities expand to gigabytes (billion laughs, quadratic
# blow-up) or name local files and URLs (XXE).
_INTERNAL_SUBSET = re.compile(r"\A\ufeff?(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE\s[^\[>]*\[", re.S)
# A start tag with hundreds of attributes: feedparser's cost grows with the square of their number (10,000
# took seconds, 100,000 would take hours). Real feeds have a handful; only long tags are counted.
MAX_ATTRIBUTES = 256
_LONG_START_TAG = re.compile(r"<[A-Za-z_][^<>]{4096,}>")
_ATTRIBUTE = re.compile(r"""\s[^\s=<>"']+\s*=\s*["']""")
# How an XML document without a byte-order mark starts in UTF-16 or UTF-32 (XML 1.0, appendix F).
_UNMARKED_ENCODINGS = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                       (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))
# A bare "&" ("AT&T") is the commonest error in real feeds; feedparser's fallback parser would
# read it as an entity and print "AT&T;". CDATA sections are matched first and left alone.
_CDATA_OR_BARE_AMPERSAND = re.compile(rb"<!\[CDATA\[.*?\]\]>|&(?!#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)", re.S)


def xml_root(text: str) -> str:
    """The lowercased name of the document's first element, skipping the prolog ("" if none)."""
    match = _XML_ROOT.match(text)
    return match[1].lower() if match else ""


def looks_like_feed(body: bytes) -> bool:
    return xml_root(sniff_text(body, 4096)) in FEED_ROOTS


def read_feed(body: bytes) -> feedparser.FeedParserDict:
    """feedparser on the bytes (never a URL: it must not fetch anything itself), with its HTML
    sanitiser and URI resolver off: we sanitise later with nh3, which is faster and safer.

    Minor errors are tolerated when entries were read; a body that is no feed is an AdapterError."""
    if not body.strip():
        raise AdapterError("not an RSS or Atom feed: the body is empty")
    head = sniff_text(body, 4096).lstrip()
    root = xml_root(head)
    if root == "html":
        raise AdapterError("not an RSS or Atom feed: the body is an HTML page")
    if head[:1] in ("{", "["):
        raise AdapterError("not an RSS or Atom feed: the body is JSON")
    _refuse_unbounded_xml(body)
    try:
        parsed = feedparser.parse(_repair_xml(body), sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser has crashed on odd input before; say so, readably
        raise AdapterError(f"the feed could not be read ({type(exc).__name__}: {exc})") from exc
    if parsed.get("bozo") and root in FEED_ROOTS and not _ends_with_closing_tag(body, root):
        # Cut off in transit: what was read may be cut too (a half title); the next poll gets it whole.
        raise AdapterError(f"the feed is cut off: it ends before its closing </{root}> tag")
    if parsed.get("entries") or parsed.get("feed", {}).get("title"):
        return parsed  # minor errors (a stray "&", a wrong encoding declaration) are tolerated
    if parsed.get("bozo"):
        raise AdapterError(f"not an RSS or Atom feed: {_bozo_reason(parsed.get('bozo_exception'))}")
    if not parsed.get("version") and root not in FEED_ROOTS:
        raise AdapterError(f"not an RSS or Atom feed: the document is <{root}>" if root else "not an RSS or Atom feed")
    return parsed  # a real feed with no entries


def _refuse_unbounded_xml(body: bytes) -> None:
    """AdapterError for XML whose parse would cost far more than its size: entity declarations, an element
    with hundreds of attributes, or more items than a feed has. Checked on the text before feedparser sees
    it, in any encoding it would detect."""
    text = _xml_text(body)
    if _INTERNAL_SUBSET.match(text):
        raise AdapterError(
            "the feed declares its own XML entities (a DOCTYPE with an internal subset), which no feed needs "
            "and which can expand to gigabytes or read local files; refused. Ask the publisher to drop the DOCTYPE"
        )
    for tag in _LONG_START_TAG.finditer(text):
        attributes = len(_ATTRIBUTE.findall(tag[0]))
        if attributes > MAX_ATTRIBUTES:
            raise AdapterError(
                f"an element of the feed has {attributes:,} attributes, more than the {MAX_ATTRIBUTES} any feed needs; "
                "refused unread"
            )
    count = sum(1 for _ in _ITEM_START.finditer(text))
    if count > MAX_ITEMS:
        raise AdapterError(
            f"the feed holds {count:,} items, more than the {MAX_ITEMS:,} a news or status feed may have; "
            "refused unread. Use a feed of recent items (most sites offer one)"
        )


def _xml_text(body: bytes) -> str:
    if body.startswith(_UTF16_BOMS):
        return body.decode("utf-16", errors="replace")
    for start, encoding in _UNMARKED_ENCODINGS:
        if body.startswith(start):
            return body.decode(encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def _ends_with_closing_tag(body: bytes, root: str) -> bool:
    tail = body.decode("utf-16", errors="replace") if body.startswith(_UTF16_BOMS) else body[-512:].decode("latin-1")
    return re.search(rf"</\s*{re.escape(root)}\s*>(?:\s|<!--.*?-->|<\?.*?\?>)*$", tail, re.I | re.S) is not None


def _bozo_reason(exc: object) -> str:
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):  # xml.sax's SAXParseException
        return f"malformed XML ({exc.getMessage()} at line {exc.getLineNumber()})"
    return str(exc) or type(exc).__name__


def _repair_xml(body: bytes) -> bytes:
    body = _CDATA_OR_BARE_AMPERSAND.sub(lambda match: match[0] if match[0].startswith(b"<!") else b"&amp;", body)
    return _CHAR_REF.sub(_replace_impossible_char_ref, body)


def _replace_impossible_char_ref(match: re.Match) -> bytes:
    digits = match[1] or match[2]
    if len(digits.lstrip(b"0")) > 7:
        return b"&#xFFFD;"
    code_point = int(digits, 16 if match[1] else 10)
    if code_point == 0 or 0xD800 <= code_point <= 0xDFFF or code_point > 0x10FFFF:
        return b"&#xFFFD;"
    return match[0]


def entry_html(entry: dict) -> str:
    """The fullest HTML an entry gives: its content, else its summary."""
    for content in entry.get("content") or ():
        value = content.get("value") if isinstance(content, dict) else None
        if value:
            return value
    return entry.get("summary") or ""


def entry_title(entry: dict) -> str:
    """The entry's title as plain text (Atom titles may be HTML)."""
    title = entry.get("title") or ""
    detail = entry.get("title_detail") or {}
    if detail.get("type") in ("text/html", "application/xhtml+xml"):
        return html_to_text(title).replace("\n", " ")
    return " ".join(title.split())


# --- AWS Health Dashboard, shared by its RSS and JSON adapters -------------------------------

# "ec2-us-east-1", "internetconnectivity-us-gov-west-1", "s3-us-standard"; global services have none.
_AWS_SLUG = re.compile(
    r"^(?P<service>[a-z0-9][a-z0-9-]*?)-(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+|us-standard)$"
)
# AWS's four dashboard states, as its RSS titles word them, by the number its JSON uses.
AWS_STATES = {
    "0": "Service is operating normally",
    "1": "Informational message",
    "2": "Performance issues",
    "3": "Service disruption",
}


def aws_service_and_region(slug: str) -> tuple[str, str]:
    """("ec2", "us-east-1") from "ec2-us-east-1"; (slug, "") for a global service."""
    match = _AWS_SLUG.match(slug.lower())
    return (match["service"], match["region"]) if match else (slug.lower(), "")


def aws_status(state: str, summary: str) -> tuple[VendorStatus, str]:
    """The lifecycle and impact of an AWS post from its state words and summary: "[RESOLVED]" or
    "operating normally" closes it; an informational message is a plain update; else it is open."""
    state = state.lower()
    resolved = "[resolved]" in summary.lower() or "operating normally" in state
    impact = "" if "operating normally" in state else state
    if resolved:
        return VendorStatus.RESOLVED, impact
    if state.startswith("informational"):
        return VendorStatus.UPDATE, impact
    return VendorStatus.INVESTIGATING, impact


def strip_resolved_tag(summary: str) -> str:
    return re.sub(r"^\s*\[resolved\]\s*", "", summary, flags=re.I)


# --- component states, shared by the adapters that publish them ------------------------------


def worst_per_key(components: Iterable[Component]) -> tuple[Component, ...]:
    """One component per key, the worst state named for it (two open incidents may name one
    product), in the order first named."""
    kept: dict[str, Component] = {}
    for component in components:
        held = kept.get(component.key)
        if held is None or STATE_RANK[component.state] > STATE_RANK[held.state]:
            kept[component.key] = component
    return tuple(kept.values())


def affected_only_page(components: Iterable[Component], calm_label: str) -> PageStatus:
    """The page of a provider whose payload names only the components its open incidents affect: the
    worst of them, else operational in the provider's calm words (no open incident)."""
    affected = worst_per_key(components)
    state = worst_state(c.state for c in affected) or ComponentState.OPERATIONAL
    label = calm_label if not affected else ""
    return PageStatus(components=affected, complete=False, state=state, label=label)
