"""Golden summaries of real incidents from the recorded payloads, for each backend.

The recorded feeds are stored, clustered and summarised through the production path; each chosen
incident's summary must equal its golden file under tests/incidents/summaries/golden/. After an intended change
to the writer, regenerate them with OUTAGEHUB_UPDATE_GOLDEN=1 and read the diff before committing.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article
from incidents.catalogue_store import current_catalogue
from incidents.models import Incident
from incidents.pipeline import process_article
from incidents.summaries.brief import missing_parts
from incidents.summaries.faithfulness import unsupported_claims
from incidents.summaries.llm import build_messages
from incidents.summaries.service import brief_for, stored_summary, write_summary
from tests.factories import SourceFactory
from tests.httpserver import FIXTURES_DIR

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("OUTAGEHUB_UPDATE_GOLDEN") == "1"
# Written as if a day after each incident's last source, so "as of" wording is stable.
AS_OF = {
    "cloudflare-2025-11-18": datetime(2025, 11, 21, 12, 0, tzinfo=UTC),
    "github-actions-2019-11-20": datetime(2019, 11, 21, 12, 0, tzinfo=UTC),
    "bigquery-2022-07-01": datetime(2022, 7, 2, 12, 0, tzinfo=UTC),
}
RECORDED = [
    # (source name, kind, vendor_name, fixture, items published since: the chosen incidents and the
    # 30 days before them, which their history sentence counts)
    ("Ars Technica", "feed", "", "technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss", None),
    ("Ars Technica RCA", "feed", "", "technews/arstechnica-feed-2025-11-20-cloudflare-outage-rca.rss", None),
    ("GitHub status", "statuspage_feed", "GitHub", "statuspage/githubstatus-history-2019-11-22.atom", None),
    ("Google Cloud status", "gcp", "Google Cloud", "gcp/gcp-status-incidents-2022-07-03.json",
     datetime(2022, 5, 25, tzinfo=UTC)),
]


@pytest.fixture
def recorded_incidents():
    """Every recorded payload above, stored and clustered in publication order, as the workers would."""
    for name, kind, vendor, fixture, since in RECORDED:
        source = SourceFactory(name=name, kind=kind, vendor_name=vendor)
        items = [item for item in parse_payload(kind, (FIXTURES_DIR / fixture).read_bytes())
                 if since is None or item.published_at >= since]
        store_items(source, items, fetched_at=datetime(2026, 1, 1, tzinfo=UTC), scrape_teasers=False)
    for article_id in Article.objects.order_by("published_at", "pk").values_list("pk", flat=True):
        process_article(article_id)
    return {
        "cloudflare-2025-11-18": Incident.objects.get(slug__startswith="2025-11-18-widespread-cloudflare-outage"),
        "github-actions-2019-11-20": Incident.objects.get(slug="2019-11-20-incident-on-2019-11-20-0119-utc"),
        "bigquery-2022-07-01": Incident.objects.get(slug__startswith="2022-07-01-google-bigquery-lower-throughput"),
    }


def ref_names(incident: Incident) -> dict[str, str]:
    brief = brief_for(incident)
    names = {s.ref: f"{s.kind} {s.publisher} {s.published_at:%Y-%m-%dT%H:%M}" for s in brief.sources}
    return names | {r.ref: f"earlier incident {r.slug}" for r in brief.related}


def readable(incident: Incident) -> dict:
    """The summary with refs turned into what they name, so golden files survive renumbered rows."""
    names = ref_names(incident)

    def statement(data: dict) -> dict:
        return {**data, "citations": [names.get(ref, ref) for ref in data["citations"]]}

    return {"why_this_matters": [statement(s) for s in incident.summary.why_this_matters],
            "takeaways": [statement(s) for s in incident.summary.takeaways]}


def assert_golden(name: str, produced) -> None:
    path = GOLDEN / name
    # Sorted keys: PostgreSQL's jsonb keeps a statement's keys in its own order.
    text = produced if isinstance(produced, str) else json.dumps(produced, ensure_ascii=False, indent=1,
                                                                 sort_keys=True) + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}; see the module docstring"


@pytest.mark.parametrize("name", sorted(AS_OF))
def test_the_offline_summary_of_a_real_incident_matches_its_golden_file(recorded_incidents, name):
    incident = recorded_incidents[name]
    assert write_summary(incident.pk, now=AS_OF[name]) == "written"
    incident.refresh_from_db()
    summary = stored_summary(incident.summary)
    brief = brief_for(incident, now=AS_OF[name])
    assert missing_parts(summary) == []
    assert unsupported_claims(summary, brief, current_catalogue()) == []
    assert_golden(f"offline-{name}.json", readable(incident))


def test_the_llm_request_for_a_real_incident_matches_its_golden_prompt(recorded_incidents):
    incident = recorded_incidents["github-actions-2019-11-20"]
    messages = build_messages(brief_for(incident, now=AS_OF["github-actions-2019-11-20"]))
    prompt = messages[-1]["content"]
    for ref, name in sorted(ref_names(incident).items(), key=lambda item: -len(item[0])):
        prompt = prompt.replace(ref, f"<{name}>")
    assert_golden("llm-prompt-github-actions-2019-11-20.txt", prompt)


def test_the_llm_summary_of_a_real_incident_is_used_when_it_checks_out(recorded_incidents, llm_server, settings):
    incident = recorded_incidents["github-actions-2019-11-20"]
    brief = brief_for(incident, now=AS_OF["github-actions-2019-11-20"])
    first, last = brief.updates[0], brief.updates[-1]
    llm_server.answer(json.dumps({
        "why_this_matters": [
            {"text": "GitHub Actions had problems for 2 h 6 min, from 01:19 to 03:25 UTC on 20 Nov 2019.",
             "citations": [first.ref, last.ref]},
            {"text": "GitHub reported errors starting runs for Actions workflows.", "citations": [first.ref]},
        ],
        "takeaways": [
            {"text": "Affected: GitHub Actions (GitHub).", "citations": [first.ref], "kind": "scope"},
            {"text": "GitHub acknowledged it at 01:19 UTC on 20 Nov 2019.", "citations": [first.ref],
             "kind": "acknowledgement"},
            {"text": "Resolved at 03:25 UTC on 20 Nov 2019, 2 h 6 min after it began.", "citations": [last.ref],
             "kind": "resolution"},
        ],
    }))
    settings.OUTAGEHUB_SUMMARY_BACKEND = "llm"
    settings.OUTAGEHUB_LLM_BASE_URL = llm_server.base_url
    settings.OUTAGEHUB_LLM_MODEL = "llama3.1:8b"
    assert write_summary(incident.pk, now=AS_OF["github-actions-2019-11-20"]) == "written"
    incident.refresh_from_db()
    assert incident.summary.backend == "llm:llama3.1:8b" and incident.summary.notes == []
    assert_golden("llm-github-actions-2019-11-20.json", readable(incident))


def test_an_llm_summary_with_an_invented_fact_is_replaced_by_the_offline_one(recorded_incidents, llm_server, settings):
    incident = recorded_incidents["github-actions-2019-11-20"]
    brief = brief_for(incident, now=AS_OF["github-actions-2019-11-20"])
    first = brief.updates[0]
    invented = {"text": "About 40,000 workflows failed in us-west-2.", "citations": [first.ref]}
    llm_server.answer(json.dumps({
        "why_this_matters": [invented, {"text": "GitHub Actions had problems.", "citations": [first.ref]}],
        "takeaways": [{"text": "Affected: GitHub Actions (GitHub).", "citations": [first.ref]}] * 3,
    }))
    settings.OUTAGEHUB_SUMMARY_BACKEND = "llm"
    settings.OUTAGEHUB_LLM_BASE_URL = llm_server.base_url
    settings.OUTAGEHUB_LLM_MODEL = "llama3.1:8b"
    write_summary(incident.pk, now=AS_OF["github-actions-2019-11-20"])
    incident.refresh_from_db()
    assert incident.summary.backend == "offline"
    [note] = incident.summary.notes
    assert "faithfulness check" in note and '"40,000"' in note and "us-west-2" in note
    offline = GOLDEN / "offline-github-actions-2019-11-20.json"
    assert readable(incident) == json.loads(offline.read_text(encoding="utf-8"))


def test_an_llm_endpoint_that_is_down_leaves_the_offline_summary_with_the_reason(recorded_incidents, settings):
    incident = recorded_incidents["bigquery-2022-07-01"]
    settings.OUTAGEHUB_SUMMARY_BACKEND = "llm"
    settings.OUTAGEHUB_LLM_BASE_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    settings.OUTAGEHUB_LLM_MODEL = "llama3.1:8b"
    write_summary(incident.pk, now=AS_OF["bigquery-2022-07-01"])
    incident.refresh_from_db()
    assert incident.summary.backend == "offline"
    assert incident.summary.notes[0].startswith("LLM answer not used:")
    assert "127.0.0.1:9" in incident.summary.notes[0]
