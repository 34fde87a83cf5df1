"""incidents_incident_search_refresh (0006) in PL/pgSQL, with the same statements.

PostgreSQL plans the statements of a function written in SQL again at every call: some 0.5 ms of a
refresh's 0.7 ms went to planning. PL/pgSQL keeps each statement's plan for the session. The refresh
runs whenever an incident's searchable text changes, which is most articles that join one.
SQLite keeps its own triggers (0006): nothing to do there.
"""

from django.db import migrations

# The statements of 0006's function, unchanged; only PERFORM in place of a SELECT whose row is unused.
STATEMENTS = """
        PERFORM 1 FROM incidents_incident WHERE id = target FOR NO KEY UPDATE;
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
"""

PLPGSQL = f"""
    CREATE OR REPLACE FUNCTION incidents_incident_search_refresh(target bigint) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
{STATEMENTS}
    END
    $$
"""

SQL = f"""
    CREATE OR REPLACE FUNCTION incidents_incident_search_refresh(target bigint) RETURNS void LANGUAGE sql AS $$
{STATEMENTS.replace("PERFORM 1", "SELECT 1", 1)}
    $$
"""


def _on_postgresql(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("incidents", "0083_covering_key_lookup")]

    operations = [migrations.RunPython(_on_postgresql(PLPGSQL), _on_postgresql(SQL))]
