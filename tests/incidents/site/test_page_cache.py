"""The shared page cache: a warm read costs the version queries only, and every kind of change shows
on the very next request, on the local-memory cache and on Redis (when the run has one)."""

import os
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from incidents import curation
from incidents.models import ContentVersion, Incident
from incidents.summaries.brief import Statement
from tests.factories import ArticleFactory, IncidentFactory, MembershipFactory, SummaryFactory

pytestmark = pytest.mark.django_db


def redis_url() -> str:
    for name in ("CACHE_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name, "").startswith("redis://"):
            return os.environ[name]
    return ""


BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url()},
}


@pytest.fixture(params=list(BACKENDS))
def page_cache(request):
    """Each real backend, with a key prefix of this test's own (a Redis is shared with other runs)."""
    if request.param == "redis" and not redis_url():
        pytest.skip("no Redis in this run (CACHE_URL or CELERY_BROKER_URL); the PostgreSQL + Redis run covers it")
    with override_settings(CACHES={"default": {**BACKENDS[request.param], "KEY_PREFIX": uuid.uuid4().hex}}):
        yield caches["default"]


@pytest.fixture
def editor():
    return User.objects.create_user("cache-editor", is_staff=True)


def committed():
    """Where the change would commit: PostgreSQL moves the content version at commit (deferred
    triggers), and a test's transaction never commits, so fire them here as a commit would."""
    connection.check_constraints()


def queries(client, url) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content


@pytest.fixture
def incident():
    incident = IncidentFactory(title="Mail delayed in Europe")
    MembershipFactory(incident=incident, article=ArticleFactory(title="Mail is slow for many"))
    return incident


def pages(incident) -> list[str]:
    return ["/", f"/incidents/{incident.slug}/", "/feeds/incidents.atom", f"/vendors/{incident.vendor.slug}/"]


def test_a_warm_read_costs_only_the_version_queries_and_gives_the_same_page(client, page_cache, incident):
    for url in pages(incident):
        cold, rendered = queries(client, url)
        warm, served = queries(client, url)
        assert served == rendered, url
        assert warm <= 2 < cold, url
    assert page_cache.get("nothing") is None  # the backend under test is the one answering


def test_a_new_source_placed_in_an_incident_shows_at_once(client, page_cache, incident):
    for url in pages(incident):
        client.get(url)
    article = ArticleFactory(title="Second report: queues are growing")
    MembershipFactory(incident=incident, article=article)  # the membership alone: no save of the incident
    committed()
    assert b"queues are growing" in client.get(f"/incidents/{incident.slug}/").content


def test_a_new_incident_shows_on_the_timeline_and_in_the_feed_at_once(client, page_cache, incident):
    for url in pages(incident):
        client.get(url)
    IncidentFactory(title="Payments failing everywhere")
    committed()
    assert b"Payments failing everywhere" in client.get("/").content
    assert b"Payments failing everywhere" in client.get("/feeds/incidents.atom").content


def test_a_changed_article_title_shows_at_once(client, page_cache, incident):
    client.get(f"/incidents/{incident.slug}/")
    Article.objects.filter(membership__incident=incident).update(title="Mail is back for most")
    committed()
    assert b"Mail is back for most" in client.get(f"/incidents/{incident.slug}/").content


def test_editor_actions_show_at_once(client, page_cache, incident, editor):
    other = IncidentFactory(vendor=incident.vendor, title="Mail delayed, second report",
                            started_at=incident.started_at + timedelta(minutes=5))
    client.get("/"), client.get(f"/incidents/{other.slug}/")
    curation.merge(incident, [other], editor)
    committed()
    assert client.get(f"/incidents/{other.slug}/").status_code == 301
    assert b"Mail delayed, second report" not in client.get("/").content

    curation.override(incident, "title", "Mail delayed across Europe", editor)
    committed()
    assert b"Mail delayed across Europe" in client.get(f"/incidents/{incident.slug}/").content

    statement = Statement("Mail to Europe is delayed by up to an hour.", ())
    client.get(f"/incidents/{incident.slug}/")
    curation.edit_summary(incident, [statement], [], editor)
    committed()
    assert b"delayed by up to an hour" in client.get(f"/incidents/{incident.slug}/").content
    curation.lock_summary(incident, editor)
    committed()
    assert b"Mail delayed across Europe" in client.get("/feeds/incidents.atom").content

    curation.hide(incident, editor)
    committed()
    assert client.get(f"/incidents/{incident.slug}/").status_code == 404
    assert b"Mail delayed across Europe" not in client.get("/").content


def test_a_rewritten_summary_shows_at_once(client, page_cache, incident):
    SummaryFactory(incident=incident, current=True,
                   why_this_matters=[{"text": "Old words about mail.", "citations": []}])
    assert b"Old words about mail." in client.get(f"/incidents/{incident.slug}/").content
    SummaryFactory(incident=incident, current=True,
                   why_this_matters=[{"text": "New words about mail.", "citations": []}])
    committed()
    assert b"New words about mail." in client.get(f"/incidents/{incident.slug}/").content
    assert b"New words about mail." in client.get("/feeds/incidents.atom").content


def test_a_cache_that_fails_is_a_miss_not_an_error(client, incident):
    unreachable = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    with override_settings(CACHES={"default": unreachable}):
        for url in pages(incident):
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_moves_the_content_version_and_a_stored_article_does_not():
    """On PostgreSQL the version moves at commit (a deferred trigger), so this test commits for real."""
    before, _ = ContentVersion.current()
    incident = IncidentFactory()
    after_create, changed_at = ContentVersion.current()
    assert after_create > before and changed_at
    Incident.objects.filter(pk=incident.pk).update(title="Renamed")
    assert ContentVersion.current()[0] > after_create
    moved = ContentVersion.current()[0]
    ArticleFactory()  # a stored article is not shown until the pipeline processes it
    assert ContentVersion.current()[0] == moved
