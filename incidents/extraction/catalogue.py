"""The catalogue of vendors and services, and the matcher that finds them in text. Pure.

The shipped data is data/catalogue.json; its "_about" explains every field and matching rule.
The pipeline builds a Catalogue from the database copy of that file (editors change it in admin),
so `from_data` accepts exactly the shape the file and the database share.

`Catalogue.match` walks a trie of names split into tokens, built once per catalogue: the cost is
linear in the length of the text (times the longest name, a handful of tokens) and does not grow
with the size of the catalogue.
"""

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Literal

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "catalogue.json"

# The columns of incidents.models.Vendor and Service, so that a file that validates here also saves there.
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_VENDOR_SLUG = 80
MAX_SERVICE_SLUG = 120
MAX_VENDOR_NAME = 120
MAX_SERVICE_NAME = 160
MAX_DESCRIPTION = 300
MAX_URL = 500

TOP_LEVEL_FIELDS = ("_about", "vendors", "services")
VENDOR_FIELDS = ("slug", "name", "aliases", "status_page_url", "description")
SERVICE_FIELDS = ("slug", "vendor", "name", "aliases", "description", "requires", "case_sensitive")

# A token is a word, keeping inner dots ("Outlook.com", "1.1.1.1"), or a single punctuation mark.
# Punctuation is a token of its own so that "Pub/Sub", "T-Mobile" and "Let's Encrypt" match as
# spelled, "AWS's" and "AWS-hosted" still contain "AWS", and a comma between two names stops a
# match running across them. Every "." must be followed by a word character, so nothing backtracks.
_TOKEN = re.compile(r"\w+(?:\.\w+)*|[^\w\s]")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")
# Typographic apostrophes and hyphens, folded to the ASCII ones names are written with.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"})


class CatalogueError(ValueError):
    """The catalogue data cannot be used. The message lists every problem, each with its entry."""


@dataclass(frozen=True)
class Vendor:
    slug: str
    name: str
    aliases: tuple[str, ...]
    status_page_url: str
    description: str


@dataclass(frozen=True)
class Service:
    slug: str
    vendor: str  # the vendor's slug
    name: str
    aliases: tuple[str, ...]
    description: str
    requires_vendor: bool
    case_sensitive: bool
    status_page_url: str  # its vendor's: status pages are per vendor


@dataclass(frozen=True)
class EntityMatch:
    """One mention of a vendor or service: `alias` is the text as written, text[start:end]."""

    kind: Literal["vendor", "service"]
    slug: str
    vendor_slug: str
    name: str
    alias: str
    start: int
    end: int


@dataclass(frozen=True)
class _Name:
    """One way of writing an entry, kept at the end of its path in the trie."""

    kind: Literal["vendor", "service"]
    slug: str
    vendor_slug: str
    canonical: str
    words: tuple[str, ...]  # its tokens as written here, for case-sensitive names
    is_lower_case: bool
    case_sensitive: bool
    requires_vendor: bool

    def accepts(self, written: tuple[str, ...]) -> bool:
        """Whether the tokens as the text wrote them are this name. Any case will do, except that
        text all in lower case is an ordinary word ("slack", "zoom", "windows"), not a name with capitals."""
        if self.case_sensitive:
            return written == self.words
        return self.is_lower_case or not "".join(written).islower()


@dataclass
class _Node:
    children: dict[str, "_Node"] = field(default_factory=dict)
    names: list[_Name] = field(default_factory=list)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.translate(_FOLD)))


def _key(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _words(text))


class Catalogue:
    """Vendors and services, and the matcher over their names. Build one with `from_data` or `load_default`."""

    def __init__(self, vendors: list[Vendor], services: list[Service]):
        self.vendors = tuple(vendors)
        self.services = tuple(services)
        self._vendors = {vendor.slug: vendor for vendor in vendors}
        self._services = {service.slug: service for service in services}
        self._root = _Node()
        # A vendor's name without its parenthesis ("X" of "X (Twitter)"): too ambiguous to find in running
        # text, but what a headline calls the vendor when its grammar names the subject of an outage.
        self._short_names = {_PARENTHESIS.sub("", vendor.name).strip(): vendor.slug
                             for vendor in vendors if _PARENTHESIS.search(vendor.name)}
        for vendor in vendors:
            for written in dict.fromkeys((vendor.name, *vendor.aliases)):
                self._add(_Name("vendor", vendor.slug, vendor.slug, vendor.name, _words(written), written.islower(),
                                case_sensitive=False, requires_vendor=False))
        unambiguous = _unambiguous_keys(vendors, services)
        for service in services:
            for written in dict.fromkeys((service.name, *service.aliases)):
                # "Microsoft Teams" names its vendor itself: neither rule is needed for it.
                vouches = _contains_any(_key(written), unambiguous[service.vendor])
                self._add(_Name("service", service.slug, service.vendor, service.name, _words(written),
                                written.islower(), case_sensitive=service.case_sensitive and not vouches,
                                requires_vendor=service.requires_vendor and not vouches))

    # --- building ---------------------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: Mapping) -> "Catalogue":
        """A catalogue from data shaped like catalogue.json; CatalogueError lists every problem."""
        return cls(*_parse(data, "the catalogue data"))

    @classmethod
    def load_default(cls) -> "Catalogue":
        """The shipped catalogue, read and built once per process."""
        return _default_catalogue()

    @staticmethod
    def read_data(path: str | Path = DEFAULT_FILE) -> dict:
        """The validated contents of a catalogue file (the shipped one by default), as plain data."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CatalogueError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
        _parse(data, str(path))
        return data

    def _add(self, name: _Name) -> None:
        node = self._root
        for word in name.words:
            node = node.children.setdefault(word.lower(), _Node())
        node.names.append(name)

    # --- looking up -------------------------------------------------------------------------------

    def vendor(self, slug: str) -> Vendor:
        return self._vendors[slug]

    def service(self, slug: str) -> Service:
        return self._services[slug]

    def owner_of(self, service_slug: str) -> str | None:
        """The vendor slug of a service; None for a slug the catalogue does not hold."""
        service = self._services.get(service_slug)
        return service.vendor if service else None

    def has_vendor(self, slug: str) -> bool:
        return slug in self._vendors

    def vendor_by_short_name(self, name: str) -> str | None:
        """The vendor whose name without its parenthesis is `name` as written (case and all), or None."""
        return self._short_names.get(name.strip())

    # --- matching ---------------------------------------------------------------------------------

    def match(self, text: str) -> list[EntityMatch]:
        """Every mention of a vendor or service in the text, in order.

        1. At each token, the longest name starting there whose case fits; the scan resumes after it.
        2. The vendors named unambiguously: by themselves or by a service that does not require them.
        3. Names that require their vendor are kept only when that vendor is among them."""
        # Folding maps one character to one, so offsets in the folded text are offsets in the text.
        tokens = list(_TOKEN.finditer(text.translate(_FOLD)))
        written = [token.group() for token in tokens]
        keys = [word.lower() for word in written]
        found: list[tuple[int, int, list[_Name]]] = []
        end = 0
        # Most tokens start no name: the trie is walked only from those that do, picked out in one pass.
        for position in compress(range(len(keys)), map(self._root.children.__contains__, keys)):
            if position < end:
                continue  # inside the name found before
            longest = self._longest_name_at(position, keys, written)
            if longest is not None:
                end, names = longest
                found.append((position, end, names))

        named_vendors = {name.vendor_slug for _, _, names in found for name in names if not name.requires_vendor}
        matches = []
        for first, end, names in found:
            start_char, end_char = tokens[first].start(), tokens[end - 1].end()
            for name in names:
                if name.requires_vendor and name.vendor_slug not in named_vendors:
                    continue
                matches.append(EntityMatch(name.kind, name.slug, name.vendor_slug, name.canonical,
                                           text[start_char:end_char], start_char, end_char))
        return matches

    def _longest_name_at(self, position: int, keys: list[str], written: list[str]) -> tuple[int, list[_Name]] | None:
        """(end, names) of the longest name at this token whose case fits the text, or None."""
        node, ends = self._root, []
        for index in range(position, len(keys)):
            node = node.children.get(keys[index])
            if node is None:
                break
            if node.names:
                ends.append((index + 1, node.names))
        for end, names in reversed(ends):
            as_written = tuple(written[position:end])
            accepted = [name for name in names if name.accepts(as_written)]
            if len(accepted) > 1:
                # One entry may be here twice (one name in two spellings, "Fly.io" and "fly.io"): keep it once.
                accepted = list({(name.kind, name.slug): name for name in accepted}.values())
            if accepted:
                return end, accepted
        return None

    def vendors_in(self, text: str) -> list[str]:
        """Slugs of the vendors mentioned, directly or through one of their services, in order of first mention."""
        return list(dict.fromkeys(match.vendor_slug for match in self.match(text)))

    def services_in(self, text: str) -> list[str]:
        """Slugs of the services mentioned, in order of first mention."""
        return list(dict.fromkeys(match.slug for match in self.match(text) if match.kind == "service"))


@functools.cache
def _default_catalogue() -> Catalogue:
    return Catalogue.from_data(Catalogue.read_data())


def _unambiguous_keys(vendors: list[Vendor], services: list[Service]) -> dict[str, set[tuple[str, ...]]]:
    """Per vendor, the names that name it on their own: its names and those of services needing no vendor."""
    keys: dict[str, set[tuple[str, ...]]] = {vendor.slug: set() for vendor in vendors}
    for entry in [*vendors, *(service for service in services if not service.requires_vendor)]:
        vendor_slug = entry.vendor if isinstance(entry, Service) else entry.slug
        keys[vendor_slug].update(_key(written) for written in (entry.name, *entry.aliases))
    return keys


def _contains_any(key: tuple[str, ...], keys: set[tuple[str, ...]]) -> bool:
    return any(key[start:end] in keys for start in range(len(key)) for end in range(start + 1, len(key) + 1))


# --- validation ------------------------------------------------------------------------------------


def _parse(data: object, source: str) -> tuple[list[Vendor], list[Service]]:
    """Vendors and services from catalogue data, or CatalogueError listing every problem in it at once,
    so that a bad edit is fixed in one pass."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CatalogueError(f'{source}: must be an object with "vendors" and "services" lists')
    problems += [f"unknown top-level field {key!r} (allowed: {', '.join(TOP_LEVEL_FIELDS)})"
                 for key in data if key not in TOP_LEVEL_FIELDS]
    raw_vendors, raw_services = (_entries(data, key, problems) for key in ("vendors", "services"))

    vendors: dict[str, Vendor] = {}
    for index, raw in enumerate(raw_vendors):
        vendor = _vendor(raw, f"vendor #{index + 1}", problems)
        if vendor and vendor.slug in vendors:
            problems.append(f'vendor #{index + 1} "{vendor.slug}": slug already used by an earlier vendor')
        elif vendor:
            vendors[vendor.slug] = vendor
    services: dict[str, Service] = {}
    for index, raw in enumerate(raw_services):
        service = _service(raw, f"service #{index + 1}", vendors, problems)
        if service and service.slug in services:
            problems.append(f'service #{index + 1} "{service.slug}": slug already used by an earlier service')
        elif service:
            services[service.slug] = service
    problems += _shared_names(list(vendors.values()), list(services.values()))

    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise CatalogueError(f"{source}: {len(problems)} problem(s):\n{listed}")
    return list(vendors.values()), list(services.values())


def _entries(data: Mapping, key: str, problems: list[str]) -> list:
    entries = data.get(key)
    if not isinstance(entries, list):
        problems.append(f'"{key}" must be a list of objects')
        return []
    return entries


def _vendor(raw: object, where: str, problems: list[str]) -> Vendor | None:
    fields = _Fields(raw, where, VENDOR_FIELDS, problems)
    vendor = Vendor(
        slug=fields.slug(MAX_VENDOR_SLUG),
        name=fields.text("name", required=True, max_length=MAX_VENDOR_NAME),
        aliases=fields.aliases(),
        status_page_url=fields.url("status_page_url"),
        description=fields.text("description", max_length=MAX_DESCRIPTION),
    )
    return None if fields.has_problems else vendor


def _service(raw: object, where: str, vendors: Mapping[str, Vendor], problems: list[str]) -> Service | None:
    fields = _Fields(raw, where, SERVICE_FIELDS, problems)
    vendor_slug = fields.text("vendor", required=True)
    vendor = vendors.get(vendor_slug)
    if vendor_slug and vendor is None:
        fields.problem(f'vendor "{vendor_slug}" is not the slug of a vendor in the catalogue')
    requires = fields.text("requires")
    if requires not in ("", "vendor"):
        fields.problem(f'requires must be "vendor" (the only rule) or left out, not "{requires}"')
    service = Service(
        slug=fields.slug(MAX_SERVICE_SLUG),
        vendor=vendor_slug,
        name=fields.text("name", required=True, max_length=MAX_SERVICE_NAME),
        aliases=fields.aliases(),
        description=fields.text("description", max_length=MAX_DESCRIPTION),
        requires_vendor=requires == "vendor",
        case_sensitive=fields.flag("case_sensitive"),
        status_page_url=vendor.status_page_url if vendor else "",
    )
    return None if fields.has_problems else service


class _Fields:
    """Reads one entry's fields, noting each problem with where the entry is and its slug."""

    def __init__(self, raw: object, where: str, allowed: tuple[str, ...], problems: list[str]):
        self.raw = raw if isinstance(raw, Mapping) else {}
        self.where = f'{where} "{self.raw["slug"]}"' if isinstance(self.raw.get("slug"), str) else where
        self.problems = problems
        self.count_before = len(problems)
        if not isinstance(raw, Mapping):
            self.problem("must be an object")
        for key in self.raw:
            if key not in allowed:
                self.problem(f"unknown field {key!r} (allowed: {', '.join(allowed)})")

    @property
    def has_problems(self) -> bool:
        return len(self.problems) > self.count_before

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str):
            self.problem(f"{key} must be a string")
            return ""
        if required and not value.strip():
            self.problem(f"{key} is empty" if key in self.raw else f"{key} is missing")
        if max_length is not None and len(value) > max_length:
            self.problem(f"{key} has {len(value)} characters; at most {max_length} fit the database")
        return value

    def slug(self, max_length: int) -> str:
        slug = self.text("slug", required=True, max_length=max_length)
        if slug and not SLUG_PATTERN.match(slug):
            self.problem(f'slug "{slug}" may hold only letters, digits, hyphens and underscores')
        return slug

    def url(self, key: str) -> str:
        url = self.text(key, max_length=MAX_URL)
        if url and not url.startswith(("https://", "http://")):
            self.problem(f'{key} "{url}" must be an http(s) address or ""')
        return url

    def aliases(self) -> tuple[str, ...]:
        aliases = self.raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(alias, str) and alias.strip() for alias in aliases):
            self.problem("aliases must be a list of non-empty strings")
            return ()
        return tuple(aliases)

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            self.problem(f"{key} must be true or false")
            return False
        return value


def _shared_names(vendors: list[Vendor], services: list[Service]) -> list[str]:
    """Names that two entries of one vendor share: text naming them could not say which is meant."""
    problems = []
    owners: dict[tuple[str, tuple[str, ...]], str] = {}
    entries = [("vendor", vendor.slug, vendor) for vendor in vendors]
    entries += [("service", service.vendor, service) for service in services]
    for kind, vendor_slug, entry in entries:
        label = f'{kind} "{entry.slug}"'
        for written in dict.fromkeys((entry.name, *entry.aliases)):
            owner = owners.setdefault((vendor_slug, _key(written)), label)
            if owner != label:
                problems.append(f'"{written}" names both {owner} and {label} (vendor "{vendor_slug}"); '
                                f"keep it in one of them")
    return problems
