"""A new article enters the search index when the pipeline processes it, not on insert.

Building an article's text vector was a fifth of what storing a poll's articles cost, inside the
transaction that holds SQLite's only write lock; and a teaser was indexed twice, before and after
its page was scraped. Now incidents/search_index.py writes the document from process_article (it
runs for every new and changed article, after scraping). The triggers that stay keep an article
that is already indexed current when its text changes, and drop it when the article goes.

SQLite's article table is contentless: removing a row takes the values it was indexed with, and
removing one that was never indexed corrupts the index. So its update and delete triggers now act
only on indexed rows, and an indexed row always holds the article's current text.
"""

from django.db import migrations

BODY_CHARS = 100_000  # as in 0006

# --- PostgreSQL ---------------------------------------------------------------------------------

DOCUMENT = ("incidents_article_document(NEW.title, NEW.vendor_incident_id, NEW.summary_text, "
            "NEW.body_text)")
UPSERT = f"""
            INSERT INTO incidents_article_search (article_id, document) VALUES (NEW.id, {DOCUMENT})
            ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;"""
UPDATE_IF_INDEXED = f"""
            UPDATE incidents_article_search SET document = {DOCUMENT} WHERE article_id = NEW.id;"""


def _upkeep(on_update: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION incidents_article_search_upkeep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM incidents_article_search;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM incidents_article_search WHERE article_id = OLD.id;
        ELSIF TG_OP = 'UPDATE' THEN{on_update}
        ELSE{UPSERT}
        END IF;
        RETURN NULL;
    END
    $$
    """


POSTGRESQL = [
    "DROP TRIGGER incidents_article_search_insert ON articles_article",
    _upkeep(UPDATE_IF_INDEXED),
]

POSTGRESQL_REVERSE = [
    _upkeep(UPSERT),  # 0006's: an update indexes the article whether it was indexed or not
    """
    CREATE TRIGGER incidents_article_search_insert AFTER INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION incidents_article_search_upkeep()
    """,
    """
    INSERT INTO incidents_article_search (article_id, document)
    SELECT id, incidents_article_document(title, vendor_incident_id, summary_text, body_text) FROM articles_article
    ON CONFLICT (article_id) DO NOTHING
    """,
]

# --- SQLite -------------------------------------------------------------------------------------

ARTICLE_VALUES = ("{row}.id, {row}.title || ' ' || {row}.vendor_incident_id, {row}.summary_text, "
                  "substr({row}.body_text, 1, " + str(BODY_CHARS) + ")")
INDEXED = "EXISTS (SELECT 1 FROM incidents_article_search WHERE rowid = old.id)"
CHANGED = " OR ".join(f"old.{column} IS NOT new.{column}"
                      for column in ("title", "vendor_incident_id", "summary_text", "body_text"))


def _insert(row: str) -> str:
    return (f"INSERT INTO incidents_article_search (rowid, title, summary, body) "
            f"VALUES ({ARTICLE_VALUES.format(row=row)});")


def _remove(row: str) -> str:
    return (f"INSERT INTO incidents_article_search (incidents_article_search, rowid, title, summary, body) "
            f"VALUES ('delete', {ARTICLE_VALUES.format(row=row)});")


def _sqlite_triggers(update_when: str, delete_when: str) -> list[str]:
    return [
        "DROP TRIGGER incidents_article_search_update",
        "DROP TRIGGER incidents_article_search_delete",
        f"""
        CREATE TRIGGER incidents_article_search_update
        AFTER UPDATE OF title, vendor_incident_id, summary_text, body_text ON articles_article
        FOR EACH ROW WHEN {update_when} BEGIN
        {_remove("old")}
        {_insert("new")}
        END
        """,
        f"""
        CREATE TRIGGER incidents_article_search_delete AFTER DELETE ON articles_article
        FOR EACH ROW {delete_when} BEGIN
        {_remove("old")}
        END
        """,
    ]


SQLITE = [
    "DROP TRIGGER incidents_article_search_insert",
    *_sqlite_triggers(f"({CHANGED}) AND {INDEXED}", f"WHEN {INDEXED}"),
]

SQLITE_REVERSE = [
    *_sqlite_triggers(f"({CHANGED})", ""),
    f"""
    CREATE TRIGGER incidents_article_search_insert AFTER INSERT ON articles_article FOR EACH ROW BEGIN
    {_insert("new")}
    END
    """,
    f"""
    INSERT INTO incidents_article_search (rowid, title, summary, body)
    SELECT {ARTICLE_VALUES.format(row="a")} FROM articles_article a
    WHERE NOT EXISTS (SELECT 1 FROM incidents_article_search s WHERE s.rowid = a.id)
    """,
]


def _run(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"search index: no SQL for the {vendor} database")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_incident_updated_index"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
