"""From a stored article to its place in an incident: extract, decide, cluster, refresh.

The Django layer around the pure modules (extraction, clustering, lifecycle). Safe to run twice
or from many workers: an unchanged article is skipped, and assignment happens under one lock so
two workers never open two incidents for one event.
"""

import logging
import threading
import weakref
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, IntegerField, JSONField, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.text import slugify

from articles.items import VendorStatus
from articles.models import Article, StatusUpdate
from incidents import catalogue_store
from incidents.alerts.state import state_of
from incidents.catalogue_store import current_catalogue
from incidents.clustering import attribution, exclusions, lifecycle, scoring, signals, tally
from incidents.extraction import outage_model, regions
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import Facts, extract
from incidents.extraction.press_claims import PressClaims
from incidents.models import (
    ArticleFacts,
    ExclusionRule,
    Incident,
    IncidentKey,
    IncidentRegion,
    Membership,
    Revision,
    Summary,
)
from incidents.site.search.index import index_articles
from incidents.summaries.service import due_after_change, due_time

log = logging.getLogger(__name__)

# How many candidate incidents are scored for one article: the ones sharing most keys.
MAX_CANDIDATES = 20
# Any constant: the key of the PostgreSQL advisory lock that serialises assignment.
ASSIGNMENT_LOCK_ID = 0x0D7A6E


@dataclass(frozen=True)
class Outcome:
    article_id: int
    action: str  # unchanged, not_relevant, about_another_vendor, excluded…, refreshed, joined, opened
    incident_id: int | None = None


# --- one article ----------------------------------------------------------------------------------


class _PreparingCursor(psycopg.Cursor):
    """Binds its parameters on the server, and has PostgreSQL plan each statement once per connection."""

    def execute(self, query, params=None, *, prepare: bool | None = True, binary: bool | None = None):
        return super().execute(query, params, prepare=prepare, binary=binary)

    def _convert_query(self, query, params=None):
        # Kept for Django's query log (last_executed_query reads it): psycopg records the statements it
        # runs unprepared only.
        self._query = super()._convert_query(query, params)
        return self._query


# One preparing cursor kept per Django connection (each thread has its own), for its current database
# connection: opening and closing a cursor for each statement cost more than the round trip of a prepared
# one. Each user reads its rows before the next statement. Keyed weakly by Django's connection object,
# which the cursor does not refer to (a key its value refers to would never be let go).
_KEPT_CURSORS: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, _PreparingCursor]" = weakref.WeakKeyDictionary()


def _hot_statements_prepared() -> bool:
    """PostgreSQL with OUTAGEHUB_PREPARED_STATEMENTS on: hot statements prepared, placements pipelined."""
    return connection.vendor == "postgresql" and settings.OUTAGEHUB_PREPARED_STATEMENTS


@contextmanager
def hot_cursor():
    """A cursor for the statements that every article runs. On PostgreSQL they are prepared: planning
    the candidate lookup and the article's read cost about as much as running them. Django logs and
    wraps it as its own cursors. Off with OUTAGEHUB_PREPARED_STATEMENTS=0 (a pooler in transaction mode
    without prepared statement support, such as PgBouncer before 1.21, needs that); SQLite: Django's cursor."""
    if not _hot_statements_prepared():
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    connection.validate_thread_sharing()
    wrapper = connections[connection.alias]
    raw = _KEPT_CURSORS.get(wrapper)
    if raw is None or raw.closed or raw.connection is not wrapper.connection:  # none yet, or a reconnection
        raw = _KEPT_CURSORS[wrapper] = _PreparingCursor(wrapper.connection)
    yield connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def article_time(article: Article) -> datetime | None:
    """The article's own date; None when the source gave none (undated text must not be placed in time)."""
    return None if article.published_is_fetch_time else article.published_at


def process_article(article_id: int, assume_outage: bool = False,
                    thresholds: scoring.Thresholds = scoring.SHIPPED) -> Outcome:
    """Place one article (below), record that it is no longer pending and put it in the search index.
    Run twice, the second run finds it unchanged and only clears the mark again; a run killed before
    the mark is cleared is swept again. `thresholds` are the join thresholds (others for evaluation only)."""
    article = article_to_place(article_id)
    if article is None:
        return Outcome(article_id, "missing")
    try:
        return _place(article, assume_outage, thresholds)
    except Exception:
        index_articles([article_id])  # searchable even when it could not be placed (it stays pending)
        raise


def processed(article: Article) -> None:
    """What every outcome writes last, in the transaction of what it placed (one commit, one flush to
    disk, per article): the article is no longer pending, then its search document (searchable
    whatever follows: excluded or not about an outage too). The pending mark first: its row lock
    comes before the index's share lock on the article, in every transaction that takes both."""
    # Only the version we processed: had it changed meanwhile, its new version is still to do.
    if connection.vendor == "postgresql":
        with hot_cursor() as cursor:
            cursor.execute(_PROCESSED, {"id": article.pk, "hash": article.content_hash})
        return
    Article.objects.filter(pk=article.pk, content_hash=article.content_hash, pending_since__isnull=False).update(
        pending_since=None)
    index_articles([article.pk])


# `processed` on PostgreSQL: both writes in one statement (one round trip fewer for every article).
# The mark's UPDATE returns the row it has just locked, with its text as it now is, and that row is
# indexed; when it marks nothing (done already, or changed meanwhile) the row is read FOR SHARE as
# index_articles reads it. Two branches, since a statement cannot lock a row it has itself updated
# (PostgreSQL would skip the row). Same document and conflict rule as index_articles.
_PROCESSED = """
    WITH marked AS (
        UPDATE articles_article SET pending_since = NULL
        WHERE id = %(id)s AND content_hash = %(hash)s AND pending_since IS NOT NULL
        RETURNING id, title, vendor_incident_id, summary_text, body_text)
    INSERT INTO incidents_article_search (article_id, document)
    SELECT id, incidents_article_document(title, vendor_incident_id, summary_text, body_text)
    FROM (SELECT * FROM marked
          UNION ALL
          SELECT * FROM (SELECT id, title, vendor_incident_id, summary_text, body_text FROM articles_article
                         WHERE id = %(id)s AND NOT EXISTS (SELECT FROM marked) FOR SHARE) AS unmarked) AS article
    ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
"""


def _place(article: Article, assume_outage: bool, thresholds: scoring.Thresholds) -> Outcome:
    """1. extract facts (skip if the article has not changed since)  2. an article already placed
    refreshes its incident  3. not an outage: stop  4. otherwise join or open an incident. Each
    outcome is written in one transaction, ending with `processed`.

    assume_outage skips the relevance decision (cluster_eval --all-relevant, for event data
    that is not about outages)."""
    article_id = article.pk
    if getattr(article, "exclusion", None) is not None:  # an editor took it out of clustering
        with transaction.atomic():
            processed(article)
        return Outcome(article_id, "excluded")
    stored = getattr(article, "facts", None)
    membership = getattr(article, "membership", None)
    if stored is not None and stored.content_hash == article.content_hash and (
        membership or stored.about_vendor or not _belongs_in_an_incident(article, stored.is_outage, assume_outage)
    ):
        with transaction.atomic():
            processed(article)
        return Outcome(article_id, "unchanged", membership.incident_id if membership else None)

    # Facts are saved in the same transaction as what follows from them: if placing the article
    # fails, it keeps no current facts and stays pending, so a later run or the sweep retries it.
    facts = extract_facts(article, current_catalogue(catalogue_store.catalogue_version(article)))
    if membership is not None:
        with assignment_lock(saving_facts=(article, facts)):
            recount_member(article, facts)
            processed(article)
        return Outcome(article_id, "refreshed", membership.incident_id)
    evidence, action = None, ""
    if not _belongs_in_an_incident(article, facts.is_outage, assume_outage):
        if article.kind == Article.Kind.NEWS and (facts.claims.postmortem or scoring.may_continue_coverage(
                signals_of(article, facts), facts.relevance.score)):
            outcome = assign(article, facts, thresholds, join_only=True, then=processed)
            if outcome.action == "not_relevant" and not facts.claims.postmortem:
                return open_corroborated(article, facts, thresholds) or outcome
            return outcome
        action = "not_relevant"
    elif facts.about_vendor:  # a status post about another provider's outage is no outage of the poster's
        evidence = [*facts.relevance.evidence, f"about {facts.about_vendor}'s outage, which the poster watches"]
        action = "about_another_vendor"
    elif (rule := matching_exclusion_rule(article, facts,
                                          (article.rules, article.rules_at, article.rules_active))) is not None:
        evidence = [*facts.relevance.evidence, f"excluded by editor rule #{rule.pk}: {rule}"]
        action = "excluded_by_rule"
    if action:
        with transaction.atomic():
            save_facts(article, facts, evidence=evidence)
            processed(article)
        return Outcome(article_id, action)
    return assign(article, facts, thresholds, then=processed)


def unprocessed_articles(source_ids: list[int]) -> QuerySet[Article]:
    """The sources' articles that process_article has not handled as they now are (new, changed, or
    their processing failed): the pending ones."""
    return Article.objects.filter(source_id__in=source_ids, pending_since__isnull=False)


def process_pending(source_ids: list[int], warn: Callable[[str], None]) -> tuple[int, int]:
    """Every article of these sources not yet processed, oldest first across sources, as the workers
    would have seen them arrive; returns (placed in an incident, failed). One that fails is reported
    through `warn` and left unprocessed (the next run tries it again); the others go on."""
    placed = failed = 0
    pending = unprocessed_articles(source_ids).order_by("published_at", "pk")
    for article_id, title, slug in pending.values_list("pk", "title", "source__slug"):
        try:
            placed += process_article(article_id).incident_id is not None
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the others
            failed += 1
            warn(f"article {article_id} ({slug}: {title[:80]!r}) could not be processed: "
                 f"{type(exc).__name__}: {exc}; the next run tries it again")
    return placed, failed


# The rules' version: every rule's count and newest change, and the active ones' count (a bulk
# on/off that did not bump updated_at still changes it).
RULES_VERSION = {**catalogue_store.table_version(ExclusionRule.objects.all(), "rules"),
                 "rules_active": catalogue_store.scalar(ExclusionRule.objects.filter(active=True), "COUNT", "pk",
                                                        IntegerField())}
_active_rules: dict[str, object] = {}  # the version of the rules read last, and the active ones
# An article as process_article reads it. The versions of the catalogue and of the exclusion rules come
# with it: two queries fewer per article, and both are read again only when an editor changed them.
# Built once: annotating it anew for every article cost more than running the query.
ARTICLE_TO_PLACE = (Article.objects.select_related("facts", "membership", "exclusion")
                    .annotate(**catalogue_store.version_annotations(), **RULES_VERSION))
# A key no article has, standing for the article's key in the query compiled once (article_to_place).
_ANY_ARTICLE = 0x7EAD_BEEF_0D7A
_compiled_reads: dict[str, tuple] = {}  # by database alias


def article_to_place(article_id: int) -> Article | None:
    """ARTICLE_TO_PLACE's article with this key, or None. Its query is compiled once per database
    (compiling it cost five times what running it did), and its row made into the article, its facts,
    membership and exclusion and its annotations as the ORM's queryset would make them."""
    compiled = _compiled_reads.get(connection.alias)
    if compiled is None:
        # Found by its key (in the model's date order, PostgreSQL may walk the date index to it).
        compiler = ARTICLE_TO_PLACE.filter(pk=_ANY_ARTICLE).order_by("pk")[:1].query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        [key_at] = [n for n, value in enumerate(params) if value == _ANY_ARTICLE]
        start, end = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1] + 1
        columns = [column for column, _, _ in compiler.select[:compiler.col_count]]
        compiled = _compiled_reads[connection.alias] = (
            sql, list(params), key_at, compiler, compiler.get_converters(columns), start, end,
            [column.target.attname for column, _, _ in compiler.select[start:end]],
            get_related_populators(compiler.klass_info, compiler.select, connection.alias))
    sql, params, key_at, compiler, converters, start, end, names, populators = compiled
    params = [*params[:key_at], article_id, *params[key_at + 1:]]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in compiler.apply_converters(rows, converters) if converters else rows:
        article = Article.from_db(connection.alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, article)
        for name, at in compiler.annotation_col_map.items():
            setattr(article, name, row[at])
        return article
    return None


def matching_exclusion_rule(article: Article, facts: Facts, version: tuple | None = None) -> ExclusionRule | None:
    """The editor's rule (from a "not an outage") that covers this news article, if any. A vendor's
    own status post is never excluded by a rule. `version`: the rules' version read with
    RULES_VERSION; the active rules are read again when it differs (always, without it)."""
    if article.kind != Article.Kind.NEWS:
        return None
    if version is None or _active_rules.get("version") != version:
        _active_rules["rules"] = list(ExclusionRule.objects.filter(active=True).select_related("vendor"))
        _active_rules["version"] = version
    for rule in _active_rules["rules"]:
        if exclusions.rule_matches(rule.terms, rule.vendor.slug if rule.vendor else None, article.title,
                                   set(facts.vendors)):
            return rule
    return None


def _belongs_in_an_incident(article: Article, is_outage: bool, assume_outage: bool) -> bool:
    """News must report an outage. A vendor's own status post always makes (or joins) an incident:
    planned maintenance too, shown as maintenance, since it takes services down all the same."""
    return is_outage or assume_outage or article.kind == Article.Kind.STATUS


def extract_facts(article: Article, catalogue: Catalogue | None = None) -> Facts:
    return extract(
        article.title,
        article.body_text or article.summary_text or "\n".join(u.text for u in article.updates.all()),
        article.published_at,
        catalogue or current_catalogue(),
        is_status_post=article.kind == Article.Kind.STATUS,
        source_vendor=article.vendor_name,
        known_incident_id=article.vendor_incident_id,
    )


def save_facts(article: Article, facts: Facts, evidence: list[str] | None = None,
               taking_assignment_lock: bool = False) -> None:
    """Insert or update the article's facts in one statement (an upsert on the article; SQLite and
    PostgreSQL). `taking_assignment_lock` (assignment_lock's): on PostgreSQL that statement takes the
    lock before it writes, one round trip fewer than a statement of its own. What follows reads the
    archive in statements of its own, so under the lock (each statement sees what was committed when
    it began)."""
    values = {
        "is_outage": facts.is_outage,
        "relevance_score": facts.relevance.score,
        "evidence": list(facts.relevance.evidence) if evidence is None else evidence,
        "vendors": list(facts.vendors),
        "services": list(facts.services),
        "incident_ids": list(facts.incident_ids),
        "error_messages": list(facts.error_messages),
        "regions": facts.region_labels,
        "times": facts.time_records,
        "status": facts.status or "",
        "impacts": [impact.label for impact in facts.impacts],
        "subject": facts.subject,
        "subject_name": facts.subject_name[:200],
        "about_vendor": facts.about_vendor,
        "claims": facts.claims.to_dict(),
        "content_hash": article.content_hash,
        "extracted_at": timezone.now(),
    }
    fields = [ArticleFacts._meta.get_field(name) for name in ("article", *values)]
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, (article.pk, *values.values()), strict=True)]
    lock = ""
    if taking_assignment_lock and connection.vendor == "postgresql":
        lock, params = f"FROM ({_placing_under_the_lock()}) AS assignment_lock", [*params, ASSIGNMENT_LOCK_ID]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    with hot_cursor() as cursor:
        # INSERT … SELECT (not VALUES), so the lock can be its source; "WHERE true" keeps the upsert's
        # ON CONFLICT from parsing as part of the SELECT (as both databases ask).
        cursor.execute(
            f"INSERT INTO {quote(ArticleFacts._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(['%s'] * len(fields))} {lock} WHERE true "
            f"ON CONFLICT ({columns[0]}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}",
            params,
        )


def signals_of(article: Article, facts: Facts | ArticleFacts) -> signals.ArticleSignals:
    """Clustering signals from an article and its facts, fresh (Facts) or as stored (ArticleFacts)."""
    region_labels = facts.region_labels if isinstance(facts, Facts) else facts.regions
    return signals.signals(
        str(article.pk),
        article.title,
        article.body_text or article.summary_text,
        article_time(article),
        vendors=facts.vendors,
        services=facts.services,
        incident_ids=facts.incident_ids,
        error_messages=facts.error_messages,
        regions=region_labels,
        is_status_post=article.kind == Article.Kind.STATUS,
        vendor_incident_id=article.vendor_incident_id,
        subject=facts.subject,
    )


@contextmanager
def assignment_lock(saving_facts: tuple[Article, Facts] | None = None, pipelined: bool = False):
    """One assignment at a time. SQLite's IMMEDIATE transactions already take the write lock at
    BEGIN; PostgreSQL takes a transaction-scoped advisory lock. `saving_facts`: an article's facts,
    saved first, by the statement that takes the lock (save_facts). `pipelined`: see `pipelined_statements`."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(), pipelined_statements(commit=outermost) if pipelined else nullcontext():
        if saving_facts is not None:
            save_facts(*saving_facts, taking_assignment_lock=True)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK_ID])
        yield


@contextmanager
def pipelined_statements(commit: bool = False):
    """On PostgreSQL (with the hot statements on), the statements sent inside go out without waiting
    for the one before (psycopg's pipeline mode): a statement's round trip is waited for only when its
    rows are read, and once at the end for all the rest. Placing an article sends nine statements and
    reads the rows of one (the candidates); each round trip cost more than most of them took to run.
    Inside, a statement's failure is raised where rows are next read or at the end, and an UPDATE's
    count of rows is not known: only what reads its rows or counts nothing belongs inside (the ORM's
    reads and inserts do; a model's save() of an existing row does not).
    `commit`: inside the outermost atomic block, its COMMIT goes out last with the rest, and is waited
    for with them (one round trip fewer); the block's own commit then finds the transaction over. A
    failure of the COMMIT (a deferred constraint) is raised at the end as any other statement's."""
    if not _hot_statements_prepared():
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
        if commit:
            connection.connection.execute("COMMIT")


def _placing_under_the_lock() -> str:
    """The assignment lock taken for placing an article (save_facts). With OUTAGEHUB_PIPELINE_ASYNC_COMMIT
    its transaction also commits without waiting for its WAL to reach the disk (no round trip more: the
    same statement): a crash may then lose the last moments' placements, whose articles stay pending and
    are placed again by the sweep. Waiting for the flush (some 3 ms an article on a plain disk) held the
    lock all along. Other work under the lock (alerts, curation) always waits for it."""
    if settings.OUTAGEHUB_PIPELINE_ASYNC_COMMIT:
        return "SELECT pg_advisory_xact_lock(%s), set_config('synchronous_commit', 'off', true)"
    return "SELECT pg_advisory_xact_lock(%s)"


# The candidates and the incident with the slug a new one would take, with when their summary
# was written, in one statement: a UNION, not an OR (with an OR PostgreSQL scans every incident, 0.1 s
# at 100k). The candidates are the incidents sharing most keys seen in the time window (MATCH: one
# "(key IN (...) AND last_seen_at BETWEEN ...)" a window), read from the (key, last_seen_at) index alone
# (it includes incident_id).
# Written out, not built with the ORM: building and compiling that query cost more than running it.
# Each candidate's JSON columns but its profile, and its times but its start (the order), come as text,
# decoded only for the incident an article joins (`read_whole`): an article meets some twenty candidates
# and scores them by their profiles alone, and decoding every column of each cost more than the
# lookup's SQL.
_UNDECODED = tuple(field for field in Incident._meta.concrete_fields
                   if (isinstance(field, JSONField) and field.name != "profile")
                   or (isinstance(field, DateTimeField) and field.name != "started_at"))
_COLUMNS = ", ".join(f"CAST(i.{field.column} AS TEXT) AS {field.column}_text" if field in _UNDECODED
                     else f"i.{field.column}" for field in Incident._meta.concrete_fields)
_CANDIDATES = f"""
    SELECT {_COLUMNS}, s.created_at AS summary_written_at, 1 AS is_candidate
    FROM incidents_incident i LEFT JOIN incidents_summary s ON s.id = i.summary_id
    WHERE i.id IN (SELECT incident_id FROM incidents_incidentkey WHERE {{match}}
                   GROUP BY incident_id ORDER BY COUNT(*) DESC, incident_id DESC LIMIT %s)
"""  # noqa: S608 - the model's own column names; the values are parameters
_TAKEN = f"""
    SELECT {_COLUMNS}, s.created_at AS summary_written_at, 0 AS is_candidate
    FROM incidents_incident i LEFT JOIN incidents_summary s ON s.id = i.summary_id
    WHERE i.slug = %s
"""  # noqa: S608 - as above


@dataclass(frozen=True)
class Candidate:
    """A candidate incident as candidates_for read it: its key and profile (all that scoring reads) and
    its row, made into the model only for the incident the article joins (`read_whole`)."""

    pk: int
    profile: scoring.IncidentProfile
    row: tuple


_FIELD_INDEX = {field.attname: n for n, field in enumerate(Incident._meta.concrete_fields)}
_PROFILE_FIELD = Incident._meta.get_field("profile")
# Decoded profiles by incident, with the text each was decoded from: an incident met again unchanged
# (the same text) is not decoded again. Articles about one outage meet the same candidates one after
# another, and decoding a profile cost more than scoring it. Bounded: the oldest entries go first.
_PROFILES: dict[int, tuple[str, scoring.IncidentProfile]] = {}
PROFILES_KEPT = 2_000
_PROFILES_LOCK = threading.Lock()


def _profile_of(pk: int, text: str | None) -> scoring.IncidentProfile:
    """The incident's profile from its column's text, decoded as the ORM decodes it (once per text)."""
    kept = _PROFILES.get(pk)
    if kept is not None and kept[0] == text:
        return kept[1]
    profile = scoring.IncidentProfile.from_dict(_PROFILE_FIELD.from_db_value(text, None, connection))
    if isinstance(text, str):
        with _PROFILES_LOCK:  # a web process may place articles from several threads (curation)
            _PROFILES.pop(pk, None)
            while len(_PROFILES) >= PROFILES_KEPT:
                del _PROFILES[next(iter(_PROFILES))]
            _PROFILES[pk] = (text, profile)
    return profile


# How read_whole decodes each column, by database: (field, JSON read as text, other value read as text,
# the converters the ORM applies). Worked out once: asking for each column of each incident cost more
# than decoding it.
_COLUMN_DECODING: dict[str, list[tuple]] = {}


def _column_decoding() -> list[tuple]:
    decoding = _COLUMN_DECODING.get(connection.alias)
    if decoding is None:
        decoding = _COLUMN_DECODING[connection.alias] = [
            (field, field in _UNDECODED and isinstance(field, JSONField), field in _UNDECODED,
             (*connection.ops.get_db_converters(field.cached_col), *field.cached_col.get_db_converters(connection)))
            for field in Incident._meta.concrete_fields]
    return decoding


def read_whole(candidate: Candidate) -> Incident:
    """A candidate as the model, its columns decoded as the ORM decodes them (the backend's converters,
    then the field's; a column read as text is parsed first), with when its summary was written."""
    values = []
    for (field, is_json_text, is_text, converters), value in zip(_column_decoding(), candidate.row, strict=False):
        if is_json_text:
            values.append(field.from_db_value(value, None, connection))
            continue
        if is_text:
            value = field.to_python(value)
        for convert in converters:
            value = convert(value, field.cached_col, connection)
        values.append(value)
    incident = Incident.from_db(connection.alias, list(_FIELD_INDEX), values)
    # A column that is no field of the model comes as the database gives it (SQLite: naive): converted
    # as the ORM converts the summary's own field.
    written, col = candidate.row[-2], Summary._meta.get_field("created_at").cached_col
    for convert in connection.ops.get_db_converters(col):
        written = convert(written, col, connection)
    incident.summary_written_at = written
    return incident


def candidates_for(keys: set[str], when: datetime | None, slug: str = "",
                   lookback: timedelta | None = None) -> tuple[list[Candidate], bool]:
    """Incidents sharing the most keys with the article, seen within the time window (or, with
    `lookback`, from that long before it up to it), and whether an incident has `slug` already (the one
    a new incident would take), in one query. Uses the (key, last_seen_at) index, so the cost does not
    grow with the archive. The newest first (the incidents' order)."""
    windows: dict[datetime | None, tuple[datetime | None, list[str]]] = {}  # low end -> (high end, keys)
    if keys and when is None:
        windows[None] = (None, sorted(keys))
    elif keys and lookback is not None:
        windows[signals.window_around(when, lookback)[0]] = (when, sorted(keys))
    elif keys:
        # Each kind of key has its own window: a vendor incident id is looked up further back.
        for key in sorted(keys):
            low, high = signals.window_around(when, signals.key_window(key))
            windows.setdefault(low, (high, []))[1].append(key)
    match, params = [], []
    for low, (high, some_keys) in windows.items():
        # PostgreSQL: one array, so the statement is the same for any number of keys (it is prepared).
        if connection.vendor == "postgresql":
            keys_in, key_params = "key = ANY(%s)", [some_keys]
        else:
            keys_in, key_params = f"key IN ({', '.join(['%s'] * len(some_keys))})", some_keys
        if low is None:
            match.append(keys_in)
            params += key_params
        else:
            match.append(f"({keys_in} AND last_seen_at >= %s AND last_seen_at <= %s)")
            params += [*key_params, *map(connection.ops.adapt_datetimefield_value, (low, high))]
    parts = []
    if match:
        parts.append((_CANDIDATES.format(match=" OR ".join(match)), [*params, MAX_CANDIDATES]))
    if slug:
        parts.append((_TAKEN, [slug]))
    if not parts:
        return [], False
    sql = " UNION ALL ".join(part for part, _ in parts) + " ORDER BY started_at DESC"
    with hot_cursor() as cursor:
        cursor.execute(sql, [value for _, values in parts for value in values])
        rows = cursor.fetchall()
    key, profile, taken = _FIELD_INDEX["id"], _FIELD_INDEX["profile"], _FIELD_INDEX["slug"]
    return ([Candidate(row[key], _profile_of(row[key], row[profile]), row) for row in rows if row[-1]],
            any(row[taken] == slug for row in rows))


def assign(article: Article, facts: Facts, thresholds: scoring.Thresholds = scoring.SHIPPED,
           join_only: bool = False, then: Callable[[Article], None] | None = None) -> Outcome:
    """Join the article to the incident it belongs to, or open one. With `join_only` (a news item that
    reports no outage of its own) it only joins the outage it explains, if it is a post-incident report,
    or else a live incident of its own subject (`scoring.continued_coverage`), and otherwise stays out
    of every incident. `then(article)` is written last in the same transaction, whatever the outcome
    (process_article's `processed`)."""
    article_signals = signals_of(article, facts)
    keys = signals.retrieval_keys(article_signals)
    when = article_time(article)
    try:
        with assignment_lock(saving_facts=(article, facts), pipelined=True):
            slug = slug_base(article.title, article.published_at)
            found, slug_taken = candidates_for(keys, when, slug)
            candidates = {c.pk: c for c in found}
            decision, fragments = scoring.Decision(None, None), []
            if facts.claims.postmortem and when is not None:  # joins the outage it explains, by a rule of its own
                earlier, _ = candidates_for(_owner_keys(keys), when, lookback=scoring.POSTMORTEM_WINDOW)
                for candidate in earlier:
                    candidates.setdefault(candidate.pk, candidate)
                decision = scoring.explained_incident(article_signals, [(c.pk, c.profile) for c in earlier])
            elif join_only:
                # Keys seen on either side of it (an incident that opened after it pulls it in):
                # scoring.continued_coverage keeps those within its windows.
                live, _ = candidates_for({f"subject:{facts.subject}"}, when)
                for candidate in live:
                    candidates.setdefault(candidate.pk, candidate)
                decision = scoring.continued_coverage(article_signals, [(c.pk, c.profile) for c in live])
            if join_only:
                if decision.incident is None:
                    if then is not None:
                        then(article)
                    return Outcome(article.pk, "not_relevant")
                # In the context of that incident it does report the outage: the decision is recorded with why.
                why = ("a post-incident report of the outage it joins" if facts.claims.postmortem
                       else "continued coverage of a live incident of its own subject")
                facts = replace(facts, relevance=replace(facts.relevance, is_outage=True,
                                                         evidence=(*facts.relevance.evidence, f"joined as {why}")))
                save_facts(article, facts)
            if decision.incident is None:
                profiles = [(pk, candidate.profile) for pk, candidate in candidates.items()]
                decision = scoring.choose(article_signals, profiles, thresholds)
                if decision.incident is not None:
                    fragments = scoring.bridged_fragments(article_signals, decision.incident, profiles, thresholds)
                elif article.kind == Article.Kind.NEWS and when is not None:
                    decision = scoring.continued_coverage(article_signals, profiles,
                                                          after=scoring.SAME_SUBJECT_WINDOW, part="same_subject")
            if decision.incident is None:
                incident = new_incident(article, facts, slug=None if slug_taken else slug)
                profile, action = None, "opened"
            else:
                incident = read_whole(candidates[decision.incident])
                profile, action = candidates[decision.incident].profile, "joined"
            duplicate_of = scoring.duplicate_member(article_signals, profile) if profile else None
            incident.profile = scoring.absorb(profile, article_signals).to_dict()
            share = share_of(article, facts, updates_of(article), is_copy=duplicate_of is not None)
            if incident.pk is None:  # inserted once, as derived from its first member
                derive_incident(incident, tally.Tally().add(share), tally.Tally(), catalogue_is_current=True)
            # The article's membership is unique: if another worker placed it meanwhile, this fails
            # and everything here is rolled back (no query spent asking first).
            insert_membership(Membership(
                article=article, incident=incident,
                score=decision.score.total if decision.score else None,
                score_parts=decision.score.parts if decision.score else {},
                duplicate_of_id=int(duplicate_of) if duplicate_of else None,
                share=share.to_dict(),
            ))
            remember_keys(incident, keys, when or timezone.now())
            if action == "joined":
                before = tally.Tally.from_dict(incident.tally) if incident.tally else None
                derive_incident(incident, before.add(share) if before is not None else recount(incident), before,
                                also=["profile"], catalogue_is_current=True)
            if fragments:
                merge_fragments(incident, fragments, article)
            if then is not None:
                then(article)
    except IntegrityError:
        if Membership.objects.filter(article=article).exists():  # another worker placed it meanwhile
            if then is not None:
                then(article)
            return Outcome(article.pk, "unchanged")
        raise
    if action == "opened" and facts.subject and when is not None:
        pull_in_earlier_coverage(facts.subject, when, thresholds)
    return Outcome(article.pk, action, incident.pk)


def doubted_reports(subject: str, since: datetime, until: datetime, least_probability: float) -> QuerySet[ArticleFacts]:
    """The dated news of `subject` published in [since, until) that the outage model doubted, with at
    least `least_probability`, and that is in no incident and not excluded; oldest first."""
    return (ArticleFacts.objects.filter(
        subject=subject, is_outage=False, relevance_score__gte=least_probability,
        article__kind=Article.Kind.NEWS, article__published_is_fetch_time=False,
        article__published_at__gte=since, article__published_at__lt=until,
        article__membership__isnull=True, article__exclusion__isnull=True)
        .order_by("article__published_at", "article_id"))


def pull_in_earlier_coverage(subject: str, when: datetime, thresholds: scoring.Thresholds = scoring.SHIPPED,
                             since: datetime | None = None) -> int:
    """An incident of `subject` has just opened (at `since`, when that is earlier than `when`): the news
    of that subject from the hours before it, up to `when`, that the outage model doubted
    (scoring.CONTINUED_COVERAGE_PROBABILITY and up) and that is in no incident joins it now, as it would
    have had the incident been open ("X is having an up and down Monday", hours before "X is down").
    Returns how many joined."""
    start = signals.window_around(since or when, scoring.EARLIER_COVERAGE_WINDOW)[0]
    doubted = doubted_reports(subject, start, when, scoring.CONTINUED_COVERAGE_PROBABILITY).values_list(
        "article_id", flat=True)
    joined = 0
    for article in Article.objects.filter(pk__in=list(doubted)).order_by("published_at", "pk"):
        joined += assign(article, extract_facts(article), thresholds, join_only=True).action == "joined"
    return joined


def open_corroborated(article: Article, facts: Facts, thresholds: scoring.Thresholds) -> Outcome | None:
    """A doubted news report that no live incident explains, corroborated by other outlets' doubted
    reports of its subject from the day before (`scoring.corroborating`): the earliest of them opens the
    incident as an outage report, the reports in between and this one join it as its coverage. None
    when nothing corroborates it (the caller's "not relevant" stands)."""
    when = article_time(article)
    threshold = outage_model.shipped_model().threshold
    if not facts.subject or when is None or not scoring.may_be_corroborated(facts.relevance.score, threshold):
        return None
    earlier = list(doubted_reports(facts.subject, when - scoring.CORROBORATION_WINDOW, when,
                                   scoring.CORROBORATION_SHARE * threshold).select_related("article"))
    corroborators = scoring.corroborating(
        facts.relevance.score, outlet_of(article), article.title,
        [(row.article, outlet_of(row.article), row.relevance_score, row.article.title) for row in earlier], threshold)
    if not corroborators:
        return None
    first = corroborators[0]
    first_facts = extract_facts(first)
    if matching_exclusion_rule(first, first_facts) or matching_exclusion_rule(article, facts):
        return None  # an editor's rule keeps such reports out: they open nothing together either
    why = f"corroborated by {outlet_of(article)}: {article.title[:120]}"
    first_facts = replace(first_facts, relevance=replace(first_facts.relevance, is_outage=True, evidence=(
        *first_facts.relevance.evidence, why)))
    assign(first, first_facts, thresholds)
    pull_in_earlier_coverage(facts.subject, when, thresholds, since=article_time(first))
    return assign(article, facts, thresholds, join_only=True)


def merge_fragments(survivor: Incident, fragment_ids: list[int], bridge: Article) -> list[int]:
    """Merge into `survivor` the incidents of the same subject that `bridge` also belongs to: one
    outage the machine had opened twice. A fragment an editor has touched (a source pinned, a field
    corrected, its summary locked) stays as the editor left it. Recorded as a revision on each, and
    a merged fragment's address redirects to the survivor. Returns the ids merged; under the lock."""
    pinned = set(Membership.objects.filter(incident_id__in=fragment_ids, assigned_by=Membership.AssignedBy.EDITOR)
                 .values_list("incident_id", flat=True))
    fragments = [i for i in Incident.objects.filter(pk__in=fragment_ids, hidden=False, merged_into__isnull=True)
                 if i.pk not in pinned and not i.overridden_fields and not i.summary_locked]
    if not fragments:
        return []
    ids = [f.pk for f in fragments]
    now = timezone.now()
    Membership.objects.filter(incident_id__in=ids).update(incident=survivor)
    Incident.objects.filter(merged_into_id__in=ids).update(merged_into=survivor)
    IncidentKey.objects.filter(incident_id__in=ids).delete()
    Incident.objects.filter(pk__in=ids).update(hidden=True, merged_into=survivor, profile={}, tally={}, news_count=0,
                                               status_count=0, summary_due_at=None, updated_at=now)
    rebuild_from_members(survivor)
    why = f"«{bridge.title[:80]}» reports both"
    Revision.objects.bulk_create([
        *(Revision(incident=f, action=Revision.Action.MERGE, created_at=now,
                   description=f"Merged automatically into «{survivor.title[:100]}»: one outage; {why}."[:300])
          for f in fragments),
        Revision(incident=survivor, action=Revision.Action.MERGE, created_at=now,
                 description=(f"Merged automatically with {', '.join(f'«{f.title[:60]}»' for f in fragments)}: "
                              f"one outage; {why}.")[:300]),
    ])
    return ids


def _owner_keys(keys: set[str]) -> set[str]:
    """The keys that say whose outage it is: incident ids, subject, vendors."""
    return {key for key in keys if key.startswith(("id:", "subject:", "vendor:"))}


def open_incident(article: Article, facts: Facts) -> Incident:
    """A new incident, saved, for an editor's action to place the article in."""
    incident = new_incident(article, facts)
    incident.save()
    return incident


def new_incident(article: Article, facts: Facts, slug: str | None = None) -> Incident:
    """A new incident, not saved yet, keyed from the article itself when the catalogue does not know
    what is down. `slug`: one known to be free (else a free one is looked up)."""
    when = article.published_at
    subject = "" if facts.vendors else scoring.subject_of(article.title)
    return Incident(
        slug=slug or _unique_slug(article.title, when), title=article.title[:300], subject=subject[:120],
        started_at=when, first_reported_at=when, last_activity_at=when, tally=tally.Tally().to_dict(),
    )


def slug_base(title: str, when: datetime) -> str:
    """An incident's address: its first report's day and title (_unique_slug adds -2, -3 when taken)."""
    return f"{when:%Y-%m-%d}-{slugify(title)[:100]}".strip("-")


def _unique_slug(title: str, when: datetime) -> str:
    base = slug_base(title, when)
    slug, n = base, 1
    while Incident.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


_MEMBERSHIP_FIELDS = [field for field in Membership._meta.concrete_fields if not field.primary_key]


def insert_membership(membership: Membership) -> None:
    """Membership.objects.create for a membership nothing reads back (its key is not asked for):
    one INSERT written out and prepared, each value prepared as save() prepares it. The article's
    membership is unique: a second one raises IntegrityError."""
    quote = connection.ops.quote_name
    with hot_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Membership._meta.db_table)} "  # noqa: S608 - names from the model; values are parameters
            f"({', '.join(quote(field.column) for field in _MEMBERSHIP_FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * len(_MEMBERSHIP_FIELDS))})",
            [field.get_db_prep_save(field.pre_save(membership, True), connection) for field in _MEMBERSHIP_FIELDS])


def _rows_each_with(fixed: list, texts: list[str]) -> tuple[str, list]:
    """The rows (*fixed, text), one a text, for an INSERT, and their parameters: on PostgreSQL one
    array, so the statement is the same for any number of rows (it is prepared); elsewhere VALUES."""
    placeholders = ["%s"] * len(fixed)
    if connection.vendor == "postgresql":
        select = f"SELECT {', '.join([*placeholders, 'item'])} FROM UNNEST(%s::text[]) AS item"  # noqa: S608 - placeholders only
        return select, [*fixed, texts]
    row = f"({', '.join([*placeholders, '%s'])})"
    return f"VALUES {', '.join([row] * len(texts))}", [value for text in texts for value in (*fixed, text)]


def remember_keys(incident: Incident, keys: set[str], when: datetime) -> None:
    """The incident's keys seen at `when`: new ones added, known ones moved forward to `when` (never
    back), in one statement (an upsert on the (incident, key) constraint; SQLite and PostgreSQL; on
    PostgreSQL the keys are one array, so the statement is the same for any number and prepared)."""
    rows = sorted({key[:200] for key in keys})
    if not rows:
        return
    quote = connection.ops.quote_name
    table, stamp = quote(IncidentKey._meta.db_table), connection.ops.adapt_datetimefield_value(when)
    values, params = _rows_each_with([incident.pk, stamp], rows)
    with hot_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('incident_id')}, {quote('last_seen_at')}, {quote('key')}) "
            f"{values} ON CONFLICT ({quote('incident_id')}, {quote('key')}) "
            f"DO UPDATE SET {quote('last_seen_at')} = excluded.{quote('last_seen_at')} "
            f"WHERE {table}.{quote('last_seen_at')} < excluded.{quote('last_seen_at')}",
            params,
        )


def rebuild_from_members(incident: Incident) -> None:
    """Profile, retrieval keys and tally again from all the incident's members, after an editor
    moved sources in or out (merge, split, pin, exclude), so it is derived as it now is."""
    members = _members(incident)
    profile, keys = None, {}
    for member in members:
        article = member.article
        member_signals = signals_of(article, member.facts)
        profile = scoring.absorb(profile, member_signals)
        when = article_time(article) or article.first_seen_at
        for key in signals.retrieval_keys(member_signals):
            keys[key[:200]] = max(keys.get(key[:200], when), when)
    incident.profile = profile.to_dict() if profile else {}
    IncidentKey.objects.filter(incident=incident).delete()
    IncidentKey.objects.bulk_create([IncidentKey(incident=incident, key=key, last_seen_at=when)
                                     for key, when in keys.items()])
    derive_incident(incident, _count(members), None, also=["profile"])


# --- the incident as a whole: a tally of its members' shares (incidents/tally.py) ------------------


def updates_of(article: Article) -> list[StatusUpdate]:
    return list(article.updates.all()) if article.kind == Article.Kind.STATUS else []


def share_of(article: Article, facts: Facts | ArticleFacts | None, updates: list[StatusUpdate],
             is_copy: bool) -> tally.Share:
    """What the article adds to its incident: times, facts, and its lifecycle if it is a vendor post."""
    post = None
    if article.kind == Article.Kind.STATUS:
        post = tally.Post(article.title[:300], article.vendor_name, lifecycle.post_state(lifecycle.StatusPost(
            published_at=article.published_at,
            status=VendorStatus(article.vendor_status) if article.vendor_status else None,
            impact=article.impact,
            started_at=article.started_at,
            resolved_at=article.resolved_at,
            updates=tuple(lifecycle.PostUpdate(u.posted_at, VendorStatus(u.status)) for u in updates),
        )))
    region_labels = (facts.region_labels if isinstance(facts, Facts) else facts.regions) if facts else []
    claims = claims_of(facts)
    return tally.Share(
        article_id=article.pk,
        published_at=article.published_at,
        last_changed_at=told_at(article, updates),
        is_copy=is_copy,
        says_resolved=bool(facts and facts.status == "resolved"),
        vendors=tuple(facts.vendors) if facts else (),
        services=tuple(facts.services) if facts else (),
        regions=(*region_labels, *location_labels(article.locations)),
        incident_ids=(*(facts.incident_ids if facts else ()), article.vendor_incident_id),
        error_messages=tuple(facts.error_messages) if facts else (),
        post=post,
        outlet="" if post else outlet_of(article),
        stated_start=claims.started_at,
        stated_end=claims.resolved_at,
        acknowledged_at=None if post else claims.acknowledged_at,
        postmortem=claims.postmortem or bool(post and article.vendor_status == VendorStatus.POSTMORTEM),
        postmortem_promised=claims.postmortem_promised,
        severity=claims.severity,
        severity_reason=claims.severity_reason,
        caused_by=claims.caused_by if post else "",
    )


def told_at(article: Article, updates: list[StatusUpdate]) -> datetime:
    """When the article last told something new: a vendor post's latest update, a report's publication,
    or a later change of a report's text. Not when we first fetched it: a post first seen years after
    its last update (a source added later, the demo's recorded payloads) is no sign of life."""
    if article.kind == Article.Kind.STATUS:
        told = max([u.posted_at for u in updates] + [article.published_at])
    elif article.last_changed_at > article.first_seen_at:  # its text changed since we first saw it
        return article.last_changed_at
    else:
        told = article.published_at
    return min(told, article.last_changed_at)


def claims_of(facts: Facts | ArticleFacts | None) -> PressClaims:
    if facts is None:
        return PressClaims()
    return facts.claims if isinstance(facts, Facts) else PressClaims.from_dict(facts.claims)


def outlet_of(article: Article) -> str:
    """Who published a news article: its link's site (a feed may carry many outlets), else its source's."""
    host = (urlsplit(article.url).hostname or "") if article.url else ""
    return host.removeprefix("www.") or f"source:{article.source_id}"


def recount_member(article: Article, facts: Facts) -> None:
    """A member changed: its old share out of its incident's tally, the new one in. Under the
    assignment lock, like every change to a tally; process_article has just checked the catalogue."""
    membership = Membership.objects.filter(article=article).first()  # as it is now, under the lock
    if membership is None:  # an editor took it out meanwhile
        return
    incident = Incident.objects.get(pk=membership.incident_id)
    old = tally.Share.from_dict(membership.share) if membership.share else None
    new = share_of(article, facts, updates_of(article), is_copy=membership.duplicate_of_id is not None)
    membership.share = new.to_dict()
    membership.save(update_fields=["share"])
    before = tally.Tally.from_dict(incident.tally) if incident.tally else None
    after = before.replace(old, new) if before is not None and old is not None else None
    derive_incident(incident, after or recount(incident), before, catalogue_is_current=True)


@dataclass(frozen=True)
class _Member:
    membership: Membership
    facts: Facts | ArticleFacts
    updates: list[StatusUpdate]

    @property
    def article(self) -> Article:
        return self.membership.article


def _members(incident: Incident) -> list[_Member]:
    """Every member with its facts (stored, or extracted now for one an editor placed before the
    pipeline saw it) and its updates if it is a vendor post, in publication order: two queries."""
    memberships = list(Membership.objects.filter(incident=incident).select_related("article__facts")
                       .order_by("article__published_at", "article_id"))
    updates: dict[int, list[StatusUpdate]] = {}
    posts = [m.article_id for m in memberships if m.article.kind == Article.Kind.STATUS]
    for update in StatusUpdate.objects.filter(article_id__in=posts):
        updates.setdefault(update.article_id, []).append(update)
    return [_Member(m, getattr(m.article, "facts", None) or extract_facts(m.article), updates.get(m.article_id, []))
            for m in memberships]


def _count(members: list[_Member]) -> tally.Tally:
    """The members' shares again, saved on their memberships, and their tally."""
    shares = []
    for member in members:
        share = share_of(member.article, member.facts, member.updates,
                         is_copy=member.membership.duplicate_of_id is not None)
        member.membership.share = share.to_dict()
        shares.append(share)
    Membership.objects.bulk_update([m.membership for m in members], ["share"], batch_size=500)
    return tally.Tally.of(shares)


def recount(incident: Incident) -> tally.Tally:
    """The tally from every member: for an incident that has none yet (made before tallies, or by an
    editor) or when a member's change took away what the tally cannot restore on its own."""
    return _count(_members(incident))


def refresh_incident(incident: Incident) -> None:
    """Derive the whole incident again from its tally (after an editor cleared a correction)."""
    derive_incident(incident, tally.Tally.from_dict(incident.tally) if incident.tally else recount(incident), None)


def derive_incident(incident: Incident, counted: tally.Tally, before: tally.Tally | None,
                    also: list[str] | None = None, catalogue_is_current: bool = False) -> None:
    """Set what the incident says from its tally: lifecycle, vendor, services, regions, ids, error
    messages, source counts and title, and save it with the `also` fields and its summary's due mark.
    `before` is the tally these fields were last derived from: what did not change in it is not
    looked up again (None: all is). Vendors and services are found in the catalogue that
    current_catalogue() read (`catalogue_is_current`: the caller has just checked its version; else
    it is checked here). An incident not saved yet is inserted, and has no services or regions to read."""
    new = incident.pk is None
    if not catalogue_is_current:
        current_catalogue()
    alerts_followed = None if new else state_of(incident)
    incident.tally = counted.to_dict()
    life = counted.lifecycle(now=timezone.now(), quiet_after=quiet_period())
    if life is None:  # no members left: nothing to derive from
        incident.save(update_fields=["tally", *(also or [])])
        return
    # What an editor set stays as the editor set it, until the override is cleared.
    overridden = set(incident.overridden_fields)
    if "status" not in overridden:
        incident.status = life.status
    incident.started_at = life.started_at
    incident.resolved_at = life.resolved_at
    incident.first_reported_at = life.first_reported_at
    incident.vendor_acknowledged_at = life.vendor_acknowledged_at
    if "severity" not in overridden:
        incident.severity = life.severity
    incident.vendor_severity = life.vendor_severity
    vendor_choice = (counted.top_vendor(), counted.post_vendors())
    vendor_changed = before is None or vendor_choice != (before.top_vendor(), before.post_vendors())
    services_changed = vendor_changed or set(counted.named("services")) != set(before.named("services"))
    if "vendor" not in overridden and vendor_changed:
        incident.vendor_id = _pick_vendor(*vendor_choice)
        if incident.vendor_id is None and counted.post_vendors():  # a status page the catalogue does not know
            incident.subject = counted.post_vendors()[0][:120]
    incident.acknowledged_in_id = None if counted.status_count else counted.article_of("press_acknowledged")
    incident.post_incident_report_id = counted.article_of("postmortem")
    incident.post_incident_report_promised = counted.postmortem_promised
    if before is None or counted.caused_by != before.caused_by:
        incident.caused_by = root_incident(incident, counted.caused_by)
    regions = counted.named("regions")
    if "regions" not in overridden:
        incident.regions = regions
    incident.vendor_incident_ids = counted.named("incident_ids")
    incident.error_messages = counted.named("error_messages")
    incident.news_count = counted.news_count
    incident.status_count = counted.status_count
    incident.last_activity_at = counted.last_activity_at
    if counted.status_count and "title" not in overridden:  # the vendor's own title, once it has posted
        incident.title = counted.first_post_title
    if services_changed:  # whose services they are follows from the vendor and the services named
        owners = attribute_services(incident, counted)
    # Alerts are worked out again (alerts/service.py) only when what they follow changed; in the same UPDATE.
    alert_fields = []
    if new or state_of(incident) != alerts_followed:
        incident.alerts_due_at, alert_fields = timezone.now(), ["alerts_due_at"]
    # Only what is derived here: the summary fields belong to summaries.py and editors, and may
    # have changed since this row was read. The summary's due mark is set in the same UPDATE, by an
    # expression on the row as it is then (mark_due's rule).
    if new:
        incident.summary_due_at = due_time()
        incident.save()
    else:
        save_derived(incident, [*DERIVED_FIELDS, "tally", *alert_fields, *(also or [])],
                     due_time(last_written=summary_written_at(incident)))
    if services_changed and "services" not in overridden:
        set_services(incident, set(owners.services), new)
    if before is None or ("regions" not in overridden and regions != before.named("regions")):
        # What is indexed now is what the regions last derived (those of `before`) cover: not read again.
        index_regions(incident, indexed=set() if new else None if before is None
                      else covered_labels(before.named("regions")))


# A due time standing for the summary's in the expression compiled once (save_derived); never an incident's.
_ANY_DUE = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_DUE_FIELD = Incident._meta.get_field("summary_due_at")
_due_expressions: dict[str, tuple[str, list, list[int]]] = {}  # by database alias


def save_derived(incident: Incident, fields: list[str], due: datetime) -> None:
    """incident.save(update_fields=[*fields, "summary_due_at"]) with summary_due_at set to
    due_after_change(due), mark_due's rule, written out: building and compiling the UPDATE with the ORM
    cost more than twice running it. Each field is prepared as save() prepares it (updated_at: now);
    the rule's expression is compiled once per database. The incident's summary_due_at is left unset
    (an expression, not a value: read again if anyone asks)."""
    compiled = _due_expressions.get(connection.alias)
    if compiled is None:
        query = Query(Incident)
        rule = due_after_change(_ANY_DUE).resolve_expression(query, allow_joins=False, for_save=True)
        sql, params = query.get_compiler(connection=connection).compile(rule)
        any_due = _DUE_FIELD.get_db_prep_save(_ANY_DUE, connection)
        compiled = _due_expressions[connection.alias] = (
            sql, list(params), [n for n, value in enumerate(params) if value == any_due])
    due_sql, due_params, due_at = compiled
    due_params = list(due_params)
    for n in due_at:
        due_params[n] = _DUE_FIELD.get_db_prep_save(due, connection)
    quote = connection.ops.quote_name
    assignments, params = [], []
    for name in fields:
        field = Incident._meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(field.pre_save(incident, False), connection))
    with hot_cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Incident._meta.db_table)} SET {', '.join(assignments)}, "  # noqa: S608 - the model's own names; values are parameters
            f"{quote(_DUE_FIELD.column)} = {due_sql} WHERE {quote(Incident._meta.pk.column)} = %s",
            [*params, *due_params, incident.pk])
        # In a pipeline (placing an article) the count is not known yet: there, an incident deleted
        # meanwhile fails the commit instead, by the foreign key of the membership placed in it.
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    incident.__dict__.pop(_DUE_FIELD.attname, None)


# A victim's outage and its root's overlap: the root is looked for this far around the victim's start.
CASCADE_WINDOW = timedelta(hours=12)


def root_incident(victim: Incident, vendor_slug: str) -> Incident | None:
    """The incident of the vendor a victim's post blames, around the victim's start: the cascade's root."""
    if not vendor_slug:
        return None
    return (Incident.objects.public().filter(
        vendor__slug=vendor_slug, merged_into__isnull=True,
        started_at__lte=victim.started_at + CASCADE_WINDOW, last_activity_at__gte=victim.started_at - CASCADE_WINDOW)
        .exclude(pk=victim.pk).order_by("-last_activity_at").first())


def attribute_services(incident: Incident, counted: tally.Tally) -> attribution.Attribution:
    """The incident vendor's own services, and the others its sources name set as also affected."""
    catalogue = catalogue_store.last_read_catalogue()
    owners = attribution.attribute(
        catalogue_store.vendor_slug(incident.vendor_id), counted.named("services"),
        {vendor: n for vendor, (n, _) in counted.values.get("vendors", {}).items()}, catalogue.owner_of)
    incident.also_affected = [*(catalogue.service(slug).name for slug in owners.also_affected_services),
                              *(catalogue.vendor(slug).name for slug in owners.also_affected_vendors
                                if catalogue.has_vendor(slug))]
    return owners


def summary_written_at(incident: Incident) -> datetime | None:
    """When the incident's current summary was written: read with the candidates (candidates_for), or now."""
    if hasattr(incident, "summary_written_at"):
        return incident.summary_written_at
    return Summary.objects.filter(pk=incident.summary_id).values_list("created_at", flat=True).first()


def set_services(incident: Incident, slugs: set[str], new: bool = False) -> None:
    """The incident's services are the catalogue's services of these slugs (unknown ones left out):
    rows added and removed as needed; a new incident has none to read first."""
    through = Incident.services.through
    wanted = catalogue_store.service_ids(slugs)
    current = set() if new else set(through.objects.filter(incident=incident).values_list("service_id", flat=True))
    if current - wanted:
        through.objects.filter(incident=incident, service_id__in=current - wanted).delete()
    if wanted - current:
        through.objects.bulk_create([through(incident_id=incident.pk, service_id=pk)
                                     for pk in sorted(wanted - current)])


def covered_labels(labels: list[str]) -> set[str]:
    """The region labels an incident of these regions is found under: each and its ancestors."""
    return {ancestor for label in labels for ancestor in regions.expand(label)}


def index_regions(incident: Incident, indexed: set[str] | None = None) -> None:
    """Keep IncidentRegion (the region filter's index) equal to the incident's regions and their
    ancestors. `indexed`: the labels indexed now, when the caller knows them (none, for a new incident)."""
    covered = covered_labels(incident.regions)
    if indexed is None:
        indexed = set(IncidentRegion.objects.filter(incident=incident).values_list("label", flat=True))
    if indexed - covered:
        IncidentRegion.objects.filter(incident=incident, label__in=indexed - covered).delete()
    if not covered - indexed:
        return
    # Written out and, on PostgreSQL, prepared (one array of labels): a join often adds a region, and
    # bulk_create cost more CPU than the insert.
    rows, params = _rows_each_with([incident.pk], sorted(covered - indexed))
    quote = connection.ops.quote_name
    with hot_cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(IncidentRegion._meta.db_table)} ({quote('incident_id')}, "
                       f"{quote('label')}) {rows}", params)


DERIVED_FIELDS = [
    "status", "started_at", "resolved_at", "first_reported_at", "vendor_acknowledged_at", "severity",
    "vendor_severity", "vendor", "regions", "vendor_incident_ids", "error_messages", "news_count", "status_count",
    "last_activity_at", "title", "updated_at", "subject", "acknowledged_in", "post_incident_report",
    "post_incident_report_promised", "also_affected", "caused_by",
]


def quiet_period() -> timedelta:
    return timedelta(hours=settings.OUTAGEHUB_QUIET_HOURS)


def quieten(now: datetime) -> int:
    """Press-only incidents with no report for the quiet period become "no recent reports"; returns
    how many. The lifecycle decides it from each one's tally as of now (beat runs this)."""
    stale = Incident.objects.filter(status=Incident.Status.REPORTED, last_activity_at__lt=now - quiet_period())
    changed = 0
    for incident_id in stale.values_list("pk", flat=True):
        with assignment_lock():
            incident = Incident.objects.filter(pk=incident_id, status=Incident.Status.REPORTED).first()
            if incident is None:
                continue
            refresh_incident(incident)
            changed += incident.status != Incident.Status.REPORTED
    return changed


def location_labels(locations: list[str]) -> list[str]:
    """A status post's locations as the vendor wrote them ("Frankfurt (europe-west3)", "us-east-1",
    "US East (N. Virginia)"), in the one region vocabulary; names it does not know are left out."""
    return [region.label for location in locations for region in regions.find_regions(location)]


def _pick_vendor(most_named: str | None, status_vendor_names: list[str]) -> int | None:
    """The vendor whose status page posted (by name), else the one most members name (by slug). A status
    page the catalogue does not know posts about its own vendor, never about a partner it names."""
    if status_vendor_names:
        return catalogue_store.vendor_id(names=status_vendor_names)
    return catalogue_store.vendor_id(slug=most_named)
