"""bench.clustering's kept archive: what a run's articles joined is seeded back as it was."""

import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench import clustering
from incidents.models import Incident, Membership
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)  # seeding vacuums on PostgreSQL, outside any transaction


def as_seeded(incident: Incident) -> tuple:
    return (incident.slug, incident.title, incident.vendor_id, incident.started_at,
            sorted(incident.services.values_list("pk", flat=True)),
            sorted(incident.keys.values_list("key", "last_seen_at")))


def test_the_seeded_incidents_a_run_joined_come_back_as_they_were():
    call_command("load_catalogue", verbosity=0)  # an earlier transactional test may have flushed it
    archive = clustering.Archive(clustering.load_companies(), timezone.now())
    clustering.seed(archive, 30, random.Random("test"))
    joined, opened = Incident.objects.order_by("?")[:2]
    before = as_seeded(joined)
    source = SourceFactory(slug="bench-wire-0")
    Membership.objects.create(article=ArticleFactory(source=source), incident=joined)
    Incident.objects.filter(pk=opened.pk).update(slug=f"{opened.slug}-x")  # not a seeded slug: opened by a run
    Membership.objects.create(article=ArticleFactory(source=source), incident=opened)

    clustering.clear_earlier_runs(archive)
    assert archive.incidents == 28 and [number for number, _ in archive.restore] == [int(joined.slug.split("-")[-1])]
    clustering.seed(archive, 2, random.Random("later"))

    assert archive.incidents == Incident.objects.count() == 30
    assert as_seeded(Incident.objects.get(slug=joined.slug)) == before
    assert not Incident.objects.filter(slug__startswith=opened.slug).exists()
