#!/usr/bin/env python
"""The pipeline's figures on the news stream, each day scored by an outage model that never saw it.

    python scripts/heldout_eval.py            # news full text, titles only, news + Cloudflare status
    python scripts/heldout_eval.py --runs titles --jobs 1

The shipped outage model was trained on the news stream, so `cluster_eval` on that stream shows the
fit, not what the pipeline does on days it has not met. Here the stream's days are cut into folds of
whole outage windows (runs of consecutive days, `train_outage_model.windows`: an outage spanning
midnight stays in one fold). For each fold an artefact is trained without the fold's days and
outages (`train_outage_model.build`, with the same nested choice of C and threshold as
`--cross-validate`), the fold's rows are written to a temporary file and replayed through the whole
pipeline by `manage.py cluster_eval FILE --json --model ARTEFACT` (with `--titles-only`, and with
the Cloudflare status updates of the fold's outages added).

Pooled figures: outage detection sums the folds' true and false positives and misses. B-cubed is
over the union of the folds: the folds share no event and no incident, so its precision and recall
are the means of the folds' weighted by their scored items, and F1 follows from those two. In the
news + status run both count the status updates too (most of its scored items): its news items are
detected as in the full-text run, so read that run for the press alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import train_outage_model as trainer  # noqa: E402 - a sibling script, not a package

STATUS_FILE = trainer.TRAINING_DIR / "cloudflare-status-2025-dev.jsonl"
RUNS = {  # name → (--titles-only, with the status rows)
    "full": (False, False),
    "titles": (True, False),
    "news+status": (False, True),
}


def fold_rows(news: list[dict], status: list[dict], days: set[str]) -> tuple[list[dict], list[dict]]:
    """The fold's news items, and every status update of an outage that has an update on its days
    (the artefact was trained without those outages: `trainer.rows_without`)."""
    events = {row["gold_event_id"] for row in status if row["published"][:10] in days and row.get("gold_event_id")}
    return ([row for row in news if row["published"][:10] in days],
            [row for row in status if row["published"][:10] in days or row.get("gold_event_id") in events])


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def cluster_eval(path: Path, artefact: Path, titles_only: bool) -> dict:
    command = [sys.executable, str(ROOT / "manage.py"), "cluster_eval", str(path), "--json", "--model", str(artefact)]
    command += ["--titles-only"] * titles_only
    env = {"DEBUG": "1", **os.environ}  # a throw-away replay: the development settings unless told otherwise
    completed = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)  # noqa: S603 - our own manage.py, arguments built here
    return json.loads(completed.stdout)


def pooled(results: list[dict]) -> dict:
    """Detection counts summed; B-cubed over the union of the folds (see the module's docstring)."""
    detection = {key: sum(r["outage_detection"][key] for r in results)
                 for key in ("true_positives", "false_positives", "false_negatives")}
    tp, fp, fn = detection["true_positives"], detection["false_positives"], detection["false_negatives"]
    scored = sum(r["scored_items"] for r in results)
    p = sum(r["bcubed"]["precision"] * r["scored_items"] for r in results) / scored if scored else 1.0
    r_ = sum(r["bcubed"]["recall"] * r["scored_items"] for r in results) / scored if scored else 1.0
    return {
        "detection": {**detection, "precision": tp / (tp + fp) if tp + fp else 1.0,
                      "recall": tp / (tp + fn) if tp + fn else 1.0},
        "bcubed": {"precision": p, "recall": r_, "f1": 2 * p * r_ / (p + r_) if p + r_ else 0.0},
        "scored_items": scored,
        "incidents": sum(r["incidents"] for r in results),
    }


def line(name: str, figures: dict) -> str:
    d, b = figures["outage_detection"], figures["bcubed"]
    return (f"  {name:30} detection P {d['precision']:.3f} R {d['recall']:.3f} (tp {d['true_positives']:3} "
            f"fp {d['false_positives']:3} fn {d['false_negatives']:3})  B-cubed P {b['precision']:.3f} "
            f"R {b['recall']:.3f} F1 {b['f1']:.3f}  ({figures['scored_items']} scored, {figures['incidents']} inc.)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default=",".join(RUNS), help=f"which of {', '.join(RUNS)} (comma-separated)")
    parser.add_argument("--jobs", type=int, default=2, help="cluster_eval runs at once")
    parser.add_argument("--keep", type=Path, help="keep the folds' artefacts and files in this directory")
    args = parser.parse_args()
    runs = [name.strip() for name in args.runs.split(",") if name.strip()]
    if unknown := set(runs) - set(RUNS):
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")

    news, status = trainer._rows(trainer.NEWS_FILE), trainer._rows(STATUS_FILE)
    fold_of = trainer.windows(sorted({row["published"][:10] for row in news}))
    folds = {start: {day for day, first in fold_of.items() if first == start}
             for start in sorted(set(fold_of.values()))}
    print(f"{len(folds)} folds of whole outage windows: "
          + "; ".join(f"{', '.join(sorted(days))}" for days in folds.values()), file=sys.stderr)
    matrix = trainer.Matrix(trainer.with_title_only_copies(trainer.load_examples()))

    with tempfile.TemporaryDirectory(prefix="heldout-eval-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        jobs = []  # (fold, run, file, artefact, titles_only)
        for start, days in folds.items():
            artefact = work / f"model-{start}.json"
            built = trainer.build(matrix, trainer.TOP_FEATURES, frozenset(days))
            artefact.write_text(json.dumps(built, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{start}: trained without {len(days)} days: C={built['training']['C']}, threshold "
                  f"{built['threshold']}, {built['training']['examples']} rows", file=sys.stderr)
            fold_news, fold_status = fold_rows(news, status, days)
            news_file = write_jsonl(work / f"news-{start}.jsonl", fold_news)
            both_file = write_jsonl(work / f"news+status-{start}.jsonl", fold_news + fold_status)
            for run in runs:
                titles_only, with_status = RUNS[run]
                jobs.append((start, run, both_file if with_status else news_file, artefact, titles_only))
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda job: cluster_eval(job[2], job[3], job[4]), jobs))

    by_run: dict[str, list[dict]] = {run: [] for run in runs}
    print("per fold (each scored by an artefact trained without its days):")
    for (start, run, *_), figures in zip(jobs, results, strict=True):
        by_run[run].append(figures)
        print(line(f"{start} {run}", figures))
    print("pooled over the folds (detection counts summed; B-cubed over the union of the folds):")
    summary = []
    for run, figures in by_run.items():
        total = pooled(figures)
        d, b = total["detection"], total["bcubed"]
        print(line(f"all {run}", {"outage_detection": d, "bcubed": b, "scored_items": total["scored_items"],
                                  "incidents": total["incidents"]}))
        summary.append(f"{run} P {d['precision']:.2f} R {d['recall']:.2f} B³F1 {b['f1']:.2f}")
    print(f"held-out pipeline, {len(folds)} folds: " + "; ".join(summary))


if __name__ == "__main__":
    main()
