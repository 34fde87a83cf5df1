"""Put articles into the search index (incidents/search.py reads it).

The pipeline calls index_articles for every article it processes, so a story becomes searchable
moments after it is stored (after its page is scraped, for a teaser) and storing a poll stays
cheap (migration 0008 explains). Database triggers do the rest: they keep an indexed article
current when its text changes and drop it when it is deleted; incidents are indexed by triggers
alone (migration 0006).
"""

from collections.abc import Iterable

from django.db import connection

from articles.models import Article

# The part of a body indexed: the bound PostgreSQL's tsvector needs. On SQLite it must stay what the
# triggers of migration 0008 use (ARTICLE_VALUES): they remove an indexed row with exactly these
# values, and any other values would corrupt the contentless index.
BODY_CHARS = 100_000
BATCH = 500  # articles per statement when indexing many

POSTGRESQL = """
    INSERT INTO incidents_article_search (article_id, document)
    SELECT id, incidents_article_document(title, vendor_incident_id, summary_text, body_text)
    FROM articles_article WHERE id = ANY(%s)
    FOR SHARE
    ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
"""
# SQLite's index is contentless and its triggers keep an indexed row current (and removing a row
# needs the values it was indexed with), so only articles not indexed yet are added.
SQLITE = f"""
    INSERT INTO incidents_article_search (rowid, title, summary, body)
    SELECT a.id, a.title || ' ' || a.vendor_incident_id, a.summary_text, substr(a.body_text, 1, {BODY_CHARS})
    FROM articles_article a
    WHERE a.id IN (SELECT value FROM json_each(%s))
      AND NOT EXISTS (SELECT 1 FROM incidents_article_search s WHERE s.rowid = a.id)
"""  # noqa: S608 - a constant; the ids are a parameter


def index_articles(article_ids: Iterable[int]) -> None:
    """Write the search documents of these articles. On PostgreSQL the rows are read FOR SHARE: an
    update of the text in flight is waited for and read, and one that comes after waits for this
    document and then rewrites it through its trigger, so an older text never wins."""
    ids = sorted(set(article_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            if connection.vendor == "postgresql":
                cursor.execute(POSTGRESQL, [batch])
            else:
                cursor.execute(SQLITE, [str(batch)])


def index_all_articles() -> None:
    """Index every stored article (after a bulk load that bypassed the pipeline)."""
    index_articles(Article.objects.values_list("pk", flat=True))
