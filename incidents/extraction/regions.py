"""The one region vocabulary: a gazetteer of cloud regions, metros, US states, countries and
macro regions, with the hierarchy between them, and the finder of region mentions in text.

Labels are the names people search for ("Frankfurt", "Germany", "Europe", "EMEA", "Global") and,
for cloud regions, provider:id ("aws:eu-central-1", "azure:germanywestcentral",
"gcp:europe-west3"). A label's parents lead up to "Global": cloud region → metro (or state, or
country where the provider names no city) → state → country → macro regions → "Global". A
country may sit in several macro regions (Mexico: North America and LATAM), so the hierarchy is
a graph, and `expand` / `descendants` walk it both ways: a search for "Frankfurt" finds AWS
eu-central-1, Azure Germany West Central and GCP europe-west3.

Pure: no Django, no network.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from incidents.extraction.mentions import RegionMention

KINDS = ("cloud_region", "metro", "state", "country", "macro", "global")
GLOBAL = "Global"

# --- the gazetteer ---------------------------------------------------------------------------
# The places live in incidents/data/regions.json, next to the catalogue: label, parents, aliases
# as written in text. The label is an alias too, except for the few in _LABELS_NOT_MATCHED_ALONE.
# Aliases are matched case-sensitively and whole-word: "US" only in capitals, "Turkey" not
# "turkey". Cloud regions carry the provider's id and display names; they are matched in text by
# id (any case: GitHub writes "WestEurope") and by display name.
GAZETTEER_FILE = Path(__file__).resolve().parents[1] / "data" / "regions.json"
PLACE_KINDS = ("macro", "country", "state", "metro")

_GCP_MULTI_REGIONS = frozenset({"us", "eu", "asia"})
# Labels too common as ordinary words to be matched by themselves ("Global Accelerator", the
# Phoenix project); their other aliases still are.
_LABELS_NOT_MATCHED_ALONE = frozenset({GLOBAL, "Phoenix"})


_KIND: dict[str, str] = {}
_PARENTS: dict[str, tuple[str, ...]] = {}
_ALIASES: dict[str, str] = {}  # text as written → label
_CLOUD_IDS: dict[str, dict[str, str]] = {}  # provider → lower-case id → label
_DISPLAY_NAMES: dict[str, dict[str, str]] = {}  # provider → display name → label


def _add(label: str, kind: str, parents: list[str], aliases: list[str]) -> None:
    _KIND[label] = kind
    _PARENTS[label] = tuple(parents)
    for alias in aliases:
        _ALIASES.setdefault(alias, label)


def _load() -> None:
    gazetteer = json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))
    for kind in PLACE_KINDS:
        for place in gazetteer[kind]:
            label, aliases = place["label"], place["aliases"]
            names = aliases if label in _LABELS_NOT_MATCHED_ALONE else [label, *aliases]
            _add(label, "global" if label == GLOBAL else kind, place["parents"], names)
    for provider, cloud_regions in gazetteer["cloud_regions"].items():
        ids, names = _CLOUD_IDS.setdefault(provider, {}), _DISPLAY_NAMES.setdefault(provider, {})
        for region in cloud_regions:
            label = f"{provider}:{region['id']}"
            ids[region["id"]] = label
            names.update(dict.fromkeys(region["names"], label))
            _add(label, "cloud_region", region["parents"], region["names"])
    unknown = {parent for parents in _PARENTS.values() for parent in parents} - _KIND.keys()
    if unknown:  # a typo in the data file: fail at import rather than lose a branch silently
        raise ValueError(f"{GAZETTEER_FILE}: region parents without a place: {sorted(unknown)}")


_load()


def _closure(start: str, edges: dict[str, tuple[str, ...]]) -> frozenset[str]:
    seen, stack = {start}, [start]
    while stack:
        for neighbour in edges.get(stack.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return frozenset(seen)


def _children() -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for label, parents in _PARENTS.items():
        for parent in parents:
            children.setdefault(parent, []).append(label)
    return {parent: tuple(labels) for parent, labels in children.items()}


_ANCESTORS = {label: _closure(label, _PARENTS) for label in _KIND}
_CHILDREN = _children()
_DESCENDANTS = {label: _closure(label, _CHILDREN) - {label} for label in _KIND}


_LABELS_BY_FOLDED_NAME = {label.casefold(): label for label in _KIND}


def label_named(name: str) -> str | None:
    """The label a reader means when typing it in any case: "frankfurt" → "Frankfurt"."""
    return _LABELS_BY_FOLDED_NAME.get(name.strip().casefold())


def kind_of(label: str) -> str | None:
    """One of KINDS, or None for a label outside the vocabulary."""
    return _KIND.get(label)


def expand(label: str) -> set[str]:
    """The label and every region that contains it, up to "Global"; empty for an unknown label."""
    return set(_ANCESTORS.get(label, ()))


def descendants(label: str) -> set[str]:
    """Every region inside the label, not the label itself; empty for an unknown label."""
    return set(_DESCENDANTS.get(label, ()))


def cloud_region(provider: str, location: str) -> str | None:
    """The label of a location as a provider's own status data names it ("aws", "us-east-1";
    "azure", "East US" or "eastus"; "gcp", "europe-west3", "eu" or "global"), None if unknown."""
    provider, location = provider.strip().lower(), location.strip()
    if provider == "gcp" and location.lower() == "global":
        return GLOBAL
    ids = _CLOUD_IDS.get(provider, {})
    return (_DISPLAY_NAMES.get(provider, {}).get(location)
            or ids.get(location.lower()) or ids.get(location.lower().replace(" ", "")))


# --- finding mentions in text ----------------------------------------------------------------
# Each word start is looked up in a dict of the aliases that begin with that word, so the cost
# is linear in the text whatever the size of the gazetteer (an alternation of ~800 names would
# try each of them at every position).

_WORD_START = re.compile(r"(?<!\w)[^\W\d_]+")
# A cloud region id stands alone: not inside a host name (ec2.us-east-1.amazonaws.com), a path or
# an availability zone (us-east-1a). The segments exclude the hyphen, so this cannot backtrack far.
_ID_TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z][A-Za-z0-9]{1,30}(?:-[A-Za-z0-9]{1,20}){0,4}(?![\w/-])")


def _aliases_by_first_word() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for alias in _ALIASES:
        grouped.setdefault(_WORD_START.match(alias)[0], []).append(alias)
    return {word: tuple(sorted(aliases, key=len, reverse=True)) for word, aliases in grouped.items()}


_ALIASES_BY_FIRST_WORD = _aliases_by_first_word()


def find_regions(text: str) -> list[RegionMention]:
    """Regions the text names, each label once, in the order they first appear. Where two
    names overlap the longer wins: "US East (Ohio)" is aws:us-east-2, not the United States."""
    spans = [*_cloud_ids_in(text), *_names_in(text)]
    found: dict[str, RegionMention] = {}
    covered_until = 0
    for start, end, label in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < covered_until:
            continue
        covered_until = end
        if label not in found:
            found[label] = RegionMention(label=label, kind=_KIND[label], text=text[start:end])
    return list(found.values())


# Every provider's ids in one dict (no id is shared between providers), without GCP's
# multi-regions: "us", "eu" and "asia" in prose are words, not Google locations.
_ID_LABELS = {
    region_id: label
    for ids in _CLOUD_IDS.values()
    for region_id, label in ids.items()
    if region_id not in _GCP_MULTI_REGIONS
}


def _cloud_ids_in(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _ID_TOKEN.finditer(text):
        label = _ID_LABELS.get(match[0].lower())
        if label:
            yield match.start(), match.end(), label


def _names_in(text: str) -> Iterator[tuple[int, int, str]]:
    for word in _WORD_START.finditer(text):
        start = word.start()
        for alias in _ALIASES_BY_FIRST_WORD.get(word[0], ()):
            end = start + len(alias)
            if text.startswith(alias, start) and _stands_alone(text, start, end, alias):
                yield start, end, _ALIASES[alias]
                break


def _stands_alone(text: str, start: int, end: int, alias: str) -> bool:
    """Whole words only; "US" is not the US of a zone name (US/Pacific) or a locale (en-US)."""
    after = text[end] if end < len(text) else " "
    if after.isalnum() or after == "_":
        return False
    before = text[start - 1] if start else " "
    return not (alias == "US" and (after == "/" or before in "-/"))
