"""What clustering knows about an article: cleaned, bounded text, its facts, and its retrieval keys."""

from datetime import UTC, datetime

import pytest

from incidents.clustering import signals
from incidents.clustering.text_features import stem

T0 = datetime(2024, 7, 19, 9, 0, tzinfo=UTC)
OUTLOOK_DOWN = (
    "Microsoft Outlook down for thousands of users",
    "Users across Europe could not send or receive mail in Outlook and Exchange Online on Friday morning. "
    "Microsoft said it was investigating elevated error rates and rolled back a recent configuration change.",
)


def news(item_id, title, body, at=T0, **facts):
    return signals.signals(item_id, title, body, at, **facts)


def test_published_at_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        signals.signals("x", "t", "b", datetime(2024, 1, 1))


def test_retrieval_keys_are_bounded_and_name_the_facts_first():
    s = news("n1", *OUTLOOK_DOWN, vendors=[f"vendor-{i}" for i in range(20)], services=["exchange-online"],
             incident_ids=["EX812345"], error_messages=["550 5.7.1 Service unavailable"])
    keys = signals.retrieval_keys(s)
    assert len(keys) <= signals.MAX_KEYS
    assert {"id:EX812345", "service:exchange-online"} <= keys
    assert any(k.startswith("term:") for k in keys)  # room is always left for a couple of text keys


def test_retrieval_keys_for_text_outside_the_catalogue_are_salient_terms():
    s = news("n1", "Fortnite servers down for thousands of players",
             "Epic Games said Fortnite matchmaking was failing worldwide on Tuesday evening.")
    keys = signals.retrieval_keys(s)
    assert f"term:{stem('fortnite')}" in keys  # keys hold stems, so "Fortnite's" finds it too
    assert 0 < len(keys) <= signals.MAX_KEYS


def test_html_remnants_are_stripped():
    s = signals.signals("h", "Outage&nbsp;<b>update</b>",
                  "<p>Service&amp;API down</p><script>var tracker = 'zzqtracker';</script><!-- zzqcomment -->", T0)
    assert s.title == "Outage update"
    assert "zzqtracker" not in s.terms and "zzqcomment" not in s.terms
    assert "api" in s.terms
