"""Incident.tally and Membership.share: an incident is derived from the running total of its
members' shares (incidents/tally.py), so a join no longer reads every member.

No data migration: an incident without a tally is counted from its members the first time the
pipeline touches it (pipeline.recount).

On SQLite, Django adds a column with a default by rebuilding the table, and rebuilding
incidents_incident breaks the search triggers of 0006 that name it. A plain ADD COLUMN with a
DEFAULT does the same without the rebuild; other databases add the fields as usual.
"""

from django.db import migrations, models

FIELDS = (
    ("incident", "tally", models.JSONField(
        blank=True, default=dict,
        help_text="Its members' shares added up (incidents/tally.py): what the pipeline derives follows from it. "
                  "Empty: counted again from the members when next needed.")),
    ("membership", "share", models.JSONField(
        blank=True, default=dict, help_text="What the article adds to its incident's tally, as last counted.")),
)


def add_columns(apps, schema_editor):
    for model_name, name, _ in FIELDS:
        model = apps.get_model("incidents", model_name)
        field = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            definition, _ = schema_editor.column_sql(model, field)
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                                  f"ADD COLUMN {schema_editor.quote_name(field.column)} {definition} DEFAULT '{{}}'")
        else:
            schema_editor.add_field(model, field)


def remove_columns(apps, schema_editor):
    for model_name, name, _ in FIELDS:
        model = apps.get_model("incidents", model_name)
        field = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                                  f"DROP COLUMN {schema_editor.quote_name(field.column)}")
        else:
            schema_editor.remove_field(model, field)


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0008_index_new_articles_in_pipeline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name, name, field) for model_name, name, field in FIELDS],
            # Run after the state: add_columns reads the fields from the models as they now are.
            database_operations=[],
        ),
        migrations.RunPython(add_columns, remove_columns),
    ]
