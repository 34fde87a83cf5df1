"""Replay a labelled file through the production pipeline, in time order, for `cluster_eval`.

Two kinds of rows (see ../shared/eval/README.md):
- article-stream rows (title, text, url, published, source, gold_event_id): stored as news items
  of a source per publisher, then processed like any fetched article;
- vendor status incidents (the GitHub and Google Cloud files: one row per incident with its
  updates): rebuilt as the vendor's own API payload, one snapshot per update as a poller would
  have seen it, parsed by the real adapter, stored and processed. Their gold event is the row;
  the incident's status, start and end are checked against the row.
"""

import html
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.text import slugify

from articles.adapters import parse_payload
from articles.adapters.common import parse_time
from articles.ingest import store_items
from articles.items import Item, ItemKind
from articles.models import Article, Source
from incidents.extraction.identifiers import find_incident_ids
from incidents.models import Incident, Membership
from incidents.pipeline import process_article

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    """One thing arriving at the pipeline: a payload of a source at a time."""

    at: datetime
    order: int
    source_key: str
    row_id: str
    items: Callable[[], list[Item]]


@dataclass
class LifecycleCheck:
    row_id: str
    expected_status: str
    expected_start: datetime | None
    expected_end: datetime | None


@dataclass
class ReplayResult:
    gold: dict[str, str | None] = field(default_factory=dict)
    assignment: dict[str, int | None] = field(default_factory=dict)
    detected: dict[str, bool] = field(default_factory=dict)
    lifecycle: dict | None = None
    seconds: float = 0.0


# --- rows to events -----------------------------------------------------------------------------


def _stream_events(row: dict, order: int) -> list[Event]:
    """A news article, or a status post given as plain title and text ("kind": "status")."""
    published = parse_time(row.get("published"))
    text = row.get("text") or ""
    is_status = row.get("kind") == "status"
    item = Item(
        kind=ItemKind.STATUS if is_status else ItemKind.NEWS,
        external_id=row["id"],
        title=row.get("title") or "",
        url=row.get("url") or "",
        url_identifies=bool(row.get("url")),
        published_at=published,
        content_html="".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()),
        # A status feed's adapter reads the vendor's incident id from the post's link.
        vendor_incident_id=next(iter(find_incident_ids(row.get("url") or "")), "") if is_status else "",
    )
    source = f"{'statusfeed' if is_status else 'news'}:{row.get('source') or 'unknown'}"
    return [Event(published or EPOCH, order, source, row["id"], lambda: [item])]


def _github_snapshot(row: dict, count: int) -> bytes:
    """The row as Statuspage's incidents.json would have shown it after `count` updates."""
    code = row["url"].rstrip("/").rsplit("/", 1)[-1]
    updates, word = [], "investigating"
    for n, update in enumerate(row["updates"][:count]):
        # History pages say "Update" where the API repeats the incident's current status.
        if update["status"].lower() != "update":
            word = update["status"].lower().replace(" ", "_")
        updates.append({"id": f"{code}-{n}", "status": word, "body": update["message"],
                        "created_at": update["at"], "display_at": update["at"]})
    incident = {
        "id": code, "name": row["title"], "status": word, "impact": row.get("impact") or "none",
        "shortlink": row["url"], "created_at": row["updates"][0]["at"], "updated_at": row["updates"][count - 1]["at"],
        "resolved_at": updates[-1]["created_at"] if word in ("resolved", "completed", "postmortem") else None,
        "incident_updates": list(reversed(updates)),  # the API lists the newest first
        "components": [{"name": name} for name in row.get("components") or []],
    }
    return json.dumps({"page": {"id": "github", "name": "GitHub", "url": "https://www.githubstatus.com"},
                       "incidents": [incident]}).encode()


def _gcp_snapshot(row: dict, updates: list[dict], final: bool) -> bytes:
    """The row as Google Cloud's incidents.json would have shown it with these updates."""
    code = row["url"].rstrip("/").rsplit("/", 1)[-1]
    incident = {
        "id": code, "number": code, "external_desc": row["title"], "begin": row["begin"],
        "end": row["end"] if final else None, "modified": updates[-1]["when"],
        "severity": row.get("severity"), "service_name": row.get("service_name"),
        "affected_products": [{"title": name} for name in row.get("affected_products") or []],
        "currently_affected_locations": [{"id": loc, "title": loc} for loc in _locations(row)],
        "updates": [{"when": u["when"], "created": u["when"], "status": u["status"], "text": u["text"]}
                    for u in reversed(updates)],
        "uri": f"incidents/{code}",
    }
    return json.dumps([incident]).encode()


def _locations(row: dict) -> list[str]:
    value = row.get("locations") or []
    return re.findall(r"[a-z]+-[a-z]+\d", value) if isinstance(value, str) else list(value)


def _status_events(row: dict, order: int) -> tuple[list[Event], LifecycleCheck]:
    events = []
    if "begin" in row:  # Google Cloud
        updates = sorted(row["updates"], key=lambda u: u["when"])
        for n in range(1, len(updates) + 1):
            body = _gcp_snapshot(row, updates[:n], final=n == len(updates) and bool(row.get("end")))
            at = parse_time(updates[n - 1]["when"])
            events.append(Event(at, order, "status:gcp", row["id"], lambda b=body: parse_payload("gcp", b)))
        check = LifecycleCheck(row["id"], "resolved", parse_time(row["begin"]), parse_time(row.get("end")))
    else:  # GitHub (Atlassian Statuspage)
        for n in range(1, len(row["updates"]) + 1):
            body = _github_snapshot(row, n)
            at = parse_time(row["updates"][n - 1]["at"])
            events.append(Event(at, order, "status:github", row["id"],
                                lambda b=body: parse_payload("statuspage", b)))
        last_word = row["updates"][-1]["status"].lower()
        expected = "completed" if last_word == "completed" else "resolved"
        check = LifecycleCheck(
            row["id"], expected, parse_time(row.get("started_at")), parse_time(row.get("resolved_at"))
        )
    return events, check


# --- replay ---------------------------------------------------------------------------------------

STATUS_SOURCES = {"status:gcp": ("gcp", "Google Cloud"), "status:github": ("statuspage", "GitHub")}


def _source(key: str, cache: dict[str, Source]) -> Source:
    if key not in cache:
        name = key.split(":", 1)[1]
        # A status feed's publisher is its vendor ("DigitalOcean Status" → "DigitalOcean").
        default = ("statuspage_feed", name.removesuffix(" Status")) if key.startswith("statusfeed:") else ("feed", "")
        kind, vendor = STATUS_SOURCES.get(key, default)
        cache[key] = Source.objects.create(
            name=name, slug=slugify(f"eval-{key}")[:100] or "eval", kind=kind,
            url=f"https://eval.invalid/{slugify(key)}", vendor_name=vendor,
        )
    return cache[key]


def replay(rows: Iterable[dict], *, all_relevant: bool = False, progress: Callable[[int, int], None] | None = None
           ) -> ReplayResult:
    result = ReplayResult()
    events: list[Event] = []
    checks: list[LifecycleCheck] = []
    for order, row in enumerate(rows):
        if "updates" in row:
            row_events, check = _status_events(row, order)
            events += row_events
            checks.append(check)
            result.gold[row["id"]] = row["id"]
        else:
            events += _stream_events(row, order)
            result.gold[row["id"]] = row.get("gold_event_id")
    events.sort(key=lambda e: (e.at, e.order))

    sources: dict[str, Source] = {}
    article_of_row: dict[str, int] = {}
    started = time.perf_counter()
    for n, event in enumerate(events, 1):
        source = _source(event.source_key, sources)
        fetched_at = timezone.now() if event.at == EPOCH else event.at  # undated rows get "now", flagged
        stored = store_items(source, event.items(), fetched_at=fetched_at, scrape_teasers=False)
        for article_id in stored.new_ids + stored.updated_ids:
            article_of_row[event.row_id] = article_id
            process_article(article_id, assume_outage=all_relevant)
        if progress:
            progress(n, len(events))
    result.seconds = time.perf_counter() - started

    placed = dict(Membership.objects.values_list("article_id", "incident_id"))
    outage = set(Article.objects.filter(facts__is_outage=True).values_list("pk", flat=True))
    for row_id in result.gold:
        article_id = article_of_row.get(row_id)
        result.assignment[row_id] = placed.get(article_id)
        # Detection is the relevance decision: planned maintenance is placed, but is not an outage.
        result.detected[row_id] = article_id in outage
    if checks:
        result.lifecycle = _check_lifecycles(checks, result.assignment)
    return result


def _check_lifecycles(checks: list[LifecycleCheck], assignment: dict[str, int | None]) -> dict:
    incidents = Incident.objects.in_bulk([i for i in assignment.values() if i is not None])
    wrong: list[str] = []
    for check in checks:
        incident = incidents.get(assignment.get(check.row_id))
        if incident is None or (incident.status, incident.started_at, incident.resolved_at) != (
            check.expected_status, check.expected_start, check.expected_end
        ):
            wrong.append(check.row_id)
    right = len(checks) - len(wrong)
    return {"incidents": len(checks), "right": right, "accuracy": round(right / len(checks), 4),
            "wrong": wrong[:20]}
