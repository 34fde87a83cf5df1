import pytest

from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_front_page_lists_latest_items_and_source_health_in_constant_queries(
    client, django_assert_num_queries
):
    SourceFactory(name="Broken feed", health="failing", consecutive_failures=3, last_error="HTTP 500 from x")
    ArticleFactory.create_batch(5, title="Cloudflare outage <script>alert(1)</script>")
    with django_assert_num_queries(2):
        response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Cloudflare outage &lt;script&gt;") == 5 and "<script>alert" not in body
    assert "HTTP 500 from x" in body and "3 failures" in body
