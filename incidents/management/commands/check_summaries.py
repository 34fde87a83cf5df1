import json

from django.core.management.base import BaseCommand, CommandError

from incidents.catalogue_store import current_catalogue
from incidents.models import Incident
from incidents.summaries.brief import missing_parts
from incidents.summaries.faithfulness import unsupported_claims
from incidents.summaries.roles import wrong_role_claims
from incidents.summaries.service import brief_for, stored_summary


class Command(BaseCommand):
    help = (
        "Check every incident's current summary: claims its cited sources and the incident's facts do not "
        "support (there must be none), claims in a wrong role (a victim listed as the vendor's service, a "
        "region only named as not affected, a 0-minute resolved incident, a 'still' or 'not acknowledged' "
        "that a cited source contradicts, a workaround that is not one), and missing parts (why-this-matters, "
        "3-6 takeaways, a citation on every statement). Exits 1 when any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the totals and details as JSON.")

    def handle(self, *args, **options):
        as_json = options["json"]
        catalogue = current_catalogue()
        # What readers see: a hidden incident (an editor's, or a fragment merged into another) has no page.
        incidents = (Incident.objects.public().filter(merged_into__isnull=True).select_related("vendor", "summary")
                     .order_by("started_at", "pk"))
        total = incidents.count()
        details, unsupported_total, wrong_role_total, missing_total = [], 0, 0, 0
        for n, incident in enumerate(incidents.iterator(chunk_size=200), 1):
            detail = {"incident": incident.slug, "title": incident.title, "why_this_matters": "", "takeaways": [],
                      "unsupported": [], "wrong_role": [], "missing": []}
            if incident.summary is None:
                detail["missing"] = ["summary: none written yet (is a worker running, or run fetch_sources --sync)"]
            else:
                summary = stored_summary(incident.summary)
                # The facts as of when the summary was written: "not yet acknowledged as of …" was true then.
                brief = brief_for(incident, now=incident.summary.created_at)
                detail["why_this_matters"] = summary.why_text
                detail["takeaways"] = [{"text": t.text, "citations": list(t.citations)} for t in summary.takeaways]
                detail["unsupported"] = [str(claim) for claim in unsupported_claims(summary, brief, catalogue)]
                detail["wrong_role"] = [{"kind": claim.kind, "claim": claim.claim, "statement": claim.statement,
                                         "why": claim.why} for claim in wrong_role_claims(summary, brief, catalogue)]
                detail["missing"] = missing_parts(summary)
            unsupported_total += len(detail["unsupported"])
            wrong_role_total += len(detail["wrong_role"])
            missing_total += len(detail["missing"])
            details.append(detail)
            if not as_json and (detail["unsupported"] or detail["wrong_role"] or detail["missing"]):
                self.stdout.write(f"[{n}/{total}] {incident.slug}")
                for problem in detail["unsupported"]:
                    self.stdout.write(f"    unsupported: {problem}")
                for claim in detail["wrong_role"]:
                    self.stdout.write(f"    wrong role ({claim['kind'].replace('_', ' ')}): \"{claim['claim']}\" "
                                      f"in \"{claim['statement']}\": {claim['why']}")
                for problem in detail["missing"]:
                    self.stdout.write(f"    missing: {problem}")
        if as_json:
            totals = {"incidents": total, "unsupported_claims": unsupported_total,
                      "wrong_role_claims": wrong_role_total, "missing_parts": missing_total}
            self.stdout.write(json.dumps({**totals, "details": details}, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"checked {total} incident summaries: {unsupported_total} unsupported claims, "
                              f"{wrong_role_total} claims in a wrong role, {missing_total} missing parts")
        if unsupported_total or wrong_role_total or missing_total:
            raise CommandError(f"{unsupported_total} unsupported claims, {wrong_role_total} claims in a wrong role, "
                               f"{missing_total} missing parts", returncode=1)
