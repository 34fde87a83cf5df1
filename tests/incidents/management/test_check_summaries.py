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


CAUSE = "A configuration file crashed the software that routes traffic across its network."
VENDOR_SAID = "Cloudflare said a configuration file crashed the software that routes traffic across its network."


def summarise(first_sentence: str) -> Incident:
    press = SourceFactory(name="Ars Technica")
    body = f"<p>{first_sentence} Websites behind Cloudflare showed \"500 Internal Server Error\" pages to visitors.</p>"
    item = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike", content_html=body,
                       summary_html="", published_at=T0)
    incident_id = process_article(stored(press, item).pk).incident_id
    write_summary(incident_id)
    return Incident.objects.get(pk=incident_id)


@pytest.fixture
def summarised():
    return summarise(CAUSE)


def test_json_gives_the_totals_and_each_incidents_summary_with_the_documented_keys(summarised, capsys):
    call_command("check_summaries", "--json")
    report = json.loads(capsys.readouterr().out)
    totals = ("incidents", "unsupported_claims", "wrong_role_claims", "missing_parts")
    assert tuple(report[key] for key in totals) == (1, 0, 0, 0)
    [detail] = report["details"]
    assert set(detail) >= {"incident", "title", "why_this_matters", "takeaways", "unsupported", "wrong_role",
                           "missing"}
    assert detail["incident"] == summarised.slug and detail["why_this_matters"].startswith("Cloudflare")
    assert all(t["text"] and t["citations"] for t in detail["takeaways"])


def test_an_invented_claim_and_a_missing_part_are_reported_and_fail_the_command(summarised, capsys):
    row = summarised.summary
    # An editor's text that cites a real source for a number no source states, and two takeaways too few.
    ref = row.takeaways[0]["citations"][0]
    Summary.objects.filter(pk=row.pk).update(takeaways=[{"text": "About 40,000 sites were down.", "citations": [ref]}])
    with pytest.raises(CommandError, match="1 unsupported claims, 0 claims in a wrong role, 1 missing parts"):
        call_command("check_summaries")
    out = capsys.readouterr().out
    assert 'unsupported: number "40,000"' in out and "missing: takeaways: 1, expected 3-6" in out
    assert out.strip().endswith("checked 1 incident summaries: 1 unsupported claims, 0 claims in a wrong role, "
                                "1 missing parts")


def test_a_claim_in_a_wrong_role_is_counted_and_listed_with_incident_claim_and_why(capsys):
    # Every word is in the cited article, so the literal check passes; but the sentence is the cause, not a
    # workaround, and the article reports Cloudflare speaking, so "No acknowledgement" is false.
    summarised = summarise(VENDOR_SAID)
    row = summarised.summary
    ref = row.takeaways[0]["citations"][0]
    cause = VENDOR_SAID
    Summary.objects.filter(pk=row.pk).update(why_this_matters=[], takeaways=[
        {"text": f"Workaround: \u201c{cause}\u201d (Ars Technica)", "citations": [ref], "kind": "workaround"},
        {"text": "No acknowledgement from Cloudflare among the sources.", "citations": [ref]},
        row.takeaways[0], row.takeaways[2],  # the scope and the errors: not the writer's own acknowledgement
    ])
    with pytest.raises(CommandError, match="0 unsupported claims, 2 claims in a wrong role, 1 missing parts"):
        call_command("check_summaries", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["unsupported_claims"], report["wrong_role_claims"]) == (0, 2)
    [detail] = report["details"]
    assert [(c["kind"], c["claim"]) for c in detail["wrong_role"]] == [
        ("not_a_workaround", cause), ("contradicted_unacknowledged", "No acknowledgement")]
    assert "Cloudflare said a configuration file" in detail["wrong_role"][1]["why"]
    with pytest.raises(CommandError):
        call_command("check_summaries")
    out = capsys.readouterr().out
    assert f"[1/1] {summarised.slug}" in out
    assert 'wrong role (not a workaround): "Cloudflare said a configuration file' in out


def test_an_incident_without_a_summary_yet_is_a_missing_part(capsys):
    press = SourceFactory(name="Ars Technica")
    item = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike", published_at=T0)
    process_article(stored(press, item).pk)
    with pytest.raises(CommandError):
        call_command("check_summaries", "--json")
    [detail] = json.loads(capsys.readouterr().out)["details"]
    assert detail["missing"][0].startswith("summary: none written yet")
