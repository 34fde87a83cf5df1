"""articles/bulk_insert.py on the configured database (SQLite, and PostgreSQL in CI): the rows come
back through the ORM exactly as bulk_create would have stored them."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from articles import bulk_insert
from articles.models import Article, StatusUpdate
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
AWKWARD_TEXT = "Ünïcode, quotes ' \" and a tab\tand\nnew lines \\ back"  # what COPY's text format escapes
WHEN = datetime(2025, 11, 18, 11, 48, 30, 123456, tzinfo=UTC)


def unsaved_article(source, n: int, **fields) -> Article:
    values = {"kind": Article.Kind.STATUS, "external_id": f"id-{n}", "title": f"Story {n}", "published_at": WHEN,
              "content_hash": f"{n:064x}", "dedupe_url": f"https://news.example/{n}", **fields}
    return Article(source=source, **values)


def test_rows_are_stored_with_every_kind_of_value_and_get_their_ids():
    source = SourceFactory()
    articles = [
        unsaved_article(source, 1, categories=["Cloud", "Outages"], components=[{"name": "API"}], locations=[],
                        body_text=AWKWARD_TEXT, published_is_fetch_time=True,
                        resolved_at=None, vendor_status=Article.Kind.NEWS),  # a str subclass (TextChoices)
        unsaved_article(source, 2, dedupe_url=None, started_at=WHEN),
    ]
    bulk_insert.insert(articles)
    assert all(a.pk and not a._state.adding for a in articles)
    first, second = (Article.objects.get(pk=a.pk) for a in articles)
    assert first.categories == ["Cloud", "Outages"] and first.components == [{"name": "API"}]
    assert first.body_text == AWKWARD_TEXT
    assert first.published_is_fetch_time is True and first.resolved_at is None and first.vendor_status == "news"
    assert first.published_at == WHEN and second.started_at == WHEN
    assert second.dedupe_url is None and second.categories == []  # the model's default


def test_rows_without_ids_are_inserted_in_one_go():
    article = ArticleFactory()
    updates = [StatusUpdate(article=article, key=f"u{n}", posted_at=WHEN, status="investigating", text=f"Update {n}")
               for n in range(3)]
    bulk_insert.insert(updates, with_ids=False)
    assert sorted(article.updates.values_list("text", flat=True)) == ["Update 0", "Update 1", "Update 2"]
    assert all(u.pk is None and not u._state.adding for u in updates)


def test_a_duplicate_raises_integrity_error_and_the_savepoint_keeps_nothing():
    source = SourceFactory()
    bulk_insert.insert([unsaved_article(source, 1)])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert.insert([unsaved_article(source, 2), unsaved_article(source, 1)])  # the second one clashes
    assert list(Article.objects.values_list("external_id", flat=True)) == ["id-1"]


def test_nothing_to_insert_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_insert.insert([])
