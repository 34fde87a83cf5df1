"""The tasks' hand-off when the broker is down: nothing raised, nothing lost."""

import pytest

from articles import pending
from articles.tasks import hand_on
from tests.factories import ArticleFactory
from tests.resilience.services import free_port, publishing_to

pytestmark = pytest.mark.django_db


def test_a_broker_that_refuses_the_message_leaves_the_articles_pending_for_the_sweep(caplog):
    article = ArticleFactory()
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"
    with publishing_to(nobody_listens, None, {}):
        hand_on(pending.PendingWork(to_process=[article.pk]))  # retried for a few seconds, then given up
    assert "the broker refused a message" in caplog.text
    assert "1 articles stay pending" in caplog.text
    article.refresh_from_db()
    assert article.pending_since is not None
