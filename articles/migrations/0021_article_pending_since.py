import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Articles record that the incident pipeline has yet to process them. Existing rows start as processed
    (NULL); incidents' migration 0051 marks those without current facts, as only it knows the facts table."""

    dependencies = [
        ('articles', '0006_fetchattempt_permanent_redirect'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='pending_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        # The default applies to new rows only (Django sets it in Python), so no existing row is touched.
        migrations.AlterField(
            model_name='article',
            name='pending_since',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, help_text='Stored or changed and not yet processed by the incident pipeline: when it was last handed on. Empty once processed.', null=True),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('pending_since__isnull', False)), fields=['pending_since'], name='articles_article_pending'),
        ),
    ]
