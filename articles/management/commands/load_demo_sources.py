"""Create or update the offline demo sources listed in articles/data/demo_sources.json.

    python -m articles.demo_server --port 8001 --root tests/fixtures   # in one terminal
    manage.py load_demo_sources --base-url http://127.0.0.1:8001       # then this

Each demo source polls base-url + "/" + its payload's path under tests/fixtures. Same rules and
output as load_default_sources: matched by slug, editor-disabled sources stay disabled.
"""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.models import Source
from articles.sources_catalog import DEMO_SOURCES_FILE, CatalogError, load_demo_sources, url_problem_of

from .load_default_sources import SourceSpec, finish, sync_sources

DEFAULT_BASE_URL = "http://127.0.0.1:8001"


def checked_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, or CommandError saying what is wrong with it."""
    problem = url_problem_of(base_url)
    if not problem:
        parts = urlsplit(base_url)
        if parts.query or parts.fragment:
            problem = "must not have a ?query or #fragment"
    if problem:
        raise CommandError(
            f"--base-url {base_url!r} {problem}. Pass the demo server's address, "
            f"like {DEFAULT_BASE_URL} (start it with: python -m articles.demo_server --port 8001)."
        )
    return base_url.rstrip("/")


def is_private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False  # a DNS name: only the fetcher's own check can tell


class Command(BaseCommand):
    help = "Create or update one demo source per recorded payload, pointing at the local demo server."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"where articles.demo_server serves tests/fixtures (default: {DEFAULT_BASE_URL})",
        )
        parser.add_argument(
            "--file",
            type=Path,
            default=DEMO_SOURCES_FILE,
            help=f"the demo source list to load (default: {DEMO_SOURCES_FILE})",
        )

    def handle(self, *args, **options):
        base_url = checked_base_url(options["base_url"])
        try:
            entries = load_demo_sources(options["file"])
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        specs = [
            SourceSpec(
                slug=entry.slug,
                name=entry.name,
                kind=entry.kind,
                url=entry.url(base_url),
                vendor_name=entry.vendor,
                poll_interval=entry.poll_interval,
            )
            for entry in entries
        ]
        result = sync_sources(specs, self)
        # The demo server is the operator's own (usually 127.0.0.1): its sources may use private
        # addresses, as far as OUTAGEHUB_ALLOW_PRIVATE_SOURCES allows.
        Source.objects.filter(slug__in=[spec.slug for spec in specs]).update(allow_private_addresses=True)
        host = urlsplit(base_url).hostname or ""
        if is_private_host(host) and not getattr(settings, "OUTAGEHUB_ALLOW_PRIVATE_SOURCES", False):
            # On stderr, so stdout still ends with the summary line.
            self.stderr.write(
                f"note: {host} is a private address, which the fetcher refuses by default; "
                "set OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1 for the workers that poll the demo."
            )
        finish(self, result)
