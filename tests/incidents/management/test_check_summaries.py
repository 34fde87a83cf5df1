import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from incidents.models import Incident, Summary
from incidents.pipeline import process_article
from incidents.summaries.service import write_summary
from tests.factories import ItemFactory, SourceFactory, stored

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)


@pytest.fixture
def summarised():
    press = SourceFactory(name="Ars Technica")
    body = ("<p>Cloudflare said a configuration file crashed the software that routes traffic across its network. "
            "Websites behind Cloudflare showed \"500 Internal Server Error\" pages to visitors.</p>")
    item = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike", content_html=body,
                       summary_html="", published_at=T0)
    incident_id = process_article(stored(press, item).pk).incident_id
    write_summary(incident_id)
    return Incident.objects.get(pk=incident_id)


def test_json_gives_the_totals_and_each_incidents_summary_with_the_documented_keys(summarised, capsys):
    call_command("check_summaries", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["incidents"], report["unsupported_claims"], report["missing_parts"]) == (1, 0, 0)
    [detail] = report["details"]
    assert set(detail) >= {"incident", "title", "why_this_matters", "takeaways", "unsupported", "missing"}
    assert detail["incident"] == summarised.slug and detail["why_this_matters"].startswith("Cloudflare")
    assert all(t["text"] and t["citations"] for t in detail["takeaways"])


def test_an_invented_claim_and_a_missing_part_are_reported_and_fail_the_command(summarised, capsys):
    row = summarised.summary
    # An editor's text that cites a real source for a number no source states, and two takeaways too few.
    ref = row.takeaways[0]["citations"][0]
    Summary.objects.filter(pk=row.pk).update(takeaways=[{"text": "About 40,000 sites were down.", "citations": [ref]}])
    with pytest.raises(CommandError, match="1 unsupported claims, 1 missing parts"):
        call_command("check_summaries")
    out = capsys.readouterr().out
    assert 'unsupported: number "40,000"' in out and "missing: takeaways: 1, expected 3-6" in out
    assert out.strip().endswith("checked 1 incident summaries: 1 unsupported claims, 1 missing parts")


def test_an_incident_without_a_summary_yet_is_a_missing_part(capsys):
    press = SourceFactory(name="Ars Technica")
    item = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike", published_at=T0)
    process_article(stored(press, item).pk)
    with pytest.raises(CommandError):
        call_command("check_summaries", "--json")
    [detail] = json.loads(capsys.readouterr().out)["details"]
    assert detail["missing"][0].startswith("summary: none written yet")
