#!/usr/bin/env python
"""Train the outage model (`incidents/data/outage_model.json`) and measure it honestly.

    python scripts/train_outage_model.py                    # rebuild the artefact (`make model`)
    python scripts/train_outage_model.py --cross-validate   # leave-one-day-out figures, model and rules
    python scripts/train_outage_model.py --exclude-days 2025-03-10,2025-03-11 --output /tmp/m.json
                                                            # an artefact that never saw those days

Training data (all committed; provenance in incidents/data/training/README.md):
* the 2025 news stream (`news-outages-2025-dev.jsonl`): every item of a dozen feeds on outage days,
  gold null = not an outage, "?" = not scored (dropped);
* `tests/eval/outage-dev.jsonl`: news and status posts from the recorded feeds;
* real status incidents (GitHub, Google Cloud, Cloudflare) as positives: the title and the first
  update, as the first snapshot of the status page shows them (GitHub's own "maintenance" impact
  marks planned work: a negative);
* Cloudflare's planned-maintenance posts as negatives: a status post that announces planned work is
  not an outage (the labelling rule of tests/eval/README.md), and the model must learn that the
  status-post flag alone does not make an outage.
Every example is also used as a title-only copy, so that a headline alone gets a sane decision.

The model is a logistic regression (scikit-learn, liblinear, L2) over `outage_model.features`;
the regularisation C and the threshold are chosen by cross-validation over the news stream's days,
the weights pruned to the `--top` largest and rounded, so a rebuild is byte-identical.

`--cross-validate` holds out one day of the news stream at a time (its outage and non-outage
items alike), trains on every other day and every other source, and scores the held-out day with
the full text and with titles only. C and the threshold are chosen inside each training fold
(nested, grouped by day), never on the held-out day. `--by window` holds out runs of consecutive
days instead, so an outage that spans two days is never on both sides. The rule classifier
(`relevance.assess`, with the catalogue bonus as the pipeline applies it) is scored on the same folds.

`--exclude-days` writes an artefact trained, with the same nested choice of C and threshold, without
the given days: every dated example of those days (news items, Cloudflare status and maintenance
posts) and every example of an outage seen on them, whatever its day. `scripts/heldout_eval.py`
scores such artefacts through the whole pipeline (`cluster_eval --model`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The script runs from a checkout, not an installed package: the project's root goes on the path first.
from incidents.clustering.metrics import NOT_SCORED  # noqa: E402 - after the sys.path line above
from incidents.extraction import (  # noqa: E402 - after the sys.path line above
    outage_model,
    relevance,
    subjects,
)
from incidents.extraction.catalogue import Catalogue  # noqa: E402 - after the sys.path line above

TRAINING_DIR = ROOT / "incidents" / "data" / "training"
NEWS_FILE = TRAINING_DIR / "news-outages-2025-dev.jsonl"
OUTAGE_DEV_FILE = ROOT / "tests" / "eval" / "outage-dev.jsonl"
ARTEFACT_VERSION = 1

C_GRID = (0.3, 1.0, 3.0)
# The news stream's examples count this many times: they are what the model meets in production, and
# its 43 outage items would otherwise be outnumbered by status posts, whose wording differs.
NEWS_WEIGHT = 5.0
THRESHOLDS = tuple(round(t / 100, 2) for t in range(5, 96))
INNER_FOLDS = 4
TOP_FEATURES = 6_000
WEIGHT_DIGITS = 4
PROBE_EVERY = 25
ALWAYS_TRAIN = "other sources"  # group of every example that is not part of the news stream


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    is_status_post: bool
    label: bool
    group: str  # the news stream's day, or ALWAYS_TRAIN
    source: str
    event: str | None = None
    item_id: str = ""
    day: str = ""  # the day it was published, for the examples of dated streams


# --- training data ------------------------------------------------------------------------------------

def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _stream_examples(path: Path, group_of) -> list[Example]:
    """Items of a file in the article-stream format; "?" items are dropped."""
    found = []
    for row in _rows(path):
        gold = row.get("gold_event_id")
        if gold == NOT_SCORED:
            continue
        found.append(Example(
            title=row["title"] or "", text=row.get("text") or "", is_status_post=row.get("kind") == "status",
            label=gold is not None, group=group_of(row), source=path.name, event=gold, item_id=row["id"],
            day=(row.get("published") or "")[:10],
        ))
    return found


def _first_update(updates: list[dict], time_key: str, text_key: str) -> str:
    return min(updates, key=lambda u: u[time_key])[text_key] if updates else ""


def training_files() -> list[Path]:
    return [*sorted(TRAINING_DIR.glob("*.jsonl")), OUTAGE_DEV_FILE]


def load_examples() -> list[Example]:
    """Every labelled example, the news stream grouped by day. Exact duplicates outside the news
    stream (GitHub's many "Incident with Actions") count once."""
    news = _stream_examples(NEWS_FILE, lambda row: row["published"][:10])
    others = _stream_examples(OUTAGE_DEV_FILE, lambda row: ALWAYS_TRAIN)
    others += _stream_examples(TRAINING_DIR / "cloudflare-status-2025-dev.jsonl", lambda row: ALWAYS_TRAIN)
    # Maintenance rows carry the maintenance's id as gold (they are events), but planned work is not an outage.
    others += [
        Example(e.title, e.text, True, False, ALWAYS_TRAIN, e.source, None, e.item_id, e.day)
        for e in _stream_examples(TRAINING_DIR / "cloudflare-maintenance-2025-dev.jsonl", lambda row: ALWAYS_TRAIN)
    ]
    for row in _rows(TRAINING_DIR / "github-status-incidents-2022-2024.jsonl"):
        text = _first_update(row["updates"], "at", "message")
        planned = row["impact"] == "maintenance"  # GitHub's own label: scheduled work posted on the same page
        others.append(
            Example(row["title"], text, True, not planned, ALWAYS_TRAIN, "github-status", row["id"], row["id"])
        )
    for row in _rows(TRAINING_DIR / "gcp-status-incidents-2021-2022.jsonl"):
        text = _first_update(row["updates"], "when", "text")
        others.append(Example(row["title"], text, True, True, ALWAYS_TRAIN, "gcp-status", row["id"], row["id"]))
    seen: set[tuple] = set()
    unique_others = []
    for e in others:
        key = (e.title, e.text, e.is_status_post, e.label)
        if key not in seen:
            seen.add(key)
            unique_others.append(e)
    return news + unique_others


def with_title_only_copies(examples: list[Example]) -> list[tuple[Example, bool]]:
    """(example, title_only) pairs: each example as it is, plus its headline alone when it has a body.
    A title-only copy outside the news stream counts once per distinct headline."""
    pairs = [(e, False) for e in examples]
    seen: set[tuple] = set()
    for e in examples:
        if not e.text:
            continue
        key = (e.title, e.is_status_post, e.label)
        if e.group == ALWAYS_TRAIN and key in seen:
            continue
        seen.add(key)
        pairs.append((e, True))
    return pairs


# --- features and fitting -----------------------------------------------------------------------------

class Matrix:
    """The examples' feature rows, vectorised once (the vocabulary is all feature names, sorted)."""

    def __init__(self, pairs: list[tuple[Example, bool]]):
        self.pairs = pairs
        self.vectorizer = DictVectorizer(sort=True)
        rows = [
            outage_model.features(e.title, "" if title_only else e.text, e.is_status_post) for e, title_only in pairs
        ]
        self.x = self.vectorizer.fit_transform(rows).tocsr()
        self.y = np.array([e.label for e, _ in pairs], dtype=int)
        self.sample_weight = np.array([1.0 if e.group == ALWAYS_TRAIN else NEWS_WEIGHT for e, _ in pairs])
        self.names = self.vectorizer.get_feature_names_out()


@dataclass(frozen=True)
class Fitted:
    weights: dict[str, float]
    intercept: float

    def logits(self, matrix: Matrix, rows: np.ndarray) -> np.ndarray:
        vector = np.zeros(len(matrix.names))
        index = {name: i for i, name in enumerate(matrix.names)}
        for name, weight in self.weights.items():
            vector[index[name]] = weight
        return matrix.x[rows] @ vector + self.intercept


def rows_without(matrix: Matrix, days: set[str]) -> np.ndarray:
    """The rows to train on when `days` are held out: no example of those days, and no example of an
    outage that has one on those days (an outage is never on both sides)."""
    held_events = {e.event for e, _ in matrix.pairs if e.day in days and e.event}
    return np.array([
        i for i, (e, _) in enumerate(matrix.pairs) if e.day not in days and e.event not in held_events
    ], dtype=int)


def fit(matrix: Matrix, rows: np.ndarray, c: float, top: int) -> Fitted:
    """L2 logistic regression; then the `top` heaviest weights kept, rounded (what the artefact holds)."""
    # The dual problem: far fewer examples than features, so it solves several times faster.
    model = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=1_000, random_state=0)
    model.fit(matrix.x[rows], matrix.y[rows], sample_weight=matrix.sample_weight[rows])
    coef = model.coef_[0]
    order = sorted((i for i in np.flatnonzero(coef)), key=lambda i: (-abs(coef[i]), matrix.names[i]))[:top]
    weights = {str(matrix.names[i]): round(float(coef[i]), WEIGHT_DIGITS) for i in order}
    return Fitted({k: v for k, v in sorted(weights.items()) if v}, round(float(model.intercept_[0]), WEIGHT_DIGITS))


def probabilities(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))


def f1_at(probs: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    predicted = probs >= threshold
    tp = int(np.sum(predicted & (labels == 1)))
    fp = int(np.sum(predicted & (labels == 0)))
    fn = int(np.sum(~predicted & (labels == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(F1, threshold) at the best F1; among equally good thresholds, the middle one."""
    scores = [f1_at(probs, labels, t) for t in THRESHOLDS]
    best = max(scores)
    tied = [t for t, s in zip(THRESHOLDS, scores, strict=True) if s == best]
    return best, tied[len(tied) // 2]


def select(matrix: Matrix, train_rows: np.ndarray, top: int) -> tuple[float, float, float]:
    """(C, threshold, inner F1) by grouped cross-validation over the news days among `train_rows`:
    each inner fold's news items (full and title-only) scored by a model trained without their days."""
    groups = np.array([matrix.pairs[i][0].group for i in train_rows])
    news = train_rows[groups != ALWAYS_TRAIN]
    news_groups = groups[groups != ALWAYS_TRAIN]
    always = train_rows[groups == ALWAYS_TRAIN]
    folds = list(GroupKFold(n_splits=min(INNER_FOLDS, len(set(news_groups)))).split(news, groups=news_groups))
    best = None
    for c in C_GRID:
        probs = np.zeros(len(news))
        for inner_train, inner_test in folds:
            fitted = fit(matrix, np.concatenate([news[inner_train], always]), c, top)
            probs[inner_test] = probabilities(fitted.logits(matrix, news[inner_test]))
        f1, threshold = best_threshold(probs, matrix.y[news])
        if best is None or f1 > best[2]:
            best = (c, threshold, f1)
    return best


# --- measuring ----------------------------------------------------------------------------------------

@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1

    def merge(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def __str__(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return f"P {p:.3f} R {r:.3f} (tp {self.tp} fp {self.fp} fn {self.fn})"


def windows(days: list[str]) -> dict[str, str]:
    """Each day → the first day of its run of consecutive days (an outage spanning midnight stays whole)."""
    found: dict[str, str] = {}
    start = previous = None
    for day in sorted(days):
        current = date.fromisoformat(day)
        if previous is None or (current - previous).days > 1:
            start = day
        found[day] = start
        previous = current
    return found


def cross_validate(matrix: Matrix, by: str, top: int) -> None:
    catalogue = Catalogue.load_default()
    pairs = matrix.pairs
    days = sorted({e.group for e, _ in pairs if e.group != ALWAYS_TRAIN})
    fold_of = windows(days) if by == "window" else {d: d for d in days}
    folds = sorted(set(fold_of.values()))
    totals = {key: Counts() for key in ("model full", "model titles", "rules full", "rules titles")}
    mistakes: list[str] = []
    print(f"leave-one-{by}-out over the news stream: {len(folds)} folds; C grid {C_GRID}; top {top} features")
    for fold in folds:
        held = np.array([i for i, (e, _) in enumerate(pairs) if e.group != ALWAYS_TRAIN and fold_of[e.group] == fold])
        train = np.array([i for i, (e, _) in enumerate(pairs) if e.group == ALWAYS_TRAIN or fold_of[e.group] != fold])
        c, threshold, inner_f1 = select(matrix, train, top)
        fitted = fit(matrix, train, c, top)
        probs = probabilities(fitted.logits(matrix, held))
        counts = {key: Counts() for key in totals}
        for row, prob in zip(held, probs, strict=True):
            example, title_only = pairs[row]
            kind = "titles" if title_only else "full"
            text = "" if title_only else example.text
            both = f"{example.title}\n{text}"
            known = bool(catalogue.vendors_in(both) or catalogue.services_in(both))
            rules = relevance.assess(example.title, text, known_service_mentioned=known).is_outage
            model = bool(prob >= threshold)
            counts[f"model {kind}"].add(model, example.label)
            counts[f"rules {kind}"].add(rules, example.label)
            if model != example.label:
                what = "FN" if example.label else "FP"
                mistakes.append(
                    f"  {what} {kind:6} p={prob:.2f} {example.group} [{example.event or '-'}] {example.title[:110]}"
                )
        positives = sum(1 for i in held if pairs[i][0].label and not pairs[i][1])
        items = sum(1 for i in held if not pairs[i][1])
        print(f"{fold}: {items} items, {positives} outage; chose C={c} threshold={threshold} (inner F1 {inner_f1:.3f})")
        for key, value in counts.items():
            print(f"    {key:13} {value}")
            totals[key].merge(value)
    print("pooled over the held-out folds:")
    for key, value in totals.items():
        print(f"    {key:13} {value}")
    print("mistakes of the model on held-out items:")
    print("\n".join(mistakes))


def subject_report(examples: list[Example]) -> None:
    """How often the subject extractor names something on the news stream's outage items, and how
    often the names agree within one gold event."""
    by_event: dict[str, list[str]] = defaultdict(list)
    found = 0
    positives = [e for e in examples if e.group != ALWAYS_TRAIN and e.label]
    for e in positives:
        subject = subjects.find_subject(e.title, e.text)
        name, pattern = (subject.name, subject.pattern) if subject else ("-", "")
        print(f"  {e.event:28} {name:24} {pattern:28} {e.title[:80]}")
        if subject:
            found += 1
            by_event[e.event].append(subject.name)
    agreeing = total = 0
    for names in by_event.values():
        modal, _ = Counter(subjects.subject_key(n) for n in names).most_common(1)[0]
        agreeing += sum(1 for n in names if subjects.same_subject(subjects.subject_key(n), modal))
        total += len(names)
    print(f"subject found on {found} of {len(positives)} outage items ({found / len(positives):.0%});"
          f" {agreeing} of {total} agree with their event's most common subject ({agreeing / max(total, 1):.0%})")


# --- the artefact -------------------------------------------------------------------------------------

def probe_items(pairs: list[tuple[Example, bool]]) -> list[tuple[str, str, bool]]:
    """Every PROBE_EVERY-th training row, as `features` reads it: the artefact keeps a digest of their
    features, so a change to the code that makes features shows as a stale artefact."""
    return [(e.title, "" if title_only else e.text, e.is_status_post) for e, title_only in pairs[::PROBE_EVERY]]


def build(matrix: Matrix, top: int, excluded_days: frozenset[str] = frozenset()) -> dict:
    rows = rows_without(matrix, set(excluded_days))
    c, threshold, inner_f1 = select(matrix, rows, top)
    fitted = fit(matrix, rows, c, top)
    held_out = {"excluded_days": sorted(excluded_days)} if excluded_days else {}
    return {
        "version": ARTEFACT_VERSION,
        "feature_version": outage_model.FEATURE_VERSION,
        "training": {
            "fingerprint": outage_model.fingerprint(training_files()),
            "files": sorted(p.name for p in training_files()),
            "features_digest": outage_model.features_digest(probe_items(matrix.pairs)),
            "examples": len(rows),
            "positives": int(matrix.y[rows].sum()),
            **held_out,
            "C": c,
            "cross_validated_f1": round(inner_f1, 4),
        },
        "threshold": threshold,
        "intercept": fitted.intercept,
        "weights": fitted.weights,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cross-validate", action="store_true", help="print held-out figures; write nothing")
    parser.add_argument("--by", choices=("day", "window"), default="day", help="what one held-out fold is")
    parser.add_argument("--subjects", action="store_true", help="print the subject extractor's figures; write nothing")
    parser.add_argument("--top", type=int, default=TOP_FEATURES, help="weights kept in the artefact")
    parser.add_argument("--exclude-days", default="", metavar="DAY,DAY",
                        help="train without these days (YYYY-MM-DD) and their outages; use with --output")
    parser.add_argument("--output", type=Path, default=outage_model.MODEL_PATH)
    args = parser.parse_args()
    examples = load_examples()
    if args.subjects:
        subject_report(examples)
        return
    pairs = with_title_only_copies(examples)
    print(f"{len(examples)} examples ({sum(e.label for e in examples)} outage), {len(pairs)} with title-only copies",
          file=sys.stderr)
    matrix = Matrix(pairs)
    if args.cross_validate:
        cross_validate(matrix, args.by, args.top)
        return
    excluded = frozenset(day.strip() for day in args.exclude_days.split(",") if day.strip())
    if excluded and args.output == outage_model.MODEL_PATH:
        parser.error("--exclude-days writes a held-out artefact, never the shipped one: give --output")
    artefact = build(matrix, args.top, excluded)
    args.output.write_text(json.dumps(artefact, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(artefact['weights'])} weights, C={artefact['training']['C']},"
          f" threshold {artefact['threshold']}", file=sys.stderr)


if __name__ == "__main__":
    main()
