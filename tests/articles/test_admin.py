from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission, User

from articles.models import DuplicateItem, Source
from incidents.models import ArticleExclusion, Incident, Membership, Revision
from incidents.pipeline import process_article
from tests.factories import ArticleFactory, FetchAttemptFactory, ItemFactory, SourceFactory, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("editor", "editor@example.invalid", "x"))
    return client


@pytest.mark.parametrize("model", ["source", "article", "fetchattempt", "duplicateitem"])
def test_list_pages_cost_the_same_queries_for_more_rows(staff_client, django_assert_max_num_queries, model):
    def make_rows(n):
        for _ in range(n):
            article = ArticleFactory()
            FetchAttemptFactory(source=article.source)
            DuplicateItem.objects.create(source=SourceFactory(), external_id="copy", url=article.url, article=article)
        for article in ArticleFactory.create_batch(n):  # placed in incidents: the list shows incident and score
            process_article(article.pk, assume_outage=True)

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


def test_a_source_page_shows_its_components_and_page_state(staff_client):
    from articles.component_store import store_page_status
    from articles.items import Component, ComponentState, PageStatus

    source = SourceFactory(kind="statuspage")
    store_page_status(source, PageStatus((Component("a", "Git Operations", ComponentState.PARTIAL_OUTAGE,
                                                    "partial_outage", "Core"),), True, None),
                      datetime(2026, 11, 1, tzinfo=UTC))
    body = staff_client.get(f"/admin/articles/source/{source.pk}/change/").content.decode()
    assert "Git Operations" in body and "partial outage" in body


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


# --- articles and status posts: their incident, exclude, pin, return -------------------------------------------------

T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
BODY = ("<p>Cloudflare said a configuration file crashed the software that routes traffic across its network; "
        "websites showed \"500 Internal Server Error\" pages.</p>")


def outage_report(title, url, at=T0):
    article = stored(SourceFactory(name="Ars Technica"), ItemFactory(
        title=title, url=url, content_html=BODY, summary_html="", published_at=at))
    process_article(article.pk)
    return article


@pytest.fixture
def placed():
    article = outage_report("Widespread Cloudflare outage blamed on mysterious traffic spike", "https://a.example/1")
    return article, Membership.objects.get(article=article).incident


def test_the_article_list_shows_each_articles_incident(staff_client, placed):
    article, incident = placed
    body = staff_client.get("/admin/articles/article/").content.decode()
    assert f'href="/admin/incidents/incident/{incident.pk}/change/">{incident.title}</a>' in body
    assert "opened it" in body  # the article that opened the incident has no score
    in_none = staff_client.get("/admin/articles/article/", {"placed": "no"}).content.decode()
    assert article.title not in in_none


def test_excluding_articles_asks_why_then_takes_them_out_of_their_incident(staff_client, placed):
    article, incident = placed
    selection = {"action": "exclude_from_clustering", "_selected_action": [article.pk]}
    page = staff_client.post("/admin/articles/article/", selection)
    assert 'name="reason"' in page.content.decode() and not ArticleExclusion.objects.exists()
    staff_client.post("/admin/articles/article/", {**selection, "apply": "yes", "reason": "a product review"})
    assert ArticleExclusion.objects.get(article=article).reason == "a product review"
    assert not Membership.objects.filter(article=article).exists()
    assert Incident.objects.get(pk=incident.pk).hidden  # its only source left
    listed = staff_client.get("/admin/articles/article/", {"placed": "excluded"}).content.decode()
    assert "excluded by an editor: a product review" in listed


def test_pinning_articles_to_an_incident_named_on_the_intermediate_page(staff_client, placed):
    _, incident = placed
    other = outage_report("Cloudflare dashboard down for customers", "https://a.example/2", at=T0.replace(day=25))
    selection = {"action": "pin_to_incident", "_selected_action": [other.pk]}
    assert 'name="incident"' in staff_client.post("/admin/articles/article/", selection).content.decode()
    refused = staff_client.post("/admin/articles/article/", {**selection, "apply": "yes", "incident": "nothing-here"})
    assert "No incident" in refused.content.decode()
    staff_client.post("/admin/articles/article/", {**selection, "apply": "yes",
                                                   "incident": f"https://outagehub.example/incidents/{incident.slug}/"})
    membership = Membership.objects.get(article=other)
    assert membership.incident == incident and membership.assigned_by == "editor"
    assert Revision.objects.filter(incident=incident, action="attach").exists()


def test_returning_an_excluded_article_to_clustering(staff_client, placed):
    article, _ = placed
    ArticleExclusion.objects.create(article=article)
    Membership.objects.filter(article=article).delete()
    staff_client.post("/admin/articles/article/", {"action": "return_to_clustering", "_selected_action": [article.pk]})
    assert not ArticleExclusion.objects.exists() and Membership.objects.filter(article=article).exists()


def test_staff_who_may_only_view_cannot_run_source_or_article_actions(client, placed):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_source", "view_article"]))
    client.force_login(viewer)
    article, _ = placed
    for url, action, pk in [("/admin/articles/source/", "disable", article.source_id),
                            ("/admin/articles/article/", "exclude_from_clustering", article.pk)]:
        page = client.get(url)
        assert page.status_code == 200 and 'name="action"' not in page.content.decode()
        client.post(url, {"action": action, "_selected_action": [pk], "apply": "yes"})
    assert Source.objects.get(pk=article.source_id).enabled and not ArticleExclusion.objects.exists()


# Times carry their zone


def test_source_times_in_the_list_and_on_the_page_carry_their_zone(staff_client):
    source = SourceFactory(name="Zoned", last_success_at=datetime(2026, 12, 7, 3, 22, tzinfo=UTC),
                           last_error_at=datetime(2026, 12, 6, 23, 5, tzinfo=UTC), last_error="HTTP 503")

    listed = staff_client.get("/admin/articles/source/").content.decode()
    page = staff_client.get(f"/admin/articles/source/{source.pk}/change/").content.decode()

    assert "2026-12-07 03:22 UTC" in listed  # a list column
    assert "2026-12-07 03:22 UTC" in page and "2026-12-06 23:05 UTC" in page  # read-only fields
    assert "a.m." not in listed + page and "p.m." not in listed + page


def test_fetch_attempt_times_in_the_source_pages_inline_carry_their_zone(staff_client):
    attempt = FetchAttemptFactory(started_at=datetime(2026, 12, 7, 3, 22, 9, tzinfo=UTC))

    page = staff_client.get(f"/admin/articles/source/{attempt.source.pk}/change/").content.decode()

    assert "2026-12-07 03:22 UTC" in page


def test_editable_times_say_they_are_in_utc(staff_client):
    source = SourceFactory()
    article = ArticleFactory()

    source_page = BeautifulSoup(staff_client.get(f"/admin/articles/source/{source.pk}/change/").content, "html.parser")
    article_page = BeautifulSoup(staff_client.get(f"/admin/articles/article/{article.pk}/change/").content,
                                 "html.parser")

    assert "In UTC." in source_page.select_one(".field-next_fetch_at .help").get_text()
    assert "In UTC." in article_page.select_one(".field-published_at .help").get_text()
    assert "In UTC." not in source_page.select_one(".field-url").get_text()
