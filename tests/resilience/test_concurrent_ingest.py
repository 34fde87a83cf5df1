"""Four workers ingest one recorded corpus at once: the incidents they build are those one process
builds from it alone (each source polled in turn, then its articles processed in order, as
`fetch_sources --sync` does), compared as sets of articles per incident."""

import pytest
from django.utils import timezone

from articles.models import Article, Source
from articles.polling import poll_source
from incidents.models import Incident, Membership
from incidents.pipeline import process_pending
from tests.resilience import corpus
from tests.resilience.services import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]


def incidents_as_article_sets() -> set[frozenset[tuple[str, str]]]:
    """Each incident as the set of its articles, an article named by its source's URL and its id in the
    source: what stays the same from one ingest to the next whatever the row ids."""
    members: dict[int, set[tuple[str, str]]] = {}
    for incident_id, url, external_id in Membership.objects.values_list(
            "incident_id", "article__source__url", "article__external_id"):
        members.setdefault(incident_id, set()).add((url, external_id))
    return {frozenset(articles) for articles in members.values()}


def forget_everything_ingested() -> None:
    Incident.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.update(body_hash="", etag="", last_modified="", next_fetch_at=timezone.now(),
                          last_success_at=None)


def test_four_workers_build_the_incidents_one_process_builds_alone(cluster, gated_server, capsys):
    sources = corpus.add_sources(gated_server, corpus.MIXED)
    for source in sources.values():
        poll_source(source.pk)
    assert process_pending([source.pk for source in sources.values()], warn=pytest.fail)[1] == 0
    alone = incidents_as_article_sets()
    stored_alone = Article.objects.count()
    assert len(alone) > 10

    forget_everything_ingested()
    workers = [cluster.worker(f"worker-{n}", wait=False) for n in range(4)]
    for worker in workers:
        wait_for(lambda w=worker: " ready." in w.log(), f"{worker.name} to start", processes=tuple(workers))
    corpus.fetch(*sources.values())
    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == len(sources)
             and not Article.objects.filter(pending_since__isnull=False).exists(),
             "the four workers to fetch and process the corpus", processes=tuple(workers))

    together = incidents_as_article_sets()
    assert Article.objects.count() == stored_alone
    assert together == alone, (f"{len(alone ^ together)} incidents differ: "
                               f"only alone {sorted(map(sorted, alone - together))}, "
                               f"only together {sorted(map(sorted, together - alone))}")
    busy = sum(1 for worker in workers if "process_article[" in worker.log())
    with capsys.disabled():
        print(f"\n[resilience] four workers ({busy} of them clustered): {len(together)} incidents from "
              f"{stored_alone} articles, as one process alone")
