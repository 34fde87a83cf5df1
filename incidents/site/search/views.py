"""Search incidents and articles by words, a vendor incident id or a pasted error message (/search?q=).

The index lives in two tables (migration 0006_search_index): PostgreSQL tsvector tables with GIN
indexes, SQLite FTS5 tables, each with a row per incident and per article. Database triggers keep
them current when an incident, service, vendor or summary changes, and when an indexed article
changes or goes; an article is first indexed by the pipeline (search_index.py, migration 0008).
Both use English stemming and keep diacritics, and the query's stop words are dropped before it
reaches either (incidents/search_query.py), so the two behave alike.

Ranking every match is the trap: a common word matches most of the archive, and scoring all of
it costs hundreds of milliseconds. So every search first takes a bounded candidate set, the
CANDIDATES most recently stored documents that match (the highest ids: FTS5 reads its postings
backwards and stops; PostgreSQL walks the primary key backwards for a common word, or sorts the
ids of the GIN index's matches for a rare one, as its statistics decide: the migration raises their
target so that a rare or unseen word is known to be rare), and ranks only those:

* incidents: a match in its vendor incident ids or error messages first (so MO502273 or
  "550 5.7.708 …" finds its incident first), then in its title, then anywhere; newest on ties;
* articles: a match in the title first, then anywhere (title weighs most, then summary, then
  body); newest on ties.

A search is two queries per kind (ranked ids, then the rows through Incident.objects.public()).
When no document has every term, one looser search follows (incidents/search_query.relaxed):
at most six queries whatever the size of the archive.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.shortcuts import render

from articles.models import Article
from incidents.models import Incident
from incidents.site.search.query import (
    Fragment,
    Match,
    SearchQuery,
    fts5_expression,
    parse_query,
    relaxed,
    snippet,
    strict,
    term_pattern,
)
from incidents.site.timeline import web_link

CANDIDATES = 200  # matches ranked per kind: the newest that match
SHOWN = 20  # results shown per kind


@dataclass(frozen=True)
class IncidentHit:
    incident: Incident
    snippet: tuple[Fragment, ...]


@dataclass(frozen=True)
class ArticleHit:
    article: Article  # annotated with incident_slug and incident_title when it belongs to a public incident
    link: str  # the original's address when it is a web link, else ""
    snippet: tuple[Fragment, ...]


@dataclass(frozen=True)
class Results:
    incidents: list[IncidentHit]
    articles: list[ArticleHit]
    incident_matches: int  # matching candidates, at most CANDIDATES
    article_matches: int
    relaxed: Match | None = None  # the looser search used when nothing had every term

    @property
    def more_incidents(self) -> bool:
        return self.incident_matches > len(self.incidents)

    @property
    def more_articles(self) -> bool:
        return self.article_matches > len(self.articles)


def search(query: SearchQuery) -> Results:
    """1. rank the newest matches of every term  2. nothing? rank those of the looser match
    3. load the shown rows (public incidents only) with snippets."""
    match = strict(query)
    incident_ids, incident_matches = ranked_incident_ids(match)
    article_ids, article_matches = ranked_article_ids(match)
    used_relaxed = None
    if not incident_ids and not article_ids:
        looser = relaxed(query)
        if looser is not None:
            incident_ids, incident_matches = ranked_incident_ids(looser)
            article_ids, article_matches = ranked_article_ids(looser)
            used_relaxed = looser
    pattern = term_pattern((used_relaxed or match).terms)
    return Results(
        incidents=_incident_hits(incident_ids, pattern), articles=_article_hits(article_ids, pattern),
        incident_matches=incident_matches, article_matches=article_matches, relaxed=used_relaxed,
    )


def ranked_incident_ids(match: Match) -> tuple[list[int], int]:
    """The ids of the best incidents (SHOWN of them) among the newest matches, best first, and the
    number of those matches. Hidden incidents are left out here too, so they take no place in the bound."""
    if connection.vendor == "postgresql":
        query, params = _postgresql_tsquery(match)
        sql = f"""
            SELECT incident_id, count(*) OVER () FROM (
                SELECT s.incident_id, s.document FROM incidents_incident_search s
                JOIN incidents_incident i ON i.id = s.incident_id
                WHERE s.document @@ {query} AND NOT i.hidden
                ORDER BY s.incident_id DESC LIMIT %s
            ) AS candidate
            ORDER BY ts_rank('{{0,0,0,1}}', document, {query}) DESC, ts_rank('{{0,0,1,0}}', document, {query}) DESC,
                     ts_rank(document, {query}) DESC, incident_id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders are written into the text; every value is a parameter
        values = [*params, CANDIDATES, *params, *params, *params, SHOWN]
    else:
        # FTS5 ranks with bm25, lower is better; the weights follow the columns: ids, errors, title, body.
        sql = """
            SELECT rowid, count(*) OVER () FROM (
                SELECT incidents_incident_search.rowid AS rowid,
                       bm25(incidents_incident_search, 1, 1, 0, 0) AS key_rank,
                       bm25(incidents_incident_search, 0, 0, 1, 0) AS title_rank,
                       bm25(incidents_incident_search, 1, 1, 0.4, 0.1) AS rank
                FROM incidents_incident_search JOIN incidents_incident i ON i.id = incidents_incident_search.rowid
                WHERE incidents_incident_search MATCH %s AND NOT i.hidden
                ORDER BY incidents_incident_search.rowid DESC LIMIT %s
            )
            ORDER BY key_rank, title_rank, rank, rowid DESC
            LIMIT %s
        """
        values = [fts5_expression(match), CANDIDATES, SHOWN]
    return _ids_and_count(sql, values)


def ranked_article_ids(match: Match) -> tuple[list[int], int]:
    """As ranked_incident_ids, for articles."""
    if connection.vendor == "postgresql":
        query, params = _postgresql_tsquery(match)
        sql = f"""
            SELECT article_id, count(*) OVER () FROM (
                SELECT article_id, document FROM incidents_article_search
                WHERE document @@ {query}
                ORDER BY article_id DESC LIMIT %s
            ) AS candidate
            ORDER BY ts_rank('{{0,0,0,1}}', document, {query}) DESC, ts_rank(document, {query}) DESC,
                     article_id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders are written into the text; every value is a parameter
        values = [*params, CANDIDATES, *params, *params, SHOWN]
    else:
        # Columns: title, summary, body.
        sql = """
            SELECT rowid, count(*) OVER () FROM (
                SELECT rowid, bm25(incidents_article_search, 1, 0, 0) AS title_rank,
                       bm25(incidents_article_search, 1, 0.4, 0.1) AS rank
                FROM incidents_article_search
                WHERE incidents_article_search MATCH %s
                ORDER BY rowid DESC LIMIT %s
            )
            ORDER BY title_rank, rank, rowid DESC
            LIMIT %s
        """
        values = [fts5_expression(match), CANDIDATES, SHOWN]
    return _ids_and_count(sql, values)


def _postgresql_tsquery(match: Match) -> tuple[str, list[str]]:
    """A tsquery for the terms, each through plainto_tsquery, which reads no syntax at all. Written
    inline (not a subquery) so the planner folds it to a constant and estimates from statistics."""
    one = "plainto_tsquery('english'::regconfig, %s)"
    return "(" + (" || " if match.any_term else " && ").join([one] * len(match.terms)) + ")", list(match.terms)


def _ids_and_count(sql: str, values: list) -> tuple[list[int], int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def _incident_hits(ids: list[int], pattern: re.Pattern | None) -> list[IncidentHit]:
    if not ids:
        return []
    found = Incident.objects.public().filter(pk__in=ids).select_related("vendor", "summary").defer("profile")
    by_id = {incident.pk: incident for incident in found}
    hits = []
    for incident in (by_id[pk] for pk in ids if pk in by_id):
        summary = incident.summary
        statements = [*summary.why_this_matters, *summary.takeaways] if summary else []
        texts = [*incident.error_messages, *incident.vendor_incident_ids,
                 *(statement.get("text", "") for statement in statements)]
        hits.append(IncidentHit(incident, snippet(texts, pattern)))
    return hits


def _article_hits(ids: list[int], pattern: re.Pattern | None) -> list[ArticleHit]:
    if not ids:
        return []
    public_incident = Incident.objects.public().filter(memberships__article=OuterRef("pk"))
    found = (
        Article.objects.filter(pk__in=ids)
        .select_related("source")
        .only("title", "url", "published_at", "summary_text", "body_text", "kind", "source", "source__name")
        .annotate(incident_slug=Subquery(public_incident.values("slug")[:1]),
                  incident_title=Subquery(public_incident.values("title")[:1]))
    )
    by_id = {article.pk: article for article in found}
    return [ArticleHit(article, web_link(article.url), snippet([article.summary_text, article.body_text], pattern))
            for article in (by_id[pk] for pk in ids if pk in by_id)]


def search_page(request):
    query = parse_query(request.GET.get("q"))
    results = None if query.is_empty else search(query)
    return render(request, "incidents/search.html", {
        "query": query, "results": results, "search_query": query.text, "shown": SHOWN, "candidates": CANDIDATES,
    })
