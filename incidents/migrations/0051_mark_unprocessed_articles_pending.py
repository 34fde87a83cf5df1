from django.db import migrations

# Frozen SQL, no live code: an article is pending when it has no facts of its current version and no
# editor took it out of clustering (what pipeline.unprocessed_articles meant before the column existed).
MARK_PENDING = """
UPDATE articles_article SET pending_since = last_changed_at
WHERE NOT EXISTS (SELECT 1 FROM incidents_articlefacts f
                  WHERE f.article_id = articles_article.id AND f.content_hash = articles_article.content_hash)
  AND NOT EXISTS (SELECT 1 FROM incidents_articleexclusion e WHERE e.article_id = articles_article.id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0021_article_pending_since'),
        ('incidents', '0011_lifecycle_claims_attribution'),
    ]

    operations = [
        migrations.RunSQL(MARK_PENDING, reverse_sql=migrations.RunSQL.noop),
    ]
