import pytest
from django.contrib.auth.models import User

from articles.models import Source
from tests.factories import ArticleFactory, FetchAttemptFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("editor", "editor@example.invalid", "x"))
    return client


@pytest.mark.parametrize("model", ["source", "article", "fetchattempt"])
def test_list_pages_cost_the_same_queries_for_more_rows(staff_client, django_assert_max_num_queries, model):
    def make_rows(n):
        for _ in range(n):
            FetchAttemptFactory(source=ArticleFactory().source)

    make_rows(2)
    with django_assert_max_num_queries(12) as few:
        assert staff_client.get(f"/admin/articles/{model}/").status_code == 200
    make_rows(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(f"/admin/articles/{model}/").status_code == 200


def test_the_article_page_shows_the_body_sanitised(staff_client):
    article = ArticleFactory(body_html='<p>Body</p><img src=x onerror="alert(1)">')
    body = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "<p>Body</p>" in body and "onerror" not in body


def test_a_source_page_shows_its_recent_attempts(staff_client):
    attempt = FetchAttemptFactory(error="HTTP 404 Not Found from feeds.example")
    body = staff_client.get(f"/admin/articles/source/{attempt.source.pk}/change/").content.decode()
    assert "HTTP 404 Not Found from feeds.example" in body


def test_reset_action_clears_backoff_and_a_give_up(staff_client):
    source = SourceFactory(health="gave_up", consecutive_failures=7, pending_attempts=6)
    staff_client.post("/admin/articles/source/", {"action": "reset_backoff", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert (source.consecutive_failures, source.pending_attempts) == (0, 0) and source.health == "new"


def test_disable_action(staff_client):
    source = SourceFactory()
    staff_client.post("/admin/articles/source/", {"action": "disable", "_selected_action": [source.pk]})
    assert Source.objects.get(pk=source.pk).enabled is False


def test_the_inline_shows_this_sources_latest_attempts_not_another_sources(staff_client):
    mine = FetchAttemptFactory(error="mine: HTTP 500")
    FetchAttemptFactory.create_batch(25, error="someone else's")
    body = staff_client.get(f"/admin/articles/source/{mine.source.pk}/change/").content.decode()
    assert "mine: HTTP 500" in body and "someone else" not in body


def test_a_big_unfiltered_list_is_paged_by_estimate_on_postgresql_and_counted_elsewhere(
    django_assert_num_queries,
):
    from django.db import connection

    from articles.admin import EstimatedCountPaginator
    from articles.models import FetchAttempt

    source = SourceFactory()
    FetchAttempt.objects.bulk_create(
        [FetchAttempt(source=source, outcome="not_modified") for _ in range(EstimatedCountPaginator.ESTIMATE_FROM_ROWS)]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_fetchattempt")
    paginator = EstimatedCountPaginator(FetchAttempt.objects.all(), 100)
    with django_assert_num_queries(1) as queries:
        count = paginator.count
    assert ("COUNT(" in queries.captured_queries[0]["sql"]) is (connection.vendor != "postgresql")
    assert abs(count - EstimatedCountPaginator.ESTIMATE_FROM_ROWS) <= 100
    filtered = EstimatedCountPaginator(FetchAttempt.objects.filter(outcome="error"), 100)
    assert filtered.count == 0
