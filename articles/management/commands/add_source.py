from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from articles.adapters import ADAPTERS, detect_kind
from articles.http import client as http_client
from articles.http.errors import FetchError
from articles.http.netguard import UnsafeURLError
from articles.items import AdapterError
from articles.models import Source
from articles.redaction import redact_url
from articles.sanitize import xml_text


def unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "source"
    slug, n = base, 1
    while Source.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Command(BaseCommand):
    help = "Add a feed or status page to poll. Prints the new source's slug and kind (detected when not given)."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument(
            "--kind", choices=sorted(ADAPTERS), help="Source format; detected from the content if omitted."
        )
        parser.add_argument("--name", help="Display name; defaults to the host name.")
        parser.add_argument("--vendor", default="", help="Vendor whose own status page this is (empty for news).")
        parser.add_argument("--interval", type=int, help="Seconds between polls (30..86400).")
        parser.add_argument(
            "--allow-private", action="store_true",
            help="The URL is on a private address (an internal status page): allow it for this source. "
            "Takes effect only when OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1.",
        )

    def handle(self, *args, url, kind, name, vendor, interval, allow_private, **options):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(f"{url!r} is not an http(s) URL; give the full address of the feed or status API.")
        try:
            http_client.refuse_forbidden_source_url(url, allow_private=allow_private)
        except UnsafeURLError as exc:
            raise CommandError(
                f"{redact_url(url)} cannot be a source: {exc.reason}. A source may use a private address (an "
                "internal status page) only with --allow-private and OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1."
            ) from exc
        existing = Source.objects.filter(url=url).first()
        if existing:
            raise CommandError(f"{url} is already a source: {existing.slug} ({existing.kind}).")
        if not kind:
            kind = self._detect(url, allow_private)
        # No stored text holds a character XML 1.0 forbids (PostgreSQL refuses NUL outright).
        name = " ".join(xml_text(name or "").split()) or parts.hostname
        vendor = " ".join(xml_text(vendor).split())
        source = Source.objects.create(
            name=name,
            slug=unique_slug(name),
            kind=kind,
            url=url,
            vendor_name=vendor,
            allow_private_addresses=allow_private,
            poll_interval=interval or (300 if kind == "feed" else 60),
        )
        self.stdout.write(f"{source.slug} {source.kind}")

    def _detect(self, url: str, allow_private: bool) -> str:
        try:
            result = http_client.fetch(url, allow_private=allow_private)
            return detect_kind(result.body, url=result.final_url, content_type=result.content_type)
        except FetchError as exc:
            raise CommandError(
                f"could not fetch {url} to detect its kind: {exc.message}. Fix the URL or pass --kind."
            ) from exc
        except AdapterError as exc:
            raise CommandError(f"{url}: {exc}") from exc
