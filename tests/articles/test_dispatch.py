from datetime import timedelta

import pytest
from django.utils import timezone

from articles.dispatch import reap_stale_claims, take_due_sources
from articles.models import FetchAttempt, Source
from tests.factories import FetchAttemptFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_it_takes_due_sources_and_leaves_the_rest():
    now = timezone.now()
    due = SourceFactory(next_fetch_at=now - timedelta(seconds=1))
    SourceFactory(next_fetch_at=now + timedelta(minutes=5))
    SourceFactory(next_fetch_at=now - timedelta(minutes=1), enabled=False)
    SourceFactory(next_fetch_at=now - timedelta(minutes=1), health="gave_up")
    SourceFactory(next_fetch_at=now - timedelta(minutes=1), claimed_at=now)
    assert take_due_sources(now).enqueued == [due.pk]


def test_a_second_dispatcher_finds_nothing_left_to_enqueue():
    now = timezone.now()
    SourceFactory.create_batch(3, next_fetch_at=now - timedelta(seconds=5))
    first = take_due_sources(now)
    second = take_due_sources(now)  # e.g. a second beat process started by mistake
    assert len(first.enqueued) == 3 and second.enqueued == []


def test_a_leased_source_that_never_ran_becomes_due_again():
    now = timezone.now()
    source = SourceFactory(next_fetch_at=now)
    take_due_sources(now)
    assert take_due_sources(now + timedelta(minutes=1)).enqueued == []
    assert take_due_sources(now + timedelta(minutes=10)).enqueued == [source.pk]


def test_sources_sharing_a_host_are_deferred_beyond_the_per_host_budget(settings):
    settings.OUTAGEHUB_HOST_BUDGET_PER_MINUTE = 2
    now = timezone.now()
    shared = [SourceFactory(url=f"https://shared.statuspage.example/{n}", next_fetch_at=now) for n in range(5)]
    other = SourceFactory(url="https://other.example/feed", next_fetch_at=now)
    result = take_due_sources(now)
    assert len([pk for pk in result.enqueued if pk != other.pk]) == 2 and other.pk in result.enqueued
    assert result.deferred == 3
    deferred = Source.objects.filter(pk__in=[s.pk for s in shared]).exclude(pk__in=result.enqueued)
    assert all(s.next_fetch_at > now and s.consecutive_failures == 0 for s in deferred)


def test_fetches_already_started_this_minute_count_against_the_host_budget(settings):
    settings.OUTAGEHUB_HOST_BUDGET_PER_MINUTE = 2
    now = timezone.now()
    for n in (1, 2):
        SourceFactory(url=f"https://busy.example/{n}", last_fetch_at=now - timedelta(seconds=20),
                      next_fetch_at=now + timedelta(minutes=5))
    SourceFactory(url="https://busy.example/3", next_fetch_at=now)
    assert take_due_sources(now).enqueued == []


def test_the_reaper_frees_claims_of_dead_workers_and_keeps_the_attempt_count():
    now = timezone.now()
    dead = SourceFactory(claimed_at=now - timedelta(hours=1), claim_token="x", pending_attempts=2,
                         next_fetch_at=now + timedelta(hours=1))
    busy = SourceFactory(claimed_at=now - timedelta(seconds=10), claim_token="y")
    assert reap_stale_claims(now) == 1
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.claimed_at is None and dead.next_fetch_at == now and dead.pending_attempts == 2
    assert busy.claimed_at is not None


def test_the_reaper_prunes_old_attempts():
    now = timezone.now()
    FetchAttemptFactory(started_at=now - timedelta(days=60))
    recent = FetchAttemptFactory(started_at=now - timedelta(days=1))
    reap_stale_claims(now)
    assert list(FetchAttempt.objects.all()) == [recent]


def test_a_tick_takes_a_source_due_before_the_midpoint_to_the_next_tick(settings):
    settings.OUTAGEHUB_DISPATCH_PERIOD = 60
    now = timezone.now()
    just_late = SourceFactory(next_fetch_at=now + timedelta(seconds=25))  # would wait a whole minute
    SourceFactory(next_fetch_at=now + timedelta(seconds=35))  # nearer the next tick: left to it
    assert take_due_sources(now).enqueued == [just_late.pk]
