"""Replay a labelled file through the production pipeline, in time order, for `cluster_eval`.

Three kinds of rows (see ../shared/eval/README.md):
- news rows (title, text, url, published, source, gold_event_id): stored as news items of a
  source per publisher, then processed like any fetched article;
- status rows of a stream ("kind": "status", `vendor`, `meta` with incident_id, update_id,
  update_status, impact, components): one row per update. Each is replayed as the vendor's
  Statuspage payload at that update's time (the incident with its updates so far, beside the
  vendor's other recent incidents), parsed by the real adapter and stored for a status source of
  that vendor, as a poll would: an incident's updates stay one post with its lifecycle. A status
  row without those ids is a post of a status feed (plain title and text);
- vendor status incidents (the GitHub and Google Cloud files: one row per incident with its
  updates): rebuilt the same way, one snapshot per update. Their gold event is the row; the
  incident's status, start and end are checked against the row.
"""

import html
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.text import slugify

from articles.adapters import parse_payload
from articles.adapters.common import parse_time, vendor_status
from articles.ingest import store_items
from articles.items import Item, ItemKind
from articles.models import Article, Source, StatusUpdate
from incidents.clustering.scoring import SHIPPED, Thresholds
from incidents.extraction.identifiers import find_incident_ids
from incidents.models import Incident, Membership
from incidents.pipeline import process_article

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Statuspage's incidents.json lists a page's 50 most recent incidents.
PAGE_INCIDENTS = 50
# The update words after which Statuspage sets an incident's resolved_at.
OVER_WORDS = frozenset({"resolved", "completed", "postmortem"})


@dataclass(frozen=True)
class SourceSpec:
    """The source a row arrives from: a publisher's feed or a vendor's status page."""

    name: str
    kind: str
    vendor: str = ""


@dataclass(frozen=True)
class Event:
    """One thing arriving at the pipeline: a payload of a source at a time. `external_id` is the
    stored item the row becomes (a status update's row becomes its incident's post)."""

    at: datetime
    order: int
    source: SourceSpec
    row_id: str
    external_id: str
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
    status_replay: dict | None = None
    seconds: float = 0.0


# --- rows to events -----------------------------------------------------------------------------


def _is_status_update_row(row: dict) -> bool:
    return row.get("kind") == "status" and bool(row.get("vendor")) and bool((row.get("meta") or {}).get("incident_id"))


def _stream_events(row: dict, order: int, titles_only: bool) -> list[Event]:
    """A news article, or a status feed's post given as plain title and text."""
    published = parse_time(row.get("published"))
    is_status = row.get("kind") == "status"
    # Headline-only detection is about the press; a status page always carries its text.
    text = "" if titles_only and not is_status else row.get("text") or ""
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
    publisher = row.get("source") or "unknown"
    # A status feed's publisher is its vendor ("DigitalOcean Status" → "DigitalOcean").
    source = (SourceSpec(publisher, "statuspage_feed", publisher.removesuffix(" Status")) if is_status
              else SourceSpec(publisher, "feed"))
    return [Event(published or EPOCH, order, source, row["id"], row["id"], lambda: [item])]


def _statuspage_incident(code: str, name: str, url: str, impact: str, components: Iterable[str],
                         updates: list[dict], created_at: str | None = None,
                         schedule: tuple[str | None, str | None] | None = None) -> dict:
    """An incident as Statuspage's API shows it. `updates` (id, status, body, at) oldest first; the
    incident's status is its newest update's, as on a real page."""
    status = updates[-1]["status"]
    incident = {
        "id": code, "name": name, "status": status, "impact": impact or "none", "shortlink": url,
        "created_at": created_at or updates[0]["at"], "updated_at": updates[-1]["at"],
        "resolved_at": updates[-1]["at"] if status in OVER_WORDS else None,
        "incident_updates": [  # the API lists the newest first
            {"id": u["id"], "status": u["status"], "body": u["body"], "created_at": u["at"], "display_at": u["at"]}
            for u in reversed(updates)
        ],
        "components": [{"name": component} for component in components],
    }
    if schedule:
        incident["scheduled_for"], incident["scheduled_until"] = schedule
    return incident


def _statuspage_payload(page_id: str, name: str, url: str, incidents: list[dict],
                        maintenances: list[dict] = ()) -> bytes:
    return json.dumps({"page": {"id": page_id, "name": name, "url": url},
                       "incidents": incidents, "scheduled_maintenances": list(maintenances)}).encode()


def _github_snapshot(row: dict, count: int) -> bytes:
    """The row as Statuspage's incidents.json would have shown it after `count` updates."""
    code = row["url"].rstrip("/").rsplit("/", 1)[-1]
    updates, word = [], "investigating"
    for n, update in enumerate(row["updates"][:count]):
        # History pages say "Update" where the API repeats the incident's current status.
        if update["status"].lower() != "update":
            word = update["status"].lower().replace(" ", "_")
        updates.append({"id": f"{code}-{n}", "status": word, "body": update["message"], "at": update["at"]})
    incident = _statuspage_incident(code, row["title"], row["url"], row.get("impact"), row.get("components") or [],
                                    updates)
    return _statuspage_payload("github", "GitHub", "https://www.githubstatus.com", [incident])


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


GCP_SOURCE = SourceSpec("Google Cloud Status", "gcp", "Google Cloud")
GITHUB_SOURCE = SourceSpec("GitHub Status", "statuspage", "GitHub")


def _incident_row_events(row: dict, order: int) -> tuple[list[Event], LifecycleCheck]:
    code = row["url"].rstrip("/").rsplit("/", 1)[-1]
    events = []
    if "begin" in row:  # Google Cloud
        updates = sorted(row["updates"], key=lambda u: u["when"])
        for n in range(1, len(updates) + 1):
            body = _gcp_snapshot(row, updates[:n], final=n == len(updates) and bool(row.get("end")))
            at = parse_time(updates[n - 1]["when"])
            events.append(Event(at, order, GCP_SOURCE, row["id"], code, lambda b=body: parse_payload("gcp", b)))
        check = LifecycleCheck(row["id"], "resolved", parse_time(row["begin"]), parse_time(row.get("end")))
    else:  # GitHub (Atlassian Statuspage)
        for n in range(1, len(row["updates"]) + 1):
            body = _github_snapshot(row, n)
            at = parse_time(row["updates"][n - 1]["at"])
            events.append(Event(at, order, GITHUB_SOURCE, row["id"], code,
                                lambda b=body: parse_payload("statuspage", b)))
        last_word = row["updates"][-1]["status"].lower()
        expected = "completed" if last_word == "completed" else "resolved"
        check = LifecycleCheck(
            row["id"], expected, parse_time(row.get("started_at")), parse_time(row.get("resolved_at"))
        )
    return events, check


def _in_time_order(rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    return sorted(rows, key=lambda pair: (parse_time(pair[1].get("published")) or EPOCH, pair[0]))


def _status_update_events(rows: list[tuple[int, dict]]) -> list[Event]:
    """Status update rows of one vendor (with their order in the stream), in time order, as that
    vendor's page at each update's time: every incident with its updates so far, newest first."""
    vendor = rows[0][1]["vendor"]
    source = SourceSpec(f"{vendor} Status", "statuspage", vendor)
    page_url = ""
    seen: dict[str, dict[str, dict]] = {}  # incident id → update id → its newest row
    events = []
    for order, row in rows:
        meta = row["meta"]
        page_url = page_url or (meta.get("canonical_url") or "").partition("/incidents/")[0]
        incident_id = meta["incident_id"]
        updates = seen.pop(incident_id, {})
        updates[meta.get("update_id") or row["id"]] = row  # an edited update replaces its first version
        seen[incident_id] = updates  # now the most recently updated
        page = [(code, tuple(by_id.values())) for code, by_id in reversed(seen.items())][:PAGE_INCIDENTS]
        # Each payload is built when replayed: a vendor's pages together would be large.
        events.append(Event(parse_time(row.get("published")) or EPOCH, order, source, row["id"], incident_id,
                            lambda p=page, u=page_url: parse_payload("statuspage", _vendor_page(vendor, u, p))))
    return events


def _vendor_page(vendor: str, page_url: str, page: list[tuple[str, tuple[dict, ...]]]) -> bytes:
    incidents, maintenances = [], []
    for code, rows in page:
        latest = rows[-1]
        meta = latest["meta"]
        updates = [{"id": row["meta"].get("update_id") or row["id"], "status": row["meta"].get("update_status") or "",
                    "body": row.get("text") or "", "at": row.get("published")} for row in rows]
        is_maintenance = meta.get("record_type") == "scheduled_maintenance"
        incident = _statuspage_incident(
            code, latest.get("title") or "", latest.get("url") or "", meta.get("impact") or "",
            meta.get("components") or [], updates, created_at=meta.get("incident_created_at"),
            schedule=(meta.get("scheduled_for"), meta.get("scheduled_until")) if is_maintenance else None,
        )
        (maintenances if is_maintenance else incidents).append(incident)
    return _statuspage_payload(slugify(vendor), vendor, page_url, incidents, maintenances)


# --- replay ---------------------------------------------------------------------------------------


def _source(spec: SourceSpec, cache: dict[SourceSpec, Source]) -> Source:
    if spec not in cache:
        slug = slugify(f"eval-{spec.kind}-{spec.name}")[:100] or "eval"
        cache[spec] = Source.objects.create(name=spec.name, slug=slug, kind=spec.kind,
                                            url=f"https://eval.invalid/{slug}", vendor_name=spec.vendor)
    return cache[spec]


def replay(rows: Iterable[dict], *, all_relevant: bool = False, titles_only: bool = False,
           progress: Callable[[int, int], None] | None = None, thresholds: Thresholds = SHIPPED) -> ReplayResult:
    """Replay `rows` (from one file or several) in time order; `titles_only` drops the text of
    news rows; `thresholds` are the clustering's join thresholds (the shipped ones by default)."""
    result = ReplayResult()
    events: list[Event] = []
    checks: list[LifecycleCheck] = []
    status_rows: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for order, row in enumerate(rows):
        if "updates" in row:
            row_events, check = _incident_row_events(row, order)
            events += row_events
            checks.append(check)
            result.gold[row["id"]] = row["id"]
            continue
        if _is_status_update_row(row):
            status_rows[row["vendor"]].append((order, row))
        else:
            events += _stream_events(row, order, titles_only)
        result.gold[row["id"]] = row.get("gold_event_id")
    for vendor, vendor_rows in status_rows.items():
        status_rows[vendor] = _in_time_order(vendor_rows)
        events += _status_update_events(status_rows[vendor])
    events.sort(key=lambda e: (e.at, e.order))

    sources: dict[SourceSpec, Source] = {}
    started = time.perf_counter()
    for n, event in enumerate(events, 1):
        source = _source(event.source, sources)
        fetched_at = timezone.now() if event.at == EPOCH else event.at  # undated rows get "now", flagged
        stored = store_items(source, event.items(), fetched_at=fetched_at, scrape_teasers=False)
        for article_id in stored.new_ids + stored.updated_ids:
            process_article(article_id, assume_outage=all_relevant, thresholds=thresholds)
        if progress:
            progress(n, len(events))
    result.seconds = time.perf_counter() - started

    article_of = {(source_id, external_id): pk for source_id, external_id, pk in Article.objects.filter(
        source__in=sources.values()).values_list("source_id", "external_id", "pk")}
    article_of_row = {event.row_id: article_of.get((sources[event.source].pk, event.external_id))
                      for event in events}
    placed = dict(Membership.objects.values_list("article_id", "incident_id"))
    outage = set(Article.objects.filter(facts__is_outage=True).values_list("pk", flat=True))
    for row_id in result.gold:
        article_id = article_of_row.get(row_id)
        result.assignment[row_id] = placed.get(article_id)
        # Detection is the relevance decision: planned maintenance is placed, but is not an outage.
        result.detected[row_id] = article_id in outage
    if checks:
        result.lifecycle = _check_lifecycles(checks, result.assignment)
    if status_rows:
        result.status_replay = _check_status_replay(status_rows, article_of_row, result.assignment)
    return result


def _check_status_replay(status_rows: dict[str, list[tuple[int, dict]]], article_of_row: dict[str, int | None],
                         assignment: dict[str, int | None]) -> dict:
    """Did each vendor incident of the stream stay one post in one incident, with every update
    stored and the status of its newest update?"""
    rows_of: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for vendor, rows in status_rows.items():  # in time order
        for _, row in rows:
            rows_of[vendor, row["meta"]["incident_id"]].append(row)
    articles = {article_of_row.get(rows[0]["id"]) for rows in rows_of.values()}
    updates_stored = StatusUpdate.objects.filter(article__in=articles - {None}).count()
    incidents = Incident.objects.in_bulk([i for i in assignment.values() if i is not None])
    one_incident = status_right = 0
    for rows in rows_of.values():
        placed = {assignment.get(row["id"]) for row in rows}
        incident = incidents.get(placed.pop()) if len(placed) == 1 else None
        one_incident += incident is not None
        newest = vendor_status(rows[-1]["meta"].get("update_status") or "")
        status_right += incident is not None and incident.status == newest.value
    return {"vendor_incidents": len(rows_of), "in_one_incident": one_incident,
            "status_of_newest_update": status_right,
            "updates": sum(len(rows) for rows in rows_of.values()), "updates_stored": updates_stored}


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
