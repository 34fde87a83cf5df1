import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from tests.incidents.extraction.test_outage_model import trainer

ROWS = [
    {"id": "a1", "title": "Widespread Cloudflare outage blamed on mysterious traffic spike",
     "text": "Cloudflare's network failed on Tuesday and websites showed 500 errors to visitors.",
     "url": "https://news.example/a1", "published": "2025-11-18T12:30:00Z", "source": "Ars", "gold_event_id": "cf"},
    {"id": "a2", "title": "Cloudflare outage takes down X, ChatGPT and thousands of websites",
     "text": "A Cloudflare outage on Tuesday made many websites unreachable; users saw 500 errors.",
     "url": "https://other.example/a2", "published": "2025-11-18T13:05:00Z", "source": "Other",
     "gold_event_id": "cf"},
    {"id": "a3", "title": "Apple reports record quarterly revenue", "text": "Revenue grew 8 percent.",
     "url": "https://news.example/a3", "published": "2025-11-18T14:00:00Z", "source": "Ars", "gold_event_id": None},
    {"id": "github_status:1", "title": "Incident with Codespaces", "url": "https://www.githubstatus.com/incidents/abc123",
     "started_at": "2022-03-26T01:43:00Z", "resolved_at": "2022-03-26T03:35:00Z", "impact": "minor",
     "components": ["Codespaces"], "updates": [
         {"at": "2022-03-26T01:43:00Z", "status": "Investigating", "message": "We are investigating reports of "
          "degraded performance for Codespaces."},
         {"at": "2022-03-26T02:20:00Z", "status": "Update", "message": "We are still investigating."},
         {"at": "2022-03-26T03:35:00Z", "status": "Resolved", "message": "This incident has been resolved."}]},
]


@pytest.fixture
def labelled_file(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in ROWS) + "\n")
    return path


@pytest.mark.django_db
def test_it_replays_on_a_throwaway_database_and_prints_the_figures_as_json(labelled_file, capsys):
    call_command("cluster_eval", str(labelled_file), "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["items"] == 4 and figures["scored_items"] == 3
    assert figures["outage_detection"]["precision"] == 1.0 and figures["outage_detection"]["recall"] == 1.0
    assert figures["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert set(figures["pairwise"]) == {"precision", "recall", "f1"}
    assert figures["incidents"] == 2 and figures["items_per_second"] > 0
    assert figures["lifecycle"]["right"] == 1
    assert not Article.objects.exists()  # nothing touched the real (here: test) database


def test_all_relevant_has_no_detection_figure(labelled_file, capsys):
    call_command("cluster_eval", str(labelled_file), "--all-relevant", "--json")
    assert json.loads(capsys.readouterr().out)["outage_detection"] is None


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("cluster_eval", str(tmp_path / "nope.jsonl"))


EVAL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "eval"


def test_several_files_replay_as_one_stream_with_the_vendor_incidents_lifecycle(capsys):
    call_command("cluster_eval", str(EVAL_FIXTURES / "workers-kv-status.jsonl"),
                 str(EVAL_FIXTURES / "workers-kv-news.jsonl"), "--json")
    figures = json.loads(capsys.readouterr().out)
    assert (figures["items"], figures["scored_items"], figures["incidents"]) == (4, 4, 1)
    assert figures["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert figures["status_replay"] == {"vendor_incidents": 1, "in_one_incident": 1, "status_of_newest_update": 1,
                                        "updates": 3, "updates_stored": 3}


def test_titles_only_reaches_the_replay(capsys):
    call_command("cluster_eval", str(EVAL_FIXTURES / "workers-kv-news.jsonl"), "--titles-only")
    out = capsys.readouterr().out
    assert "workers-kv-news.jsonl: 2 items" in out
    assert "1 vendor incidents: 1 in one incident" in out


def test_an_id_in_two_files_is_a_clear_error(labelled_file, tmp_path):
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps(ROWS[0]) + "\n")
    with pytest.raises(CommandError, match="'a1' is already a row of"):
        call_command("cluster_eval", str(labelled_file), str(again), "--json")


@pytest.fixture
def inverted_model(tmp_path):
    """A tiny artefact trained to call outage headlines news and news headlines outages: any decision
    it changes shows that the replay asked it, not the shipped model."""
    t = trainer()
    examples = []
    for day, (outage, other) in enumerate([
        ("Zyntrix is down for thousands of users", "Zyntrix launches a new tablet"),
        ("Outage hits Plinko Chat as users report errors", "Plinko Chat raises $40 million"),
        ("Quillbox back online after a long outage", "Quillbox review: a fine phone"),
    ]):
        group = f"2025-01-0{day + 1}"
        examples.append(t.Example(outage, "Users could not log in.", False, False, group, "fixture"))
        examples.append(t.Example(other, "The company said on Tuesday.", False, True, group, "fixture"))
    path = tmp_path / "inverted-model.json"
    path.write_text(json.dumps(t.build(t.Matrix(t.with_title_only_copies(examples)), top=40)))
    return path


def test_model_scores_the_replay_with_another_artefact(tmp_path, inverted_model, capsys):
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(json.dumps(row) for row in [
        {"id": "n1", "title": "Zyntrix is down for thousands of users", "text": "", "url": "https://news.example/n1",
         "published": "2025-03-01T10:00:00Z", "source": "Ars", "gold_event_id": "zyntrix"},
        {"id": "n2", "title": "Zyntrix launches a new tablet", "text": "", "url": "https://news.example/n2",
         "published": "2025-03-01T11:00:00Z", "source": "Ars", "gold_event_id": None},
    ]) + "\n")
    call_command("cluster_eval", str(stream), "--json")
    shipped = json.loads(capsys.readouterr().out)["outage_detection"]
    call_command("cluster_eval", str(stream), "--json", "--model", str(inverted_model))
    inverted = json.loads(capsys.readouterr().out)["outage_detection"]
    assert (shipped["true_positives"], shipped["false_positives"]) == (1, 0)
    assert (inverted["true_positives"], inverted["false_positives"], inverted["false_negatives"]) == (0, 1, 1)


def test_a_model_that_is_no_artefact_is_a_clear_error(labelled_file, tmp_path):
    with pytest.raises(CommandError, match="not an outage-model artefact"):
        call_command("cluster_eval", str(labelled_file), "--model", str(tmp_path / "nope.json"))
