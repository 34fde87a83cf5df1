"""What the press states of an incident's lifecycle (ArticleFacts.claims), the "no recent reports"
status, the acknowledgement reported by the press, the post-incident report, and cascades: the
victims a report names ("also affected") and the root incident a victim's own post blames ("caused by").

As in 0009: on SQLite, Django adds a column with a default by rebuilding the table, which breaks the
search triggers of 0006 that name incidents_incident; a plain ADD COLUMN with a DEFAULT does the same
without the rebuild. Nullable foreign keys are added as usual everywhere.
"""

import django.db.models.deletion
from django.db import migrations, models

WITH_DEFAULTS = (("also_affected", "'[]'"), ("post_incident_report_promised", "0"))


def add_columns(apps, schema_editor):
    model = apps.get_model("incidents", "incident")
    for name, default in WITH_DEFAULTS:
        field = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            definition, _ = schema_editor.column_sql(model, field)
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                                  f"ADD COLUMN {schema_editor.quote_name(field.column)} {definition} DEFAULT {default}")
        else:
            schema_editor.add_field(model, field)


def remove_columns(apps, schema_editor):
    model = apps.get_model("incidents", "incident")
    for name, _ in WITH_DEFAULTS:
        field = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                                  f"DROP COLUMN {schema_editor.quote_name(field.column)}")
        else:
            schema_editor.remove_field(model, field)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_fetchattempt_permanent_redirect'),
        ('incidents', '0010_articlefacts_subject'),
    ]

    operations = [
        migrations.AddField(
            model_name='articlefacts',
            name='claims',
            field=models.JSONField(blank=True, default=dict, help_text='What a report states of the lifecycle: start, end, acknowledgement, post-incident report, scale.'),
        ),
        migrations.AddField(
            model_name='incident',
            name='caused_by',
            field=models.ForeignKey(blank=True, help_text="Another provider's incident its vendor blames (a cascade): this one is among its victims.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='caused', to='incidents.incident'),
        ),
        migrations.AddField(
            model_name='incident',
            name='acknowledged_in',
            field=models.ForeignKey(blank=True, help_text="The source that reports the vendor's acknowledgement, when no status post of the vendor's does.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='articles.article'),
        ),
        migrations.AddField(
            model_name='incident',
            name='post_incident_report',
            field=models.ForeignKey(blank=True, help_text="The post-incident report (root cause, postmortem), the vendor's own or the press's.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='articles.article'),
        ),
        migrations.AlterField(
            model_name='incident',
            name='status',
            field=models.CharField(choices=[('reported', 'reported by press'), ('quiet', 'no recent reports'), ('investigating', 'investigating'), ('identified', 'identified'), ('monitoring', 'monitoring'), ('resolved', 'resolved'), ('scheduled', 'scheduled maintenance'), ('in_progress', 'maintenance in progress'), ('completed', 'maintenance completed')], db_index=True, default='reported', max_length=16),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AddField(
                model_name='incident',
                name='also_affected',
                field=models.JSONField(blank=True, default=list, help_text="Other companies' services its sources name as taken down with it (a cascade's victims)."),
            ),
            migrations.AddField(
                model_name='incident',
                name='post_incident_report_promised',
                field=models.BooleanField(default=False, help_text='The vendor said a post-incident report will follow.'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(add_columns, remove_columns),
    ]
