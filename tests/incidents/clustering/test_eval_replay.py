import json
from pathlib import Path

import pytest

from articles.models import Article, Source, StatusUpdate
from incidents.clustering.eval_replay import replay
from incidents.models import Incident

EVAL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "eval"
pytestmark = pytest.mark.django_db


def rows_of(*names: str) -> list[dict]:
    return [json.loads(line) for name in names for line in (EVAL_FIXTURES / name).read_text().splitlines()]


def test_the_updates_of_a_vendor_incident_replay_as_one_post_with_its_lifecycle():
    result = replay(rows_of("workers-kv-status.jsonl", "workers-kv-news.jsonl"))

    status_posts = Article.objects.filter(kind="status")
    assert status_posts.count() == 1  # three snapshots of one incident, not three posts
    post = status_posts.get()
    assert (post.source.kind, post.source.vendor_name) == ("statuspage", "Cloudflare")
    assert (post.external_id, post.vendor_incident_id) == ("kvtest01", "kvtest01")
    assert post.vendor_status == "monitoring"  # the newest update's, though its row came before update 2
    assert list(StatusUpdate.objects.filter(article=post).values_list("key", "status")) == [
        ("upd1", "investigating"), ("upd2", "identified"), ("upd3", "monitoring")]

    incident = Incident.objects.get()
    assert incident.status == "monitoring"
    assert set(result.assignment.values()) == {incident.pk}  # the news item joined the vendor's incident
    assert result.status_replay == {"vendor_incidents": 1, "in_one_incident": 1, "status_of_newest_update": 1,
                                    "updates": 3, "updates_stored": 3}


def test_rows_of_several_files_are_replayed_in_one_time_order():
    replay(rows_of("workers-kv-status.jsonl", "workers-kv-news.jsonl"))

    # The news item, last in the files but first in time, was stored first.
    first, second = Article.objects.order_by("pk")
    assert (first.external_id, second.external_id) == ("news-kv-1", "kvtest01")
    assert second.last_changed_at.isoformat() == "2030-01-15T11:15:00+00:00"  # update 3 came last


def test_a_vendor_page_shows_the_vendors_other_incidents_too():
    first = rows_of("workers-kv-status.jsonl")[0]
    other = {**first, "id": "cf-other-1", "title": "Dashboard login issues", "published": "2030-01-15T10:30:00Z",
             "text": "Some users cannot log in to the dashboard.", "url": "https://stspg.io/other01",
             "gold_event_id": "other", "meta": {**first["meta"], "incident_id": "other01", "update_id": "o1",
                                                "components": ["Dashboard"]}}
    result = replay([first, other])

    assert Source.objects.filter(kind="statuspage").count() == 1  # one page of the vendor
    assert set(Article.objects.values_list("external_id", flat=True)) == {"kvtest01", "other01"}
    assert StatusUpdate.objects.count() == 2  # the second snapshot listed the first incident unchanged
    assert result.status_replay["vendor_incidents"] == 2


def test_titles_only_drops_the_text_of_news_items_only():
    replay(rows_of("workers-kv-status.jsonl", "workers-kv-news.jsonl"), titles_only=True)

    news = Article.objects.get(kind="news")
    assert news.title == "Cloudflare Workers KV outage breaks thousands of websites"
    assert (news.body_text, news.summary_text) == ("", "")
    assert StatusUpdate.objects.filter(text__contains="Workers KV").count() == 3  # a status page keeps its text


def test_without_titles_only_the_text_is_kept():
    replay(rows_of("workers-kv-news.jsonl"))

    assert "sites built on Cloudflare Workers" in Article.objects.get(kind="news").body_text
