"""The AWS Health Dashboard's JSON, in its two shapes:

- current: https://health.aws.amazon.com/public/currentevents, served as UTF-16 with a byte-order
  mark: an array of events, each with its posts in `event_log`;
- legacy: https://status.aws.amazon.com/data.json, {"archive": [...], "current": [...]}, each
  event's posts as HTML lines in `description`: <div><span class="yellowfg">12:53 PM PDT</span>
  &nbsp;text</div>, the date only on lines of a later day ("Sep 12, 9:05 AM PDT").

Neither gives an event id or a link of its own: the id is the service and the start time, and
every item links to the dashboard.

Neither lists the services as components: `components` reads the services of the current events
(the current array; the legacy `archive` is the past), each in its event's dashboard state, the worst
when two events name one; a resolved event's service is operating normally.
"""

from datetime import datetime
from typing import NamedTuple

from ..items import AdapterError, Component, ComponentState, Item, ItemKind, PageStatus, StatusUpdate, VendorStatus
from .common import (
    AWS_STATES,
    affected_only_page,
    aws_service_and_region,
    aws_status,
    dicts_in,
    html_to_text,
    json_or_none,
    load_json,
    parse_html,
    parse_stamp,
    parse_time,
    require_objects,
    stable_id,
    strip_resolved_tag,
    text_of,
    unique,
    unlabelled_post_statuses,
)

KIND = "aws_json"
LABEL = "AWS Health current events JSON"

DASHBOARD_URL = "https://health.aws.amazon.com/health/status"
_WHAT = "AWS Health Dashboard JSON"


class Post(NamedTuple):
    posted_at: datetime
    text: str
    html: str
    state: str  # the dashboard state the post was made in, when the post says ("Service disruption")


def parse(body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    data = load_json(body)
    if isinstance(data, list):
        return [_current_event(event) for event in require_objects(data, "the array", _WHAT)]
    if isinstance(data, dict) and ("archive" in data or "current" in data):
        return [_legacy_event(event) for key in ("current", "archive")
                for event in require_objects(data.get(key, []), f"'{key}'", _WHAT)]
    raise AdapterError(f"not {_WHAT}: expected an array of events or an object with 'archive' and 'current'")


def _current_event(event: dict) -> Item:
    started = parse_time(event.get("date"))
    posts = []
    for entry in dicts_in(event.get("event_log")):
        posted_at = parse_time(entry.get("timestamp"))
        if posted_at is not None:
            message = text_of(entry.get("message"))
            state = AWS_STATES.get(text_of(entry.get("status")), "")
            posts.append(Post(posted_at, html_to_text(message), message, state))
    return _item(event, started, posts, region_name=text_of(event.get("region_name")))


def _legacy_event(event: dict) -> Item:
    started = parse_time(event.get("date"))
    posts = _description_posts(text_of(event.get("description")), started) if started else []
    return _item(event, started, posts, region_name="")


def _description_posts(description: str, started: datetime) -> list[Post]:
    posts = []
    previous = started
    for line in parse_html(description).find_all("div"):
        stamp = line.find("span")
        posted_at = parse_stamp(stamp.get_text(), previous) if stamp else None
        if posted_at is None:
            continue
        stamp.extract()
        html = line.decode_contents().replace("\xa0", " ").strip()
        posts.append(Post(posted_at, html_to_text(html), html, state=""))
        previous = posted_at  # a line with only a clock time is on the day of the line before
    return posts


def _item(event: dict, started: datetime | None, posts: list[Post], region_name: str) -> Item:
    slug = text_of(event.get("service"))
    service, region = aws_service_and_region(slug)
    summary = text_of(event.get("summary"))
    state = AWS_STATES.get(text_of(event.get("status")), "")
    status, impact = aws_status(state, summary)
    posts.sort(key=lambda post: post.posted_at)
    statuses = unlabelled_post_statuses(len(posts), status)
    updates = tuple(
        StatusUpdate(posted_at=post.posted_at, status=post_status, text=post.text, html=post.html,
                     vendor_status=post.state)
        for post, post_status in zip(posts, statuses, strict=True)
    )
    latest = updates[-1].posted_at if updates else started
    return Item(
        kind=ItemKind.STATUS,
        # The summary gains "[RESOLVED]" when the event ends, so it cannot be part of the id.
        external_id=f"{slug}:{text_of(event.get('date'))}" if slug and started else stable_id(slug, summary),
        title=strip_resolved_tag(summary) or text_of(event.get("service_name")) or "(no title)",
        url=DASHBOARD_URL,
        url_identifies=False,
        published_at=started,
        updated_at=latest,
        status=status,
        impact=impact,
        components=(service,) if service else (),
        locations=unique([region, region_name]),
        started_at=started,
        resolved_at=latest if status == VendorStatus.RESOLVED else None,
        updates=updates,
    )


# The dashboard's four states on the one scale; an informational message is about a problem too.
_STATES = {
    "0": ComponentState.OPERATIONAL,
    "1": ComponentState.DEGRADED,
    "2": ComponentState.DEGRADED,
    "3": ComponentState.MAJOR_OUTAGE,
}


def components(body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    data = load_json(body)
    if isinstance(data, list):
        current = require_objects(data, "the array", _WHAT)
    elif isinstance(data, dict) and "current" in data:
        current = require_objects(data["current"], "'current'", _WHAT)
    else:
        return None
    return affected_only_page((_component(event) for event in current if text_of(event.get("service"))),
                              calm_label=AWS_STATES["0"])


def _component(event: dict) -> Component:
    code = text_of(event.get("status"))
    label = AWS_STATES.get(code, code)
    resolved = aws_status(label, text_of(event.get("summary")))[0] == VendorStatus.RESOLVED
    slug = text_of(event.get("service"))
    if resolved:
        return Component(key=slug, name=text_of(event.get("service_name")) or slug, label=AWS_STATES["0"],
                         state=ComponentState.OPERATIONAL)
    return Component(key=slug, name=text_of(event.get("service_name")) or slug, label=label,
                     state=_STATES.get(code, ComponentState.UNKNOWN))


def sniff(body: bytes, url: str = "", content_type: str = "") -> int:
    data = json_or_none(body)
    if isinstance(data, dict) and {"archive", "current"} <= data.keys():
        return 95
    if isinstance(data, list) and data and isinstance(data[0], dict):
        keys = data[0].keys()
        if "event_log" in keys or {"region_name", "service_name", "summary"} <= keys:
            return 95
    return 0
