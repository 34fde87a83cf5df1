#!/usr/bin/env python
"""The clustering's join threshold chosen by cross-validation across ECB+ topics, and the B-cubed F1
on topics the choice never saw.

    python scripts/ecb_cross_validate.py                          # 5 folds, join thresholds 0.6-1.0
    python scripts/ecb_cross_validate.py --grid 0.7,0.8,0.9 --extras -0.2,0 --jobs 2
    python scripts/ecb_cross_validate.py --runs-dir var/ecb-cv    # keep the replays, reuse them next time

The shipped thresholds (incidents/clustering/scoring.py) were tuned on the whole ECB+ dev file, so its
figure there is a fit. Here the file is replayed once per candidate threshold pair by
`manage.py cluster_eval FILE --all-relevant --join-threshold J --small-incident-extra E --assignments
OUT`: the pipeline as shipped, with only its thresholds changed. An item's topic is the number in its
id ("ecbplus:12_3ecb" is topic 12; each topic holds two events of one kind). Topics are dealt into
K folds in numeric order. For each fold, the pair with the best B-cubed F1 on the other folds' items
is chosen, and the fold's own items are scored with that pair: its held-out figure. Printed: per
fold the chosen pair, its training F1 and the held-out F1; then the held-out figures pooled over
the folds (B-cubed precision and recall over the union of the folds' items, which share no event,
F1 from those two) and the mean of the folds' F1; and the shipped pair's figures scored the same
way, for comparison.

The replay clusters the whole file in one stream, as production would; a fold is scored on its own
items (an incident's members from other topics are left out of the fold's B-cubed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incidents.clustering import metrics, scoring  # noqa: E402 - pure modules, after the checkout is on the path

ECB_FILE = ROOT.parent / "shared" / "eval" / "dev" / "ecbplus-dev.jsonl"
TOPIC = re.compile(r"^ecbplus:(\d+)_")
DEFAULT_GRID = "0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95,1.0"

Pair = tuple[float, float]  # (join threshold, small-incident extra)


def topic_of(item_id: str) -> str:
    match = TOPIC.match(item_id)
    if not match:
        raise ValueError(f"{item_id!r}: not an ECB+ item id (ecbplus:<topic>_<document>); is this the ECB+ file?")
    return match.group(1)


def folds_of(item_ids: list[str], k: int) -> list[set[str]]:
    """The topics dealt into k folds in numeric order: fold i holds topics i, i+k, i+2k…"""
    topics = sorted({topic_of(item) for item in item_ids}, key=int)
    if len(topics) < k:
        raise ValueError(f"{len(topics)} topics cannot make {k} folds")
    return [set(topics[i::k]) for i in range(k)]


def replay(path: Path, pair: Pair, runs_dir: Path) -> dict:
    """{"gold": {item: event}, "incident": {item: incident id}} of one replay (kept in runs_dir and
    reused when there, beside the figures cluster_eval printed)."""
    out = runs_dir / f"join{pair[0]:+.3f}_extra{pair[1]:+.3f}.json"
    if not out.exists():
        command = [sys.executable, str(ROOT / "manage.py"), "cluster_eval", str(path), "--all-relevant", "--json",
                   "--join-threshold", repr(pair[0]), "--small-incident-extra", repr(pair[1]),
                   "--assignments", str(out)]
        env = {"DEBUG": "1", **os.environ}  # a throw-away replay: the development settings unless told otherwise
        completed = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)  # noqa: S603 - our own manage.py, arguments built here
        out.with_suffix(".figures.json").write_text(completed.stdout, encoding="utf-8")
    return json.loads(out.read_text(encoding="utf-8"))


def bcubed(run: dict, topics: set[str]) -> metrics.PRF:
    """B-cubed of the run's items of these topics."""
    gold = {item: event for item, event in run["gold"].items() if topic_of(item) in topics}
    return metrics.bcubed(gold, {item: run["incident"].get(item) for item in gold})


def pooled(scores: list[tuple[metrics.PRF, int]]) -> metrics.PRF:
    """B-cubed over the union of disjoint folds: precision and recall are per-item means, so the
    folds' figures weighted by their items."""
    items = sum(n for _, n in scores)
    return metrics.PRF(sum(s.precision * n for s, n in scores) / items, sum(s.recall * n for s, n in scores) / items)


def numbers(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated numbers, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ECB_FILE, help="the ECB+ dev file (default: %(default)s)")
    parser.add_argument("--folds", type=int, default=5, help="folds of topics (default: %(default)s)")
    parser.add_argument("--grid", type=numbers, default=numbers(DEFAULT_GRID), help="join thresholds to try")
    parser.add_argument("--extras", type=numbers, default=[scoring.SMALL_INCIDENT_EXTRA],
                        help="small-incident extras to try (default: the shipped one)")
    parser.add_argument("--jobs", type=int, default=1, help="replays at a time (each takes a core for ~2 min)")
    parser.add_argument("--runs-dir", type=Path, help="keep the replays here and reuse them (after a change to "
                                                      "the clustering, use a new directory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"{args.file}: no such file (the ECB+ dev file is in ../shared/eval/dev/)")

    item_ids = [json.loads(line)["id"] for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    folds = folds_of(item_ids, args.folds)
    shipped: Pair = (scoring.JOIN_THRESHOLD, scoring.SMALL_INCIDENT_EXTRA)
    pairs = sorted({*itertools.product(args.grid, args.extras), shipped})
    with tempfile.TemporaryDirectory(prefix="outagehub-ecb-cv-") as scratch:
        runs_dir = args.runs_dir or Path(scratch)
        runs_dir.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            runs = dict(zip(pairs, pool.map(lambda pair: replay(args.file, pair, runs_dir), pairs), strict=True))

    all_topics = set().union(*folds)
    report = {"folds": [], "pairs_tried": [list(p) for p in pairs]}
    chosen_scores, shipped_scores = [], []
    for held_out in folds:
        training = all_topics - held_out
        # Ties go to the pair nearest the shipped one, then the lower: a choice that does not depend on order.
        best = max(pairs, key=lambda p: (round(bcubed(runs[p], training).f1, 6),
                                         -abs(p[0] - shipped[0]) - abs(p[1] - shipped[1]), -p[0], -p[1]))
        n = sum(1 for item, event in runs[shipped]["gold"].items() if topic_of(item) in held_out
                and metrics.is_scored(event))
        held = bcubed(runs[best], held_out)
        chosen_scores.append((held, n))
        shipped_scores.append((bcubed(runs[shipped], held_out), n))
        report["folds"].append({
            "topics": sorted(held_out, key=int), "items": n, "join_threshold": best[0],
            "small_incident_extra": best[1], "training_f1": round(bcubed(runs[best], training).f1, 4),
            "held_out": held.as_dict(), "shipped_held_out": shipped_scores[-1][0].as_dict(),
        })
    report["held_out"] = pooled(chosen_scores).as_dict()
    report["held_out_mean_f1"] = round(sum(s.f1 for s, _ in chosen_scores) / len(chosen_scores), 4)
    report["shipped"] = {"join_threshold": shipped[0], "small_incident_extra": shipped[1],
                         "held_out": pooled(shipped_scores).as_dict(),
                         "held_out_mean_f1": round(sum(s.f1 for s, _ in shipped_scores) / len(shipped_scores), 4),
                         "whole_file": bcubed(runs[shipped], all_topics).as_dict()}
    report["whole_file_by_pair"] = {f"{p[0]:g}/{p[1]:g}": round(bcubed(runs[p], all_topics).f1, 4) for p in pairs}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{args.file.name}: {len(item_ids)} items, {len(all_topics)} topics in {len(folds)} folds; "
          f"{len(pairs)} threshold pairs (join/small-incident extra) tried")
    for number, fold in enumerate(report["folds"], 1):
        print(f"fold {number}: topics {','.join(fold['topics'])} ({fold['items']} items): chose "
              f"{fold['join_threshold']:g}/{fold['small_incident_extra']:g} (training F1 {fold['training_f1']:.3f}); "
              f"held-out B-cubed F1 {fold['held_out']['f1']:.3f} "
              f"(shipped thresholds {fold['shipped_held_out']['f1']:.3f})")
    held = report["held_out"]
    print(f"held out, pooled: B-cubed P {held['precision']:.3f} R {held['recall']:.3f} F1 {held['f1']:.3f}; "
          f"mean of the folds' F1 {report['held_out_mean_f1']:.3f}")
    ship = report["shipped"]
    print(f"shipped {shipped[0]:g}/{shipped[1]:g}, scored by the same folds: F1 {ship['held_out']['f1']:.3f} pooled, "
          f"{ship['held_out_mean_f1']:.3f} mean; whole file {ship['whole_file']['f1']:.3f} (a fit, not held out)")
    by_pair = report["whole_file_by_pair"]
    print("whole-file B-cubed F1 by pair: " + ", ".join(f"{k} {v:.3f}" for k, v in by_pair.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
