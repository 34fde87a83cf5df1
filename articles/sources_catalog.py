"""The shipped source lists: articles/data/default_sources.json and demo_sources.json.

Pure Python, no Django: it reads a file and returns validated entries, or raises CatalogError
listing every problem (file, entry, cause) at once, so a bad edit is fixed in one pass instead
of one error per run. The management commands turn entries into `Source` rows.
"""

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SOURCES_FILE = DATA_DIR / "default_sources.json"
DEMO_SOURCES_FILE = DATA_DIR / "demo_sources.json"
FIXTURES_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

NEWS_KIND = "feed"  # the one kind that carries news articles; every other kind is a vendor status page
STATUS_POLL_SECONDS = 60
NEWS_POLL_SECONDS = 300

# The limits of the Source model's columns, so a file that validates here also saves there.
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_SLUG_LENGTH = 120
MAX_NAME_LENGTH = 200
MAX_VENDOR_LENGTH = 120
MAX_URL_LENGTH = 2000

COMMON_FIELDS = {"slug": str, "name": str, "kind": str, "vendor": str}
DEFAULT_FIELDS = {**COMMON_FIELDS, "url": str, "poll_interval": int}
DEMO_FIELDS = {**COMMON_FIELDS, "path": str, "content_type": str}
OPTIONAL_DEMO_FIELDS = {"poll_interval": int}
TYPE_NAMES = {str: "a string", int: "a whole number"}


class CatalogError(ValueError):
    """A source list cannot be used. The message names the file, each bad entry and the cause."""


@dataclass(frozen=True)
class CatalogSource:
    """One real source to poll, as listed in default_sources.json."""

    slug: str
    name: str
    kind: str
    url: str
    vendor: str
    poll_interval: int

    @property
    def is_news(self) -> bool:
        return self.kind == NEWS_KIND


@dataclass(frozen=True)
class DemoSource:
    """One recorded payload served by articles.demo_server, as listed in demo_sources.json."""

    slug: str
    name: str
    kind: str
    vendor: str
    path: str  # relative to tests/fixtures, with forward slashes
    content_type: str
    poll_interval: int

    @property
    def is_news(self) -> bool:
        return self.kind == NEWS_KIND

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + "/" + quote(self.path)


def adapter_kinds() -> list[str]:
    """The kinds the adapters can read. Imported late: the adapters are pure too, but callers
    that only want the file's shape (tests with their own kinds) should not need them."""
    from .adapters import ADAPTERS

    return list(ADAPTERS)


def load_default_sources(
    path: Path = DEFAULT_SOURCES_FILE, known_kinds: Collection[str] | None = None
) -> list[CatalogSource]:
    reader = _CatalogReader(path, known_kinds)
    sources = []
    for where, entry in reader.entries():
        if not reader.check_fields(where, entry, DEFAULT_FIELDS):
            continue
        reader.check_common(where, entry)
        url_problem = url_problem_of(entry["url"])
        if url_problem:
            reader.problem(where, f"bad url {entry['url']!r}: {url_problem}")
        elif entry["url"] in reader.seen_urls:
            reader.problem(where, f"url {entry['url']!r} is also used by {reader.seen_urls[entry['url']]}")
        else:
            reader.seen_urls[entry["url"]] = where
        if isinstance(entry["poll_interval"], bool) or entry["poll_interval"] < 1:
            reader.problem(where, f"poll_interval must be a positive number of seconds, not {entry['poll_interval']!r}")
        sources.append(CatalogSource(**{name: entry[name] for name in DEFAULT_FIELDS}))
    reader.raise_if_problems()
    return sources


def load_demo_sources(
    path: Path = DEMO_SOURCES_FILE,
    known_kinds: Collection[str] | None = None,
    fixtures_dir: Path | None = FIXTURES_DIR,
) -> list[DemoSource]:
    """Pass fixtures_dir=None to skip checking that each payload file exists."""
    reader = _CatalogReader(path, known_kinds)
    sources = []
    for where, entry in reader.entries():
        if not reader.check_fields(where, entry, DEMO_FIELDS, OPTIONAL_DEMO_FIELDS):
            continue
        reader.check_common(where, entry)
        path_problem = demo_path_problem_of(entry["path"], fixtures_dir)
        if path_problem:
            reader.problem(where, f"bad path {entry['path']!r}: {path_problem}")
        elif entry["path"] in reader.seen_paths:
            reader.problem(where, f"path {entry['path']!r} is also used by {reader.seen_paths[entry['path']]}")
        else:
            reader.seen_paths[entry["path"]] = where
        if not entry["content_type"].strip() or "/" not in entry["content_type"]:
            reader.problem(where, f"content_type {entry['content_type']!r} is not a media type like application/json")
        default_interval = NEWS_POLL_SECONDS if entry["kind"] == NEWS_KIND else STATUS_POLL_SECONDS
        sources.append(
            DemoSource(
                slug=entry["slug"],
                name=entry["name"],
                kind=entry["kind"],
                vendor=entry["vendor"],
                path=entry["path"],
                content_type=entry["content_type"],
                poll_interval=entry.get("poll_interval", default_interval),
            )
        )
    reader.raise_if_problems()
    return sources


def url_problem_of(url: str) -> str:
    """Why `url` cannot be polled, or "" when it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH} characters"
    if url != url.strip() or any(ch.isspace() for ch in url):
        return "contains spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - evaluated for the ValueError a bad port raises
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host name"
    return ""


def demo_path_problem_of(path: str, fixtures_dir: Path | None) -> str:
    """Why `path` cannot name a recorded payload, or "" when it can."""
    if not path or "\\" in path:
        return "must be a relative path with forward slashes, like technews/feed.rss"
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        return "must stay inside tests/fixtures (no leading or doubled /, no . or .. segments)"
    if fixtures_dir is not None and not (fixtures_dir / path).is_file():
        return f"no such file under {fixtures_dir}"
    return ""


class _CatalogReader:
    """Reads one file's entries and collects problems, each prefixed with where it is."""

    def __init__(self, path: Path, known_kinds: Collection[str] | None):
        self.path = Path(path)
        self.known_kinds = list(known_kinds) if known_kinds is not None else adapter_kinds()
        self.problems: list[str] = []
        self.seen_slugs: dict[str, str] = {}
        self.seen_urls: dict[str, str] = {}
        self.seen_paths: dict[str, str] = {}

    def entries(self):
        """(where, entry) for each entry; file-level problems raise CatalogError at once."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"{self.path}: file not found") from None
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{self.path}: not UTF-8 text ({exc})") from None
        except json.JSONDecodeError as exc:
            raise CatalogError(
                f"{self.path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
            raise CatalogError(f'{self.path}: expected an object like {{"_about": "...", "sources": [...]}}')
        for index, entry in enumerate(document["sources"], start=1):
            slug = entry.get("slug") if isinstance(entry, dict) else None
            where = f"entry {index} ({slug!r})" if isinstance(slug, str) and slug else f"entry {index}"
            if not isinstance(entry, dict):
                self.problem(where, f"expected an object, got {type(entry).__name__}")
                continue
            yield where, entry

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def check_fields(self, where: str, entry: dict, required: dict, optional: dict | None = None) -> bool:
        """Every required field present with the right type, and no unknown field (a typo such as
        "vendor_name" would otherwise be silently ignored). False when the entry cannot be used."""
        optional = optional or {}
        usable = True
        for name, expected_type in required.items():
            if name not in entry:
                self.problem(where, f"missing field {name!r}")
                usable = False
            elif not isinstance(entry[name], expected_type):
                self.problem(where, f"field {name!r} must be {TYPE_NAMES[expected_type]}, got {entry[name]!r}")
                usable = False
        for name, expected_type in optional.items():
            if name in entry and (not isinstance(entry[name], expected_type) or isinstance(entry[name], bool)):
                self.problem(where, f"field {name!r} must be {TYPE_NAMES[expected_type]}, got {entry[name]!r}")
                usable = False
        unknown = sorted(set(entry) - set(required) - set(optional))
        if unknown:
            allowed = ", ".join([*required, *optional])
            self.problem(where, f"unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
        return usable

    def check_common(self, where: str, entry: dict) -> None:
        slug, name, kind, vendor = entry["slug"], entry["name"], entry["kind"], entry["vendor"]
        if not SLUG_PATTERN.match(slug) or len(slug) > MAX_SLUG_LENGTH:
            self.problem(where, f"slug {slug!r} must be 1-{MAX_SLUG_LENGTH} letters, digits, - or _")
        elif slug in self.seen_slugs:
            self.problem(where, f"duplicate slug {slug!r}, already used by {self.seen_slugs[slug]}")
        else:
            self.seen_slugs[slug] = where
        if not name.strip() or len(name) > MAX_NAME_LENGTH:
            self.problem(where, f"name must be 1-{MAX_NAME_LENGTH} characters")
        if len(vendor) > MAX_VENDOR_LENGTH:
            self.problem(where, f"vendor must be at most {MAX_VENDOR_LENGTH} characters")
        if kind not in self.known_kinds:
            self.problem(where, f"unknown kind {kind!r}; known kinds: {', '.join(self.known_kinds)}")
        elif kind != NEWS_KIND and not vendor.strip():
            # Status posts are attributed to their vendor; without one they could not be grouped.
            self.problem(where, f"a {kind!r} source is a vendor status page and needs a vendor name")

    def raise_if_problems(self) -> None:
        if self.problems:
            listing = "\n  ".join(self.problems)
            count = len(self.problems)
            raise CatalogError(
                f"{self.path}: {count} problem{'s' if count != 1 else ''}; fix the entries below and run again:\n"
                f"  {listing}"
            )
