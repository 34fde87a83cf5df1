from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    """Exclusion rules get a change time, so that the pipeline can keep them in memory and read them
    again only when one changed (one query fewer per news article)."""

    dependencies = [
        ("incidents", "0061_content_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="exclusionrule",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
    ]
