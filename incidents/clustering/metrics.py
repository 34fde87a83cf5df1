"""Clustering and outage-detection scores against gold labels (pure: no Django).

The definitions are those of ``shared/eval/README.md``:

* Clustering scores (B-cubed and pairwise) count the items whose gold event is neither null
  nor ``"?"``. An item the pipeline placed in no incident counts as a cluster of its own.
* Outage detection counts every item whose gold is not ``"?"``; an item is a gold positive when
  its gold is not null, and a predicted positive when the pipeline placed it in an incident (or
  when the caller's ``detected`` mapping says so).

An empty denominator (no predicted pairs, no gold positives…) gives 1.0: nothing was claimed,
so nothing was wrong. F1 is the harmonic mean of precision and recall (0.0 when both are 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

NOT_SCORED = "?"


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def as_dict(self, digits: int | None = 4) -> dict[str, float]:
        values = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {k: round(v, digits) if digits is not None else v for k, v in values.items()}


@dataclass(frozen=True)
class Detection:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def as_dict(self, digits: int | None = 4) -> dict[str, float | int]:
        def r(v: float) -> float:
            return round(v, digits) if digits is not None else v

        return {
            "precision": r(self.precision),
            "recall": r(self.recall),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


def _ratio(num: float, den: float) -> float:
    return num / den if den else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def is_scored(gold: str | None) -> bool:
    """True when an item takes part in the clustering scores."""
    return gold is not None and gold != NOT_SCORED


def _clusters(gold: Mapping[str, str | None], assignment: Mapping[str, Hashable | None]) -> list[tuple[object, str]]:
    """(predicted cluster, gold event) for each scored item; unplaced items get a cluster of their own."""
    pairs: list[tuple[object, str]] = []
    for item, event in gold.items():
        if not is_scored(event):
            continue
        placed = assignment.get(item)
        cluster: object = ("placed", placed) if placed is not None else ("alone", item)
        pairs.append((cluster, event))  # type: ignore[arg-type]
    return pairs


def bcubed(gold: Mapping[str, str | None], assignment: Mapping[str, Hashable | None]) -> PRF:
    """B-cubed precision and recall, averaged over the scored items.

    For item i with predicted cluster C and gold event G (both restricted to scored items):
    precision_i = |C ∩ G| / |C|, recall_i = |C ∩ G| / |G|.
    """
    pairs = _clusters(gold, assignment)
    if not pairs:
        return PRF(1.0, 1.0)
    both = Counter(pairs)
    pred_size = Counter(c for c, _ in pairs)
    gold_size = Counter(g for _, g in pairs)
    p = sum(n * n / pred_size[c] for (c, _), n in both.items()) / len(pairs)
    r = sum(n * n / gold_size[g] for (_, g), n in both.items()) / len(pairs)
    return PRF(p, r)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(gold: Mapping[str, str | None], assignment: Mapping[str, Hashable | None]) -> PRF:
    """Precision and recall of the item pairs put together (over scored items)."""
    pairs = _clusters(gold, assignment)
    together = sum(_pairs(n) for n in Counter(pairs).values())
    predicted = sum(_pairs(n) for n in Counter(c for c, _ in pairs).values())
    actual = sum(_pairs(n) for n in Counter(g for _, g in pairs).values())
    return PRF(_ratio(together, predicted), _ratio(together, actual))


def outage_detection(
    gold: Mapping[str, str | None],
    assignment: Mapping[str, Hashable | None],
    detected: Mapping[str, bool] | None = None,
) -> Detection:
    """Detection of outage items: gold positive when gold is not null; "?" items are not counted.

    An item is a predicted positive when ``detected[item]`` is true, or, without ``detected``,
    when it was placed in an incident.
    """
    tp = fp = fn = 0
    for item, event in gold.items():
        if event == NOT_SCORED:
            continue
        predicted = detected.get(item, False) if detected is not None else assignment.get(item) is not None
        actual = event is not None
        if predicted and actual:
            tp += 1
        elif predicted:
            fp += 1
        elif actual:
            fn += 1
    return Detection(tp, fp, fn)


def evaluate(
    gold: Mapping[str, str | None] | Iterable[tuple[str, str | None]],
    assignment: Mapping[str, Hashable | None],
    *,
    detected: Mapping[str, bool] | None = None,
    all_relevant: bool = False,
) -> dict[str, object]:
    """The figures ``cluster_eval --json`` prints (without timing), as a JSON-ready dict."""
    gold_map = dict(gold.items()) if isinstance(gold, Mapping) else dict(gold)
    scored = sum(1 for g in gold_map.values() if is_scored(g))
    placed = {a for item, a in assignment.items() if a is not None and item in gold_map}
    return {
        "items": len(gold_map),
        "scored_items": scored,
        "outage_detection": None if all_relevant else outage_detection(gold_map, assignment, detected).as_dict(),
        "bcubed": bcubed(gold_map, assignment).as_dict(),
        "pairwise": pairwise(gold_map, assignment).as_dict(),
        "incidents": len(placed),
    }
