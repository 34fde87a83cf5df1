import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incidents.catalogue_store import current_catalogue
from incidents.extraction.facts import extract, facts_as_json


class Command(BaseCommand):
    help = "Print the facts and the outage decision for the text in FILE (first line the title, the rest the body)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print JSON (keys as in ../shared/eval/README.md).")

    def handle(self, *args, file, as_json: bool, **options):
        try:
            text = Path(file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        title, _, body = text.partition("\n")
        facts = facts_as_json(extract(title.strip(), body.strip(), timezone.now(), current_catalogue()))
        if as_json:
            self.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2))
            return
        verdict = "yes" if facts["is_outage"] else "no"
        self.stdout.write(f"outage: {verdict} (probability {facts['relevance_score']:.2f})")
        for line in facts["evidence"]:
            self.stdout.write(f"  {line}")
        for key in ("vendors", "services", "vendor_incident_ids", "error_messages", "regions"):
            self.stdout.write(f"{key}: {', '.join(facts[key]) or '-'}")
        self.stdout.write("times: " + (", ".join(f"{t['text']} = {t['utc']}" for t in facts["times"]) or "-"))
        self.stdout.write(f"status: {facts['status'] or '-'}")
