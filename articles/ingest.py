"""Store parsed items as articles: one row per story, updated in place when it changes.

Dedupe rules, in order:
1. (source, external id): the same item polled again is the same row.
2. canonical URL, news only: the same story from a second feed is not stored again, but recorded
   (DuplicateItem, and counted on the poll). Status posts dedupe by rule 1 only: a news item that
   links to a vendor's incident must not keep the vendor's own post out.
Both are enforced by named unique constraints, so two workers racing on one item cannot
store it twice: the loser's insert fails and it updates the winner's row instead.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from operator import is_not

from django.db import IntegrityError, connection, transaction

from . import bulk_insert
from .canonical import canonical_url
from .items import Item, ItemKind
from .items import StatusUpdate as ItemUpdate
from .links import web_link
from .models import Article, DuplicateItem, Source, StatusUpdate
from .sanitize import carries_markup, html_to_text, sanitize_html, xml_text

# A feed that gives less than this much text gives a teaser: the article page is fetched.
TEASER_MAX_CHARS = 600
# Feeds that cut the article short say so at the end (Ars Technica: "Read full article Comments").
READ_MORE_TAIL = re.compile(
    r"(read (the )?(full|more|rest)[\w ]*|continue reading[\w ]*|\[(\.\.\.|…)\]|…)\W*(comments)?\W*$", re.IGNORECASE
)
# A date further ahead than this is a publisher's mistake, not a scheduled post.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Dates outside these bounds are no dates (year 1, year 9999, the Unix epoch): an item's are taken as not
# given, an update with one is dropped as adapters drop one without a time. Nothing we poll reports on
# anything before 1990; what has happened is not dated more than a day ahead; a maintenance is
# announced ahead of its start, but not years ahead.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=1)
LATEST_START_AHEAD = timedelta(days=366)
_AHEAD_AT_MOST = {"published_at": LATEST_AHEAD, "updated_at": LATEST_AHEAD, "resolved_at": LATEST_AHEAD,
                  "started_at": LATEST_START_AHEAD}


@dataclass
class IngestResult:
    seen: int = 0
    new: int = 0
    updated: int = 0
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    to_scrape: list[int] = field(default_factory=list)
    duplicates: int = 0  # news items whose story another article already tells: recorded, not stored


def _xml_clean(value):
    """The value (an item, its updates, their strings and tuples of strings) without the characters
    XML 1.0 forbids, in every text we store; the same object when it has none."""
    if type(value) is str:  # not the enums: they are strings too
        return xml_text(value)
    if type(value) is tuple:
        cleaned = tuple(map(_xml_clean, value))
        return cleaned if any(map(is_not, cleaned, value)) else value
    if type(value) in (Item, ItemUpdate):
        changed = {name: new for name in _field_names(type(value))
                   if (new := _xml_clean(old := getattr(value, name))) is not old}
        return replace(value, **changed) if changed else value
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plausibly_dated(item: Item, fetched_at: datetime) -> Item:
    """The item without the dates that cannot be true (see EARLIEST_DATE); the same object when all can."""
    def plausible(moment: datetime | None, ahead: timedelta = LATEST_AHEAD) -> bool:
        return moment is None or EARLIEST_DATE <= moment <= fetched_at + ahead

    changed = {name: None for name, ahead in _AHEAD_AT_MOST.items() if not plausible(getattr(item, name), ahead)}
    if not all(plausible(update.posted_at) for update in item.updates):
        changed["updates"] = tuple(update for update in item.updates if plausible(update.posted_at))
    return replace(item, **changed) if changed else item


def _content_hash(item: Item) -> str:
    fingerprint = {
        "title": item.title, "url": item.url, "author": item.author, "summary": item.summary_html,
        "content": item.content_html, "categories": item.categories, "status": item.status,
        "impact": item.impact, "components": item.components, "locations": item.locations,
        "published": item.published_at, "updated": item.updated_at, "resolved": item.resolved_at,
        "updates": [(u.posted_at, u.status, u.html or u.text) for u in item.updates],
    }
    return hashlib.sha256(json.dumps(fingerprint, default=str, sort_keys=True).encode()).hexdigest()


def _published_at(item: Item, fetched_at: datetime) -> tuple[datetime, bool]:
    """The item's date, or the fetch time with a flag when it has none or one in the future."""
    published = item.published_at or item.updated_at or item.started_at
    if published is None or published > fetched_at + FUTURE_TOLERANCE:
        return fetched_at, True
    return published, False


def _is_teaser(text: str) -> bool:
    return len(text) < TEASER_MAX_CHARS or bool(READ_MORE_TAIL.search(text[-120:]))


def _article_fields(source: Source, item: Item, fetched_at: datetime, scrape_teasers: bool) -> dict:
    summary_html = sanitize_html(item.summary_html)
    body_html = sanitize_html(item.content_html)
    summary_text = html_to_text(summary_html, sanitized=True)
    body_text = html_to_text(body_html, sanitized=True)
    published_at, estimated = _published_at(item, fetched_at)
    url = web_link(item.url)  # a javascript: or data: link is no link: it is not stored
    canonical = canonical_url(url) if url else ""
    is_teaser = item.kind == ItemKind.NEWS and bool(url) and _is_teaser(body_text or summary_text)
    return {
        "kind": item.kind.value,
        "url": url[:2000],
        "canonical_url": canonical[:2000],
        "dedupe_url": canonical[:2000] if canonical and item.url_identifies and item.kind == ItemKind.NEWS else None,
        "title": (item.title.strip() or summary_text[:120] or "(no title)")[:1000],
        "author": item.author[:300],
        "categories": list(item.categories),
        "summary_html": summary_html,
        "summary_text": summary_text,
        "body_html": body_html,
        "body_text": body_text,
        "published_at": published_at,
        "published_is_fetch_time": estimated,
        "source_updated_at": item.updated_at,
        "scrape_state": Article.ScrapeState.PENDING if is_teaser and scrape_teasers else Article.ScrapeState.NOT_NEEDED,
        "vendor_name": source.vendor_name,
        "vendor_incident_id": item.vendor_incident_id[:200],
        "vendor_status": item.status.value if item.status else "",
        "impact": item.impact[:40],
        "components": list(item.components),
        "locations": list(item.locations),
        "started_at": item.started_at,
        "resolved_at": item.resolved_at,
    }


def _update_keys(item: Item) -> list[str]:
    """A stable key per update: the vendor's id, else its time and status (numbered if repeated)."""
    keys, used = [], set()
    for update in item.updates:
        base = update.external_id or f"{update.posted_at:%Y%m%dT%H%M%S}-{update.status}"
        key, n = base[:110], 1
        while key in used:
            n += 1
            key = f"{base[:105]}~{n}"
        used.add(key)
        keys.append(key)
    return keys


def _status_update_rows(article: Article, item: Item, existing: dict[str, StatusUpdate]) -> list[StatusUpdate]:
    """Rows to insert for updates not stored yet; changed ones are saved in place."""
    new_rows = []
    for key, update in zip(_update_keys(item), item.updates, strict=True):
        # Adapters give each update's plain text already; derive it only when one did not. HTML that
        # only wraps that text in paragraphs is not kept: the text says it all (most updates).
        text = update.text or html_to_text(update.html)
        html = sanitize_html(update.html) if carries_markup(update.html) else ""
        row = existing.get(key)
        if row is None:
            new_rows.append(StatusUpdate(
                article=article, key=key, posted_at=update.posted_at, status=update.status.value,
                vendor_status=update.vendor_status[:80], text=text, html=html,
            ))
        elif (row.text, row.html, row.status, row.posted_at) != (text, html, update.status.value, update.posted_at):
            row.text, row.html, row.status, row.posted_at = text, html, update.status.value, update.posted_at
            row.vendor_status = update.vendor_status[:80]
            row.save(update_fields=["text", "html", "status", "posted_at", "vendor_status"])
    return new_rows


def _unique_by_external_id(items: list[Item]) -> dict[str, Item]:
    """Duplicate ids in one payload (it happens): the last one wins, as feeds list newest last rarely
    and the later copy is at worst the same."""
    by_id: dict[str, Item] = {}
    for item in items:
        if item.external_id:
            by_id[item.external_id[:500]] = item
    return by_id


# The two lookups every poll makes, written as SQL: through the ORM, an IN list of a hundred ids took
# longer to build (each value is prepared on its own) than the database took to answer it. Chunked:
# SQLite refuses a statement with more than 32,766 parameters, and a 15 MiB feed can list more items.
LOOKUP_CHUNK = 1000


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[start:start + LOOKUP_CHUNK] for start in range(0, len(values), LOOKUP_CHUNK)]


def _stored(source: Source, external_ids: list[str]) -> list[Article]:
    """The articles of this source with these ids, with the fields an update needs."""
    return [
        article for chunk in _chunks(external_ids) for article in Article.objects.raw(
            "SELECT id, external_id, content_hash, scrape_state, body_html, first_seen_at, published_at, "  # noqa: S608 - placeholders only
            "published_is_fetch_time FROM articles_article "
            f"WHERE source_id = %s AND external_id IN ({bulk_insert.placeholders(len(chunk))})",
            [source.pk, *chunk],
        )
    ]


def _taken_urls(urls: list[str]) -> dict[str, int]:
    """Which of these URLs another stored article already has, and which article."""
    taken = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(urls):
            cursor.execute(
                "SELECT dedupe_url, id FROM articles_article "  # noqa: S608 - placeholders only
                f"WHERE dedupe_url IN ({bulk_insert.placeholders(len(chunk))})",
                chunk,
            )
            taken.update(cursor.fetchall())
    return taken


def store_items(source: Source, items: list[Item], fetched_at: datetime, scrape_teasers: bool = True) -> IngestResult:
    """Insert new items, update changed ones, skip the rest.

    One transaction per batch (a savepoint around each insert, for the race below), one query for a
    batch that holds nothing new whatever its size, and one insert for all the new status updates.
    """
    result = IngestResult()
    by_id = _unique_by_external_id([_plausibly_dated(_xml_clean(item), fetched_at) for item in items])
    result.seen = len(by_id)
    if not by_id:
        return result
    existing = {article.external_id: article for article in _stored(source, list(by_id))}
    changed = {
        external_id: (item, digest) for external_id, item in by_id.items()
        if (digest := _content_hash(item)) != getattr(existing.get(external_id), "content_hash", None)
    }
    if not changed:
        return result
    fields_of = {ext_id: _article_fields(source, item, fetched_at, scrape_teasers)
                 for ext_id, (item, _) in changed.items()}
    urls_of_new = {fields["dedupe_url"] for ext_id, fields in fields_of.items()
                   if ext_id not in existing and fields["dedupe_url"]}
    # The article that has each URL; None for an item of this batch that is not inserted yet.
    taken_urls: dict[str, int | None] = _taken_urls(list(urls_of_new)) if urls_of_new else {}
    stored_updates: dict[int, dict[str, StatusUpdate]] = {}
    if any(ext_id in existing and item.updates for ext_id, (item, _) in changed.items()):
        for update in StatusUpdate.objects.filter(article__in=[existing[e] for e in changed if e in existing]):
            stored_updates.setdefault(update.article_id, {})[update.key] = update

    stored: list[tuple[Article, Item]] = []
    to_insert: list[tuple[Article, Item]] = []
    duplicates: list[tuple[DuplicateItem, str]] = []  # with the URL that makes each one a copy
    with transaction.atomic():
        for external_id, (item, digest) in changed.items():
            fields = fields_of[external_id]
            article = existing.get(external_id)
            if article is not None:
                _update(article, fields, digest, fetched_at)
                result.updated_ids.append(article.pk)
                stored.append((article, item))
            elif fields["dedupe_url"] in taken_urls:
                duplicates.append((DuplicateItem(source=source, external_id=external_id, url=fields["url"],
                                                 first_seen_at=fetched_at), fields["dedupe_url"]))
            else:
                if fields["dedupe_url"]:
                    taken_urls[fields["dedupe_url"]] = None  # a second item of this batch with this URL is a copy
                to_insert.append((Article(source=source, external_id=external_id, content_hash=digest,
                                          first_seen_at=fetched_at, last_changed_at=fetched_at,
                                          pending_since=fetched_at, **fields), item))
        inserted = _insert(to_insert)
        result.new_ids = [article.pk for article, _ in inserted]
        stored += inserted
        taken_urls.update((article.dedupe_url, article.pk) for article, _ in inserted if article.dedupe_url)
        result.duplicates = _record_duplicates(duplicates, taken_urls)
        bulk_insert.insert([
            row for article, item in stored if item.updates
            for row in _status_update_rows(article, item, stored_updates.get(article.pk, {}))
        ], with_ids=False)
    result.new, result.updated = len(result.new_ids), len(result.updated_ids)
    result.to_scrape = [article.pk for article, _ in stored if article.scrape_state == Article.ScrapeState.PENDING]
    return result


def _record_duplicates(duplicates: list[tuple[DuplicateItem, str]], article_of: dict[str, int | None]) -> int:
    """Record each item whose story another article tells (re-pointed if its link moved to another story),
    in one statement; returns how many there were."""
    rows = []
    for duplicate, url in duplicates:
        duplicate.article_id = article_of[url]
        if duplicate.article_id is not None:  # None: its article lost a race to another worker's and is not stored
            rows.append(duplicate)
    DuplicateItem.objects.bulk_create(rows, update_conflicts=True, unique_fields=["source", "external_id"],
                                      update_fields=["url", "article"])
    return len(duplicates)


def _insert(rows: list[tuple[Article, Item]]) -> list[tuple[Article, Item]]:
    """Insert all in one statement; if another worker stored one of them a moment earlier, insert
    one by one and skip those the database refuses."""
    try:
        with transaction.atomic():
            bulk_insert.insert([article for article, _ in rows])
        return rows
    except IntegrityError:
        pass
    inserted = []
    for article, item in rows:
        article.pk = None
        try:
            with transaction.atomic():
                article.save(force_insert=True)
            inserted.append((article, item))
        except IntegrityError:
            continue
    return inserted


def _update(article: Article, fields: dict, digest: str, fetched_at: datetime) -> None:
    if article.published_is_fetch_time and fields["published_is_fetch_time"]:
        fields["published_at"] = article.published_at  # keep the first sighting, not this poll's time
    if article.scrape_state in (Article.ScrapeState.DONE, Article.ScrapeState.FAILED) and not fields["body_html"]:
        # The page we scraped is still the best text we have; the feed still gives a teaser.
        fields.pop("body_html"), fields.pop("body_text"), fields.pop("scrape_state")
    new_url = fields.get("dedupe_url")
    if new_url and Article.objects.filter(dedupe_url=new_url).exclude(pk=article.pk).exists():
        fields.pop("dedupe_url")  # the new link is another stored story's: keep ours
    for name, value in fields.items():
        setattr(article, name, value)
    article.content_hash = digest
    article.last_changed_at = article.pending_since = fetched_at  # changed: the pipeline has it to do again
    try:
        with transaction.atomic():
            article.save(update_fields=[*fields, "content_hash", "last_changed_at", "pending_since"])
    except IntegrityError:
        # Another worker stored an article with the new link a moment ago: keep our old link.
        fields.pop("dedupe_url", None)
        article.save(update_fields=[*fields, "content_hash", "last_changed_at", "pending_since"])
