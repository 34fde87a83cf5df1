"""The full-text search index of incidents and articles (incidents/search.py explains its use).

Two tables outside the ORM, kept current by database triggers, so every writer (ingest, the
pipeline, summaries, the admin, a bulk update) keeps them right without calling anything:

* incidents_article_search: one row per article; title (with the vendor's incident id of a status
  post), summary and body (the first 100,000 characters of the body, the bound PostgreSQL's
  tsvector needs).
* incidents_incident_search: one row per incident; its vendor incident ids and error messages,
  title and subject, and the rest (vendor and service names and aliases, regions, the current
  summary's statements). Triggers on the incident, its services, its vendor, its services' names
  and its summary rebuild it.

PostgreSQL: plain tables (id, tsvector) with a GIN index, written in the 'english' configuration
with weights A (ids, errors; an article's title), B (title; an article's summary), D (the rest).
SQLite: FTS5 tables with the same names and columns in that order, tokenizer porter + unicode61
(stemming like 'english', diacritics kept as PostgreSQL keeps them); the article table is
contentless (the text lives in articles_article), the incident table stores its short text.
A TRUNCATE of a source table (Django's test flush on PostgreSQL) empties the index as well.
"""

from django.db import migrations

BODY_CHARS = 100_000

# --- PostgreSQL ---------------------------------------------------------------------------------

POSTGRESQL = [
    """
    CREATE TABLE incidents_article_search (
        article_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX incidents_article_search_document ON incidents_article_search USING gin (document)",
    # Ten times the default statistics: the planner then knows a rare or unseen word is rare and reads
    # the GIN index, instead of walking the newest rows for matches that never come (200+ ms at 100k).
    "ALTER TABLE incidents_article_search ALTER COLUMN document SET STATISTICS 1000",
    f"""
    CREATE FUNCTION incidents_article_document(title text, incident_id text, summary text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, title || ' ' || incident_id), 'A')
            || setweight(to_tsvector('english'::regconfig, summary), 'B')
            || setweight(to_tsvector('english'::regconfig, left(body, {BODY_CHARS})), 'D')
    $$
    """,
    """
    CREATE FUNCTION incidents_article_search_upkeep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM incidents_article_search;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM incidents_article_search WHERE article_id = OLD.id;
        ELSE
            INSERT INTO incidents_article_search (article_id, document)
            VALUES (NEW.id, incidents_article_document(NEW.title, NEW.vendor_incident_id, NEW.summary_text,
                                                       NEW.body_text))
            ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER incidents_article_search_insert AFTER INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION incidents_article_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_article_search_update
    AFTER UPDATE OF title, vendor_incident_id, summary_text, body_text ON articles_article
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
                       OR OLD.vendor_incident_id IS DISTINCT FROM NEW.vendor_incident_id
                       OR OLD.summary_text IS DISTINCT FROM NEW.summary_text
                       OR OLD.body_text IS DISTINCT FROM NEW.body_text)
    EXECUTE FUNCTION incidents_article_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_article_search_delete AFTER DELETE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION incidents_article_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_article_search_truncate AFTER TRUNCATE ON articles_article
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_article_search_upkeep()
    """,
    """
    INSERT INTO incidents_article_search (article_id, document)
    SELECT id, incidents_article_document(title, vendor_incident_id, summary_text, body_text) FROM articles_article
    """,
    """
    CREATE TABLE incidents_incident_search (
        incident_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX incidents_incident_search_document ON incidents_incident_search USING gin (document)",
    "ALTER TABLE incidents_incident_search ALTER COLUMN document SET STATISTICS 1000",
    # Two transactions may refresh one incident at once (a service added while the incident is saved):
    # the row lock makes the second wait for the first, and its next statement then reads what the
    # first committed; the upsert lets both write. Only the strings of the JSON lists are read, so
    # citations ("article:12") and kinds stay out.
    """
    CREATE FUNCTION incidents_incident_search_refresh(target bigint) RETURNS void LANGUAGE sql AS $$
        SELECT 1 FROM incidents_incident WHERE id = target FOR NO KEY UPDATE;
        INSERT INTO incidents_incident_search (incident_id, document)
        SELECT i.id,
               setweight(jsonb_to_tsvector('english'::regconfig, i.vendor_incident_ids, '["string"]')
                         || jsonb_to_tsvector('english'::regconfig, i.error_messages, '["string"]'), 'A')
            || setweight(to_tsvector('english'::regconfig, i.title || ' ' || i.subject), 'B')
            || setweight(jsonb_to_tsvector('english'::regconfig, jsonb_build_array(
                   v.name, v.aliases,
                   (SELECT jsonb_agg(jsonb_build_array(s.name, s.aliases))
                    FROM incidents_incident_services m JOIN incidents_service s ON s.id = m.service_id
                    WHERE m.incident_id = i.id),
                   i.regions,
                   jsonb_path_query_array(summary.why_this_matters, '$[*].text'),
                   jsonb_path_query_array(summary.takeaways, '$[*].text')
               ), '["string"]'), 'D')
        FROM incidents_incident i
        LEFT JOIN incidents_vendor v ON v.id = i.vendor_id
        LEFT JOIN incidents_summary summary ON summary.id = i.summary_id
        WHERE i.id = target
        ON CONFLICT (incident_id) DO UPDATE SET document = EXCLUDED.document;
    $$
    """,
    """
    CREATE FUNCTION incidents_incident_search_upkeep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM incidents_incident_search;
        ELSIF TG_TABLE_NAME = 'incidents_incident' AND TG_OP = 'DELETE' THEN
            DELETE FROM incidents_incident_search WHERE incident_id = OLD.id;
        ELSIF TG_TABLE_NAME = 'incidents_incident' THEN
            PERFORM incidents_incident_search_refresh(NEW.id);
        ELSIF TG_TABLE_NAME = 'incidents_incident_services' THEN
            PERFORM incidents_incident_search_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.incident_id
                                                          ELSE NEW.incident_id END);
        ELSIF TG_TABLE_NAME = 'incidents_vendor' THEN
            PERFORM incidents_incident_search_refresh(id) FROM incidents_incident WHERE vendor_id = NEW.id;
        ELSIF TG_TABLE_NAME = 'incidents_service' THEN
            PERFORM incidents_incident_search_refresh(incident_id)
            FROM incidents_incident_services WHERE service_id = NEW.id;
        ELSIF TG_TABLE_NAME = 'incidents_summary' THEN
            PERFORM incidents_incident_search_refresh(id) FROM incidents_incident WHERE summary_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER incidents_incident_search_insert AFTER INSERT ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    # refresh_incident saves every derived field each time: only a real change rebuilds the row.
    """
    CREATE TRIGGER incidents_incident_search_update
    AFTER UPDATE OF title, subject, vendor_id, vendor_incident_ids, error_messages, regions, summary_id
    ON incidents_incident
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.subject IS DISTINCT FROM NEW.subject
                       OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id
                       OR OLD.vendor_incident_ids IS DISTINCT FROM NEW.vendor_incident_ids
                       OR OLD.error_messages IS DISTINCT FROM NEW.error_messages
                       OR OLD.regions IS DISTINCT FROM NEW.regions OR OLD.summary_id IS DISTINCT FROM NEW.summary_id)
    EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_delete AFTER DELETE ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_truncate AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_services AFTER INSERT OR DELETE ON incidents_incident_services
    FOR EACH ROW EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_vendor AFTER UPDATE OF name, aliases ON incidents_vendor
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases)
    EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_service AFTER UPDATE OF name, aliases ON incidents_service
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases)
    EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    """
    CREATE TRIGGER incidents_incident_search_summary AFTER UPDATE OF why_this_matters, takeaways ON incidents_summary
    FOR EACH ROW EXECUTE FUNCTION incidents_incident_search_upkeep()
    """,
    "SELECT incidents_incident_search_refresh(id) FROM incidents_incident",
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER incidents_incident_search_summary ON incidents_summary",
    "DROP TRIGGER incidents_incident_search_service ON incidents_service",
    "DROP TRIGGER incidents_incident_search_vendor ON incidents_vendor",
    "DROP TRIGGER incidents_incident_search_services ON incidents_incident_services",
    "DROP TRIGGER incidents_incident_search_truncate ON incidents_incident",
    "DROP TRIGGER incidents_incident_search_delete ON incidents_incident",
    "DROP TRIGGER incidents_incident_search_update ON incidents_incident",
    "DROP TRIGGER incidents_incident_search_insert ON incidents_incident",
    "DROP FUNCTION incidents_incident_search_upkeep()",
    "DROP FUNCTION incidents_incident_search_refresh(bigint)",
    "DROP TABLE incidents_incident_search",
    "DROP TRIGGER incidents_article_search_truncate ON articles_article",
    "DROP TRIGGER incidents_article_search_delete ON articles_article",
    "DROP TRIGGER incidents_article_search_update ON articles_article",
    "DROP TRIGGER incidents_article_search_insert ON articles_article",
    "DROP FUNCTION incidents_article_search_upkeep()",
    "DROP FUNCTION incidents_article_document(text, text, text, text)",
    "DROP TABLE incidents_article_search",
]

# --- SQLite -------------------------------------------------------------------------------------

TOKENIZER = "porter unicode61 remove_diacritics 0"

# A contentless table forgets the text: removing a row takes the values it was indexed with.
ARTICLE_VALUES = ("{row}.id, {row}.title || ' ' || {row}.vendor_incident_id, {row}.summary_text, "
                  "substr({row}.body_text, 1, " + str(BODY_CHARS) + ")")


def _article_insert(row: str) -> str:
    return (f"INSERT INTO incidents_article_search (rowid, title, summary, body) "
            f"VALUES ({ARTICLE_VALUES.format(row=row)});")


def _article_remove(row: str) -> str:
    return (f"INSERT INTO incidents_article_search (incidents_article_search, rowid, title, summary, body) "
            f"VALUES ('delete', {ARTICLE_VALUES.format(row=row)});")


# The incident's document, for the incidents chosen by `where` (an expression over i).
INCIDENT_DOCUMENT = """
    SELECT i.id,
           (SELECT group_concat(value, ' ') FROM json_each(i.vendor_incident_ids)),
           (SELECT group_concat(value, ' ; ') FROM json_each(i.error_messages)),
           i.title || ' ' || i.subject,
           coalesce(v.name, '')
           || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(v.aliases)), '')
           || ' ' || coalesce((SELECT group_concat(s.name || ' ' || coalesce(
                                   (SELECT group_concat(value, ' ') FROM json_each(s.aliases)), ''), ' ')
                               FROM incidents_incident_services m JOIN incidents_service s ON s.id = m.service_id
                               WHERE m.incident_id = i.id), '')
           || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(i.regions)), '')
           || ' ' || coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                               FROM json_each(summary.why_this_matters)), '')
           || ' ' || coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                               FROM json_each(summary.takeaways)), '')
    FROM incidents_incident i
    LEFT JOIN incidents_vendor v ON v.id = i.vendor_id
    LEFT JOIN incidents_summary summary ON summary.id = i.summary_id
    WHERE {where}
"""


def _incident_refresh(where: str) -> str:
    return (f"DELETE FROM incidents_incident_search WHERE rowid IN (SELECT i.id FROM incidents_incident i "
            f"WHERE {where});\n"
            f"INSERT INTO incidents_incident_search (rowid, ids, errors, title, body) "
            f"{INCIDENT_DOCUMENT.format(where=where)};")


def _trigger(name: str, event: str, body: str, when: str = "") -> str:
    when = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW{when} BEGIN\n{body}\nEND"


def _changed(*columns: str) -> str:
    return " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)


SQLITE = [
    f"""
    CREATE VIRTUAL TABLE incidents_article_search USING fts5(
        title, summary, body, content='', tokenize='{TOKENIZER}'
    )
    """,
    _trigger("incidents_article_search_insert", "INSERT ON articles_article", _article_insert("new")),
    _trigger("incidents_article_search_update",
             "UPDATE OF title, vendor_incident_id, summary_text, body_text ON articles_article",
             _article_remove("old") + "\n" + _article_insert("new"),
             when=_changed("title", "vendor_incident_id", "summary_text", "body_text")),
    _trigger("incidents_article_search_delete", "DELETE ON articles_article", _article_remove("old")),
    f"""
    INSERT INTO incidents_article_search (rowid, title, summary, body)
    SELECT {ARTICLE_VALUES.format(row="articles_article")} FROM articles_article
    """,
    f"""
    CREATE VIRTUAL TABLE incidents_incident_search USING fts5(
        ids, errors, title, body, tokenize='{TOKENIZER}'
    )
    """,
    _trigger("incidents_incident_search_insert", "INSERT ON incidents_incident", _incident_refresh("i.id = new.id")),
    _trigger("incidents_incident_search_update",
             "UPDATE OF title, subject, vendor_id, vendor_incident_ids, error_messages, regions, summary_id "
             "ON incidents_incident", _incident_refresh("i.id = new.id"),
             when=_changed("title", "subject", "vendor_id", "vendor_incident_ids", "error_messages", "regions",
                           "summary_id")),
    _trigger("incidents_incident_search_delete", "DELETE ON incidents_incident",
             "DELETE FROM incidents_incident_search WHERE rowid = old.id;"),
    _trigger("incidents_incident_search_service_added", "INSERT ON incidents_incident_services",
             _incident_refresh("i.id = new.incident_id")),
    _trigger("incidents_incident_search_service_removed", "DELETE ON incidents_incident_services",
             _incident_refresh("i.id = old.incident_id")),
    _trigger("incidents_incident_search_vendor", "UPDATE OF name, aliases ON incidents_vendor",
             _incident_refresh("i.vendor_id = new.id"), when=_changed("name", "aliases")),
    _trigger("incidents_incident_search_service", "UPDATE OF name, aliases ON incidents_service",
             _incident_refresh("i.id IN (SELECT incident_id FROM incidents_incident_services "
                               "WHERE service_id = new.id)"), when=_changed("name", "aliases")),
    _trigger("incidents_incident_search_summary", "UPDATE OF why_this_matters, takeaways ON incidents_summary",
             _incident_refresh("i.summary_id = new.id")),
    f"INSERT INTO incidents_incident_search (rowid, ids, errors, title, body) {INCIDENT_DOCUMENT.format(where='1')}",
]

SQLITE_REVERSE = [
    *(f"DROP TRIGGER {name}" for name in (
        "incidents_incident_search_summary", "incidents_incident_search_service", "incidents_incident_search_vendor",
        "incidents_incident_search_service_removed", "incidents_incident_search_service_added",
        "incidents_incident_search_delete", "incidents_incident_search_update", "incidents_incident_search_insert",
        "incidents_article_search_delete", "incidents_article_search_update", "incidents_article_search_insert",
    )),
    "DROP TABLE incidents_incident_search",
    "DROP TABLE incidents_article_search",
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
        ("articles", "0003_drop_indexes_covered_by_constraints"),
        ("incidents", "0005_curation"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
