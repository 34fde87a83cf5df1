import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from incidents.clustering import scoring
from incidents.clustering.eval_replay import replay
from incidents.clustering.metrics import evaluate
from incidents.extraction import outage_model

THROWAWAY_FLAG = "OUTAGEHUB_CLUSTER_EVAL_THROWAWAY_DB"


class Command(BaseCommand):
    help = (
        "Replay labelled JSONL files (several are merged in time order, e.g. news and a vendor's status "
        "updates) through the production pipeline on a throw-away database, and print outage-detection "
        "precision/recall and B-cubed and pairwise P/R/F1."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--all-relevant", action="store_true",
                            help="Treat every item as outage-related (general event data such as ECB+).")
        parser.add_argument("--titles-only", action="store_true",
                            help="Drop the text of news items (headline-only detection); status posts keep theirs.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the figures as JSON.")
        parser.add_argument("--join-threshold", type=float, default=scoring.JOIN_THRESHOLD, metavar="SCORE",
                            help="Cluster with this join threshold instead of the shipped one "
                                 f"({scoring.JOIN_THRESHOLD}; scripts/ecb_cross_validate.py chooses it by topic).")
        parser.add_argument("--small-incident-extra", type=float, default=scoring.SMALL_INCIDENT_EXTRA,
                            metavar="SCORE", help="...and this extra for one-source incidents, divided by the "
                                                  f"incident's sources (shipped: {scoring.SMALL_INCIDENT_EXTRA}).")
        parser.add_argument("--assignments", type=Path, metavar="FILE",
                            help="Also write each scored item's gold event and incident to FILE (JSON), "
                                 "to score parts of the file apart (scripts/ecb_cross_validate.py).")
        parser.add_argument("--model", type=Path, metavar="ARTEFACT",
                            help="Detect outages with this outage-model artefact instead of the shipped one "
                                 "(e.g. one trained without the replayed days: scripts/heldout_eval.py).")

    def handle(self, *args, files, all_relevant, titles_only, as_json, model, join_threshold, small_incident_extra,
               assignments, **options):
        paths = [Path(file) for file in files]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        rows = _read_rows(paths)  # here too, so that bad input is a clear error before the child starts
        if model is not None:
            try:
                outage_model.load(model)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"{model}: not an outage-model artefact ({exc})") from exc
        thresholds = scoring.Thresholds(join_threshold, small_incident_extra)
        if os.environ.get(THROWAWAY_FLAG) != "1":
            return self._rerun_on_throwaway_database(paths, all_relevant, titles_only, as_json, model, thresholds,
                                                     assignments)

        call_command("migrate", verbosity=0, interactive=False)
        # The replay puts the rows of all files in one time order.
        result = replay(rows, all_relevant=all_relevant, titles_only=titles_only,
                        progress=None if as_json else self._progress, thresholds=thresholds)
        if assignments is not None:
            assignments.write_text(json.dumps({"gold": result.gold, "incident": result.assignment}), encoding="utf-8")
        figures = evaluate(result.gold, result.assignment, detected=result.detected, all_relevant=all_relevant)
        figures["items_per_second"] = round(len(rows) / result.seconds, 1) if result.seconds else None
        if result.lifecycle is not None:
            figures["lifecycle"] = result.lifecycle
        if result.status_replay is not None:
            figures["status_replay"] = result.status_replay
        if as_json:
            self.stdout.write(json.dumps(figures))
        else:
            self._print(paths, figures)

    def _rerun_on_throwaway_database(self, paths: list[Path], all_relevant: bool, titles_only: bool,
                                     as_json: bool, model: Path | None, thresholds: scoring.Thresholds,
                                     assignments: Path | None) -> None:
        """Run this command again in a child process whose database is a fresh SQLite file, so the
        replay never touches the real data whatever DATABASE_URL says. `model` reaches the child's
        outage model through the environment variable the model module reads."""
        with tempfile.TemporaryDirectory(prefix="outagehub-eval-") as tmp:
            env = {**os.environ, THROWAWAY_FLAG: "1", "DATABASE_URL": f"sqlite:///{tmp}/eval.sqlite3",
                   "OUTAGEHUB_VAR_DIR": tmp, "CELERY_BROKER_URL": "memory://"}
            if not os.environ.get("SECRET_KEY") and not settings.DEBUG:
                env["SECRET_KEY"] = settings.SECRET_KEY
            if model is not None:
                env[outage_model.MODEL_PATH_ENV] = str(model.resolve())
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "cluster_eval",
                       *(str(path.resolve()) for path in paths)]
            command += ["--all-relevant"] * all_relevant + ["--titles-only"] * titles_only + ["--json"] * as_json
            if thresholds != scoring.SHIPPED:
                command += ["--join-threshold", repr(thresholds.join),
                            "--small-incident-extra", repr(thresholds.small_incident_extra)]
            if assignments is not None:
                command += ["--assignments", str(assignments.resolve())]
            # Progress and errors go straight to our stderr; the figures come back on stdout.
            completed = subprocess.run(  # noqa: S603 - our own manage.py, arguments we built
                command, env=env, check=False, stdout=subprocess.PIPE, text=True
            )
        self.stdout.write(completed.stdout.rstrip("\n"))
        if completed.returncode != 0:
            raise CommandError("the replay failed; its error is above")

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 200 == 0:
            self.stderr.write(f"  replayed {done}/{total} events")

    def _print(self, paths: list[Path], figures: dict) -> None:
        names = " + ".join(path.name for path in paths)
        self.stdout.write(f"{names}: {figures['items']} items, {figures['scored_items']} scored, "
                          f"{figures['incidents']} incidents")
        detection = figures["outage_detection"]
        if detection:
            self.stdout.write(f"outage detection  precision {detection['precision']:.3f}  recall "
                              f"{detection['recall']:.3f}  (tp {detection['true_positives']}, fp "
                              f"{detection['false_positives']}, fn {detection['false_negatives']})")
        for name in ("bcubed", "pairwise"):
            scores = figures[name]
            self.stdout.write(f"{name:<17} precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  "
                              f"f1 {scores['f1']:.3f}")
        if "lifecycle" in figures:
            life = figures["lifecycle"]
            self.stdout.write(f"lifecycle         {life['right']}/{life['incidents']} incidents with status, "
                              f"start and end right ({life['accuracy']:.1%})")
        if "status_replay" in figures:
            status = figures["status_replay"]
            self.stdout.write(f"status updates    {status['vendor_incidents']} vendor incidents: "
                              f"{status['in_one_incident']} in one incident, {status['status_of_newest_update']} "
                              f"with their newest update's status; {status['updates_stored']}/"
                              f"{status['updates']} updates stored")
        self.stdout.write(f"{figures['items_per_second']} items/s")


def _read_rows(paths: list[Path]) -> list[dict]:
    """The rows of every file; an id must name one row across them all."""
    rows: list[dict] = []
    file_of: dict[str, Path] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}: line {number} is not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or "id" not in row:
                raise CommandError(f"{path}: line {number} is not a row with an id")
            if row["id"] in file_of:
                raise CommandError(f"{path}: line {number}: id {row['id']!r} is already a row of {file_of[row['id']]}")
            file_of[row["id"]] = path
            rows.append(row)
    return rows
