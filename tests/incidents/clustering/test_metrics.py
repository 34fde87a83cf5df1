"""Clustering and outage-detection scores, on examples small enough to compute by hand."""

import pytest

from incidents.clustering.metrics import bcubed, evaluate, outage_detection, pairwise


def approx(x):
    return pytest.approx(x, abs=1e-9)


def test_perfect_clustering_scores_one():
    gold = {"a": "E1", "b": "E1", "c": "E2"}
    assignment = {"a": 1, "b": 1, "c": 2}
    assert bcubed(gold, assignment).f1 == approx(1.0)
    assert pairwise(gold, assignment).f1 == approx(1.0)


def test_bcubed_of_one_merged_cluster_by_hand():
    # Gold {a,b} {c}; predicted all three together.
    # Precision: a,b: 2/3 each, c: 1/3 -> 5/9. Recall: everyone finds all its gold mates -> 1.
    gold = {"a": "E1", "b": "E1", "c": "E2"}
    score = bcubed(gold, {"a": 7, "b": 7, "c": 7})
    assert score.precision == approx(5 / 9)
    assert score.recall == approx(1.0)
    assert score.f1 == approx(2 * (5 / 9) / (5 / 9 + 1))


def test_bcubed_of_a_split_event_by_hand():
    # Gold {a,b,c}; predicted {a,b} {c}. Precision 1; recall a,b: 2/3, c: 1/3 -> 5/9.
    gold = {"a": "E", "b": "E", "c": "E"}
    score = bcubed(gold, {"a": 1, "b": 1, "c": 2})
    assert score.precision == approx(1.0)
    assert score.recall == approx(5 / 9)


def test_pairwise_by_hand():
    # Gold {a,b,c} {d}; predicted {a,b} {c,d}.
    # Predicted pairs: ab, cd (2); correct: ab (1) -> P = 1/2. Gold pairs: ab, ac, bc (3) -> R = 1/3.
    gold = {"a": "E1", "b": "E1", "c": "E1", "d": "E2"}
    score = pairwise(gold, {"a": 1, "b": 1, "c": 2, "d": 2})
    assert score.precision == approx(1 / 2)
    assert score.recall == approx(1 / 3)
    assert score.f1 == approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_an_unplaced_item_counts_as_a_cluster_of_its_own():
    # a and b are both unplaced (None / missing): they are two singletons, not one cluster "None".
    gold = {"a": "E1", "b": "E1", "c": "E2"}
    score = bcubed(gold, {"a": None, "c": 3})
    assert score.precision == approx(1.0)
    assert score.recall == approx((1 / 2 + 1 / 2 + 1) / 3)
    assert pairwise(gold, {"a": None, "b": None, "c": 3}).recall == approx(0.0)


def test_unplaced_items_do_not_collide_with_an_incident_named_like_them():
    gold = {"a": "E1", "b": "E2"}
    assert bcubed(gold, {"a": "b", "b": None}).precision == approx(1.0)


def test_null_and_question_mark_gold_are_left_out_of_clustering_scores():
    # x (not an outage) and y ("?") sit in the same incident as a; they must not lower precision.
    gold = {"a": "E1", "b": "E1", "x": None, "y": "?"}
    assignment = {"a": 1, "b": 1, "x": 1, "y": 1}
    assert bcubed(gold, assignment).precision == approx(1.0)
    assert pairwise(gold, assignment).precision == approx(1.0)


def test_outage_detection_counts_null_gold_as_negative_and_skips_question_marks():
    gold = {"a": "E1", "b": "E1", "n1": None, "n2": None, "q": "?"}
    assignment = {"a": 1, "n1": 2, "q": 3}  # b missed, n1 a false alarm, q not counted
    det = outage_detection(gold, assignment)
    assert (det.true_positives, det.false_positives, det.false_negatives) == (1, 1, 1)
    assert det.precision == approx(1 / 2)
    assert det.recall == approx(1 / 2)


def test_outage_detection_can_use_an_explicit_relevance_decision():
    gold = {"a": "E1", "n": None}
    det = outage_detection(gold, {}, detected={"a": True, "n": False})
    assert (det.true_positives, det.false_positives, det.false_negatives) == (1, 0, 0)


def test_empty_denominators_score_one():
    assert bcubed({}, {}).f1 == approx(1.0)
    single = {"a": "E1"}
    assert pairwise(single, {"a": 1}).precision == approx(1.0)
    assert outage_detection({"n": None}, {}).precision == approx(1.0)


def test_evaluate_returns_the_cluster_eval_json_keys():
    gold = [("a", "E1"), ("b", "E1"), ("c", None), ("d", "?")]
    out = evaluate(gold, {"a": 1, "b": 1})
    assert out["items"] == 4
    assert out["scored_items"] == 2
    assert out["incidents"] == 1
    assert set(out["bcubed"]) == {"precision", "recall", "f1"}
    assert set(out["pairwise"]) == {"precision", "recall", "f1"}
    assert out["outage_detection"]["true_positives"] == 2
    assert evaluate(gold, {"a": 1}, all_relevant=True)["outage_detection"] is None
