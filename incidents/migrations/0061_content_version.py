"""The content version (incidents.models.ContentVersion): one row that database triggers move in the
transaction of every change readers can see, whoever makes it. The site folds it into its ETags and
its page cache keys, so a change shows on the next request.

Triggers rather than calls in Python: every writer (the pipeline, curation, summaries, admin, a
raw UPDATE) is covered without a list to keep up. On PostgreSQL they are deferred constraint
triggers that move the row once per transaction, at commit: the number follows commit order, and
the row is locked only while committing, never while a transaction waits for another lock (a bump
at the time of the write deadlocked a summary writer holding an incident's row against the
pipeline). SQLite has one writer at a time and only row triggers.

The table list is frozen here, as migrations must stand alone.
"""

from django.db import migrations, models

# table -> the writes that change what readers see
WATCHED = {
    "incidents_incident": ("INSERT", "UPDATE", "DELETE"),
    "incidents_incident_services": ("INSERT", "UPDATE", "DELETE"),
    "incidents_incidentregion": ("INSERT", "UPDATE", "DELETE"),
    "incidents_membership": ("INSERT", "UPDATE", "DELETE"),
    "incidents_summary": ("INSERT", "UPDATE", "DELETE"),
    "incidents_revision": ("INSERT", "UPDATE", "DELETE"),
    "incidents_vendor": ("INSERT", "UPDATE", "DELETE"),
    "incidents_service": ("INSERT", "UPDATE", "DELETE"),
    # Saved for every article the pipeline processes: a new article searchable, or not an outage.
    "incidents_articlefacts": ("INSERT", "UPDATE", "DELETE"),
    # Stored articles are invisible until processed; a changed or deleted one may be shown already.
    "articles_article": ("UPDATE", "DELETE"),
    "articles_statusupdate": ("INSERT", "UPDATE", "DELETE"),
    # Every poll updates its source; only its name (citations on incident pages) and whether it is failing
    # (the timeline's warning when most sources are) are shown, so only a change of those counts.
    "articles_source": ("UPDATE OF name, health, enabled",),
}
CONDITIONS = {
    "articles_source": "OLD.name IS DISTINCT FROM NEW.name OR OLD.health IS DISTINCT FROM NEW.health "
                       "OR OLD.enabled IS DISTINCT FROM NEW.enabled",
}
TRIGGER = "incidents_content_version"

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION incidents_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Deferred row triggers all fire in the statement that commits (or in SET CONSTRAINTS ... IMMEDIATE):
    -- one bump for all of them.
    INSERT INTO incidents_contentversion AS v (id, number, changed_at, bumped_by)
    VALUES (1, 1, clock_timestamp(), txid_current() || '@' || statement_timestamp())
    ON CONFLICT (id) DO UPDATE SET number = v.number + 1, changed_at = clock_timestamp(),
                                   bumped_by = EXCLUDED.bumped_by
    WHERE v.bumped_by IS DISTINCT FROM EXCLUDED.bumped_by;
    RETURN NULL;
END
$$
"""

SQLITE_BUMP = """
    INSERT INTO incidents_contentversion (id, number, changed_at, bumped_by)
    VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), '')
    ON CONFLICT (id) DO UPDATE SET number = number + 1, changed_at = excluded.changed_at;
"""


def _sqlite_name(table: str, event: str) -> str:
    return f"{TRIGGER}_{table}_{event.split()[0].lower()}"


def install(apps, schema_editor):
    statements = []
    if schema_editor.connection.vendor == "postgresql":
        statements.append(POSTGRESQL_FUNCTION)
        for table, events in WATCHED.items():
            when = f"WHEN ({CONDITIONS[table]}) " if table in CONDITIONS else ""
            statements.append(f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER {' OR '.join(events)} ON {table} "
                              f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}"
                              "EXECUTE FUNCTION incidents_content_changed()")
    else:
        for table, events in WATCHED.items():
            for event in events:
                when = f"WHEN {CONDITIONS[table]} " if table in CONDITIONS else ""
                statements.append(f"CREATE TRIGGER {_sqlite_name(table, event)} AFTER {event} ON {table} "
                                  f"FOR EACH ROW {when}BEGIN {SQLITE_BUMP} END")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER {TRIGGER} ON {table}" for table in WATCHED]
        statements.append("DROP FUNCTION incidents_content_changed()")
    else:
        statements = [f"DROP TRIGGER {_sqlite_name(table, event)}" for table, events in WATCHED.items()
                      for event in events]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0041_source_components"),
        ("incidents", "0051_mark_unprocessed_articles_pending"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(blank=True, null=True)),
                ("bumped_by", models.CharField(blank=True, max_length=80, help_text=(
                    "PostgreSQL: the transaction and statement (its commit) that moved it last: it moves once per "
                    "commit."))),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
