"""incidents.extraction.outage_model: the learned outage detector and its shipped artefact.

Headlines are made up (no name of the training data): the model must decide from the grammar and
words of an outage report, from a title alone as well as with a body.
"""

import importlib.util
import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path

import pytest

from incidents.extraction import outage_model, relevance
from incidents.extraction.outage_model import MODEL_PATH, features, fingerprint, score, shipped_model

ROOT = Path(__file__).resolve().parents[3]
MAX_ARTEFACT_BYTES = 300_000


@cache
def trainer():
    """scripts/train_outage_model.py as a module (scikit-learn is a dev requirement)."""
    spec = importlib.util.spec_from_file_location("train_outage_model", ROOT / "scripts" / "train_outage_model.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


# --- the artefact ---------------------------------------------------------------------------------------

def test_the_shipped_artefact_loads_and_is_small():
    model = shipped_model()
    assert 0.0 < model.threshold < 1.0
    assert 0 < len(model.weights) <= trainer().TOP_FEATURES
    assert MODEL_PATH.stat().st_size < MAX_ARTEFACT_BYTES


def test_the_artefact_was_trained_on_the_committed_training_data():
    # Fails when a training file, the feature code's version or relevance.py's rule table changed
    # without `make model`.
    files = trainer().training_files()
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["training"]["files"] == sorted(path.name for path in files)
    assert data["feature_version"] == outage_model.FEATURE_VERSION
    assert shipped_model().fingerprint == fingerprint(files)


def test_the_artefact_was_trained_on_the_features_the_code_makes_today():
    # Fails when the code behind the features (this module, relevance's cues, the subject finder,
    # text cleaning) changed what it makes without `make model`.
    t = trainer()
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    probes = t.probe_items(t.with_title_only_copies(t.load_examples()))
    assert data["training"]["features_digest"] == outage_model.features_digest(probes)


def test_the_features_digest_sees_a_changed_feature(monkeypatch):
    probes = [("Zyntrix is down", "Users cannot log in.", False)]
    before = outage_model.features_digest(probes)
    monkeypatch.setattr(outage_model, "SUBJECT_MASK", "someone")
    assert outage_model.features_digest(probes) != before


def test_the_fingerprint_changes_with_one_byte_of_training_data(tmp_path):
    files = []
    for path in trainer().training_files():
        files.append(tmp_path / path.name)
        shutil.copyfile(path, files[-1])
    before = fingerprint(files)
    with files[0].open("a", encoding="utf-8") as fh:
        fh.write(" ")
    assert fingerprint(files) != before


def test_retraining_gives_the_same_artefact_byte_for_byte():
    t = trainer()
    examples = []
    for day, (outage, other) in enumerate(
        [
            ("Zyntrix is down for thousands of users", "Zyntrix launches a new tablet"),
            ("Outage hits Plinko Chat as users report errors", "Plinko Chat raises $40 million"),
            ("Quillbox back online after a long outage", "Quillbox review: a fine phone"),
        ]
    ):
        group = f"2025-01-0{day + 1}"
        examples.append(t.Example(outage, "Users could not log in.", False, True, group, "fixture"))
        examples.append(t.Example(other, "The company said on Tuesday.", False, False, group, "fixture"))
    examples.append(t.Example("Incident with Widgets", "We are investigating errors.", True, True, t.ALWAYS_TRAIN, "f"))
    examples.append(t.Example("Planned maintenance in AMS", "Scheduled maintenance.", True, False, t.ALWAYS_TRAIN, "f"))

    def built() -> str:
        return json.dumps(t.build(t.Matrix(t.with_title_only_copies(examples)), top=40), sort_keys=True)

    first = built()
    assert first == built()
    assert json.loads(first)["weights"]


# --- decisions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "headline",
    [
        "Zyntrix is down for thousands of users",
        "Outage hits Plinko Chat as users report errors",
        "Quillbox back online after four-hour outage",
        "Frobnicator servers down worldwide, players unable to connect",
        "ZYNTRIX IS DOWN 😱",
    ],
)
def test_a_clear_outage_headline_alone_is_an_outage(headline):
    result = score(headline)
    assert result.is_outage, result


@pytest.mark.parametrize(
    "headline",
    [
        "Zyntrix launches a new AI assistant for its tablets",
        "Plinko Chat raises $40 million in new funding",
        "Quillbox 2 review: a fast tablet with a dim screen",
        "How to set up two-factor authentication on your accounts",
    ],
)
def test_a_clear_non_outage_headline_alone_is_not_an_outage(headline):
    result = score(headline)
    assert not result.is_outage, result


def test_a_body_can_carry_the_outage_a_headline_only_hints_at():
    title = "What happened to Zyntrix this morning"
    body = "Zyntrix was down for three hours on Monday. Users could not log in or load their feeds."
    assert score(title, body).probability > score(title).probability


def test_a_status_post_about_planned_maintenance_is_not_an_outage():
    title = "Scheduled maintenance in AMS (Amsterdam) datacenter"
    body = "We will be performing scheduled maintenance in AMS between 02:00 and 04:00 UTC."
    assert not score(title, body, is_status_post=True).is_outage


def test_a_status_post_about_errors_is_an_outage():
    title = "Elevated error rates for Widgets API"
    body = "We are investigating elevated error rates for requests to the Widgets API."
    assert score(title, body, is_status_post=True).is_outage


def test_odd_input_gets_a_sane_decision():
    for title, body in (("", None), ("", ""), ("   ", "\n"), ("🔥🔥🔥", None), ("Zyntrix está caído", "")):
        result = score(title, body)
        assert 0.0 <= result.probability <= 1.0
    assert not score("", None).is_outage


# --- evidence ---------------------------------------------------------------------------------------------

def test_the_evidence_names_the_features_that_weighed_most():
    result = score("Zyntrix is down for thousands of users")
    assert result.evidence
    assert all(re.match(r"^[+-]\d+\.\d\d \S", line) for line in result.evidence)
    weights = [abs(float(line.split()[0])) for line in result.evidence]
    assert weights == sorted(weights, reverse=True)
    assert any('title word "down"' in line or "cue" in line for line in result.evidence)


def test_describe_spells_features_out():
    assert outage_model.describe("t:w:down") == 'title word "down"'
    assert outage_model.describe("b:c: cras") == 'body chars " cras"'
    assert outage_model.describe("cue:title:outage") == "cue title outage"


# --- determinism and bounds -------------------------------------------------------------------------------

def test_the_same_input_gets_the_same_answer():
    title, body = "Zyntrix is down for thousands of users", "Users could not log in."
    assert score(title, body) == score(title, body)
    assert features(title, body) == features(title, body)
    assert outage_model.load() == shipped_model()


def test_listing_only_the_weighed_ngrams_changes_no_weighed_feature():
    # The model lists only the character n-grams it has weights for; each keeps the value it has
    # among all of them (1/√n of all the text's n-grams, not of the listed ones).
    model = shipped_model()
    title, body = "Zyntrix login errors: servers crashing worldwide", "Users report crashes and outages since 9 a.m."
    every = features(title, body)
    listed = features(title, body, weighed_ngrams=model.char_ngrams)
    assert {name: value for name, value in every.items() if name in model.weights} == {
        name: value for name, value in listed.items() if name in model.weights}
    assert any(name.startswith(("t:c:", "b:c:")) for name in listed)
    assert len(listed) < len(every)


def test_nothing_past_the_cuts_is_read():
    # Structural, not timed: whatever follows the cut points changes nothing, so 1 MB costs what
    # the cut does.
    filler = "The committee met on Tuesday to discuss the budget. " * 20_000
    tail = " Zyntrix is down, outage, users unable to connect." * 2_000
    body = filler[: relevance.RAW_CHARS]
    assert features("A headline", body + tail) == features("A headline", body)
    title = "A headline about budgets " * 50
    assert features(title[: outage_model.TITLE_CHARS * 3] + tail, "") == features(title, "")


def test_the_feature_count_is_bounded_whatever_the_input_size():
    megabyte = "".join(f"word{i} " for i in range(150_000))[:1_000_000]
    found = features(megabyte, megabyte)
    words = (outage_model.TITLE_CHARS + outage_model.BODY_CHARS) // 2 + 2
    assert len(found) < words * 2 + words * 15 + 100  # words, pairs, n-grams of each word, cues
    assert score(megabyte, megabyte).probability >= 0.0
