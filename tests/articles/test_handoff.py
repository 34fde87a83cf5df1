"""Stored articles go on through articles.handoff; the incidents app is what consumes them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from articles import handoff
from incidents import tasks


def test_the_incidents_app_registers_itself_as_the_consumer_when_django_starts():
    consumer = handoff._registered()
    assert consumer.queue is tasks.queue_articles and consumer.run_now is tasks.run_now


def test_without_a_consumer_handing_on_says_what_to_install(monkeypatch):
    monkeypatch.setattr(handoff, "_consumer", None)
    with pytest.raises(ImproperlyConfigured, match="INSTALLED_APPS"):
        handoff.queue([1])


def test_nothing_to_hand_on_calls_nobody(monkeypatch):
    calls = []
    monkeypatch.setattr(handoff, "_consumer", handoff.Consumer(queue=calls.append, run_now=lambda ids, warn: ""))
    handoff.queue([])
    handoff.queue([3, 4])
    assert calls == [[3, 4]]
