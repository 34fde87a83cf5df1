"""Create or update the curated real sources listed in articles/data/default_sources.json.

    manage.py load_default_sources [--file PATH]

Sources are matched by slug. An existing source keeps its `enabled` flag: an editor who
disabled one meant it, and reloading the list must not switch it back on. The sync itself
(`sync_sources`) is shared with load_demo_sources.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Source, clamp_poll_interval
from articles.sources_catalog import DEFAULT_SOURCES_FILE, CatalogError, load_default_sources

# Fields the file owns. Everything else on a Source (enabled, fetch and health state) belongs to
# editors and workers and is never written here.
FILE_OWNED_FIELDS = ("name", "kind", "url", "vendor_name", "poll_interval")
# The validators and body hash were recorded for the old URL or format; keeping them would make
# the first poll of the new one send a stale If-None-Match or skip a body that merely looks the same.
FETCH_STATE_FIELDS = ("etag", "last_modified", "body_hash")


@dataclass(frozen=True)
class SourceSpec:
    """What one Source row should hold, whichever file it was read from."""

    slug: str
    name: str
    kind: str
    url: str
    vendor_name: str
    poll_interval: int


class SyncResult(Counter):
    """How many sources were created, updated, left unchanged or skipped."""

    def summary(self) -> str:
        total = sum(self.values())
        line = (
            f"{total} source{'s' if total != 1 else ''}: "
            f"{self['created']} created, {self['updated']} updated, {self['unchanged']} unchanged"
        )
        if self["skipped"]:
            line += f", {self['skipped']} skipped"
        return line


def sync_sources(specs: list[SourceSpec], command: BaseCommand) -> SyncResult:
    """Create or update one Source per spec, printing one line each through `command`."""
    result = SyncResult()
    for spec in specs:
        action, note = sync_one(spec)
        result[action] += 1
        style = {"created": command.style.SUCCESS, "updated": command.style.WARNING, "skipped": command.style.ERROR}
        label = style.get(action, str)(f"{action:<9}")
        command.stdout.write(f"{label} {spec.slug} ({spec.kind}) {spec.url}{note}")
    return result


def sync_one(spec: SourceSpec) -> tuple[str, str]:
    """(action, note to print after the source) for one spec."""
    wanted = {
        "name": spec.name,
        "kind": spec.kind,
        "url": spec.url,
        "vendor_name": spec.vendor_name,
        # Compared clamped, as the model saves it, so an out-of-range value is not "updated" on every run.
        "poll_interval": clamp_poll_interval(spec.poll_interval),
    }
    url_owner = Source.objects.filter(url=spec.url).exclude(slug=spec.slug).values_list("slug", flat=True).first()
    if url_owner:
        return "skipped", (
            f" -- this URL already belongs to source {url_owner!r}; "
            f"change the slug in the file to {url_owner!r} or edit that source's URL in the admin"
        )

    source = Source.objects.filter(slug=spec.slug).first()
    if source is None:
        Source.objects.create(slug=spec.slug, **wanted)
        return "created", ""

    changed = [field for field in FILE_OWNED_FIELDS if getattr(source, field) != wanted[field]]
    note = " (disabled by an editor; left disabled)" if not source.enabled else ""
    if not changed:
        return "unchanged", note
    for field in changed:
        setattr(source, field, wanted[field])
    if "url" in changed or "kind" in changed:
        for field in FETCH_STATE_FIELDS:
            setattr(source, field, "")
        changed += FETCH_STATE_FIELDS
    # Only the changed columns: a worker may be saving this row's fetch state right now.
    source.save(update_fields=changed)
    return "updated", f" [{', '.join(f for f in changed if f in FILE_OWNED_FIELDS)}]{note}"


def finish(command: BaseCommand, result: SyncResult) -> None:
    """Print the one-line summary; fail the command if any source could not be written."""
    command.stdout.write(result.summary())
    if result["skipped"]:
        raise CommandError(
            f"{result['skipped']} source(s) skipped because their URL belongs to another source; "
            "see the 'skipped' lines above for which and what to do."
        )


class Command(BaseCommand):
    help = "Create or update the curated real news feeds and vendor status pages (by slug); keeps disabled ones off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_SOURCES_FILE,
            help=f"the source list to load (default: {DEFAULT_SOURCES_FILE})",
        )

    def handle(self, *args, **options):
        try:
            entries = load_default_sources(options["file"])
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        specs = [
            SourceSpec(
                slug=entry.slug,
                name=entry.name,
                kind=entry.kind,
                url=entry.url,
                vendor_name=entry.vendor,
                poll_interval=entry.poll_interval,
            )
            for entry in entries
        ]
        finish(self, sync_sources(specs, self))
