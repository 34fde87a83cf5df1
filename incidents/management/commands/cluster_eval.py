import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from incidents.clustering.eval_replay import replay
from incidents.clustering.metrics import evaluate

THROWAWAY_FLAG = "OUTAGEHUB_CLUSTER_EVAL_THROWAWAY_DB"


class Command(BaseCommand):
    help = (
        "Replay a labelled JSONL file through the production pipeline, in time order, on a throw-away "
        "database, and print outage-detection precision/recall and B-cubed and pairwise P/R/F1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--all-relevant", action="store_true",
                            help="Treat every item as outage-related (general event data such as ECB+).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the figures as JSON.")

    def handle(self, *args, file, all_relevant, as_json, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if os.environ.get(THROWAWAY_FLAG) != "1":
            return self._rerun_on_throwaway_database(path, all_relevant, as_json)

        call_command("migrate", verbosity=0, interactive=False)
        try:
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file}: line {exc.lineno} is not JSON ({exc.msg})") from exc
        result = replay(rows, all_relevant=all_relevant, progress=None if as_json else self._progress)
        figures = evaluate(result.gold, result.assignment, detected=result.detected, all_relevant=all_relevant)
        figures["items_per_second"] = round(len(rows) / result.seconds, 1) if result.seconds else None
        if result.lifecycle is not None:
            figures["lifecycle"] = result.lifecycle
        if as_json:
            self.stdout.write(json.dumps(figures))
        else:
            self._print(path, figures)

    def _rerun_on_throwaway_database(self, path: Path, all_relevant: bool, as_json: bool) -> None:
        """Run this command again in a child process whose database is a fresh SQLite file, so the
        replay never touches the real data whatever DATABASE_URL says."""
        with tempfile.TemporaryDirectory(prefix="outagehub-eval-") as tmp:
            env = {**os.environ, THROWAWAY_FLAG: "1", "DATABASE_URL": f"sqlite:///{tmp}/eval.sqlite3",
                   "OUTAGEHUB_VAR_DIR": tmp, "CELERY_BROKER_URL": "memory://"}
            if not os.environ.get("SECRET_KEY") and not settings.DEBUG:
                env["SECRET_KEY"] = settings.SECRET_KEY
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "cluster_eval", str(path.resolve())]
            command += ["--all-relevant"] * all_relevant + ["--json"] * as_json
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

    def _print(self, path: Path, figures: dict) -> None:
        self.stdout.write(f"{path.name}: {figures['items']} items, {figures['scored_items']} scored, "
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
        self.stdout.write(f"{figures['items_per_second']} items/s")
