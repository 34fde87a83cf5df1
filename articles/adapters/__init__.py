"""Source-format adapters: one module per format, all returning `articles.items.Item`.

Each adapter module defines
    KIND   -- the value stored in Source.kind
    LABEL  -- a human name for admin and command output
    parse(body: bytes, url: str, content_type: str) -> list[Item]
        raising AdapterError with a readable message on input it cannot read;
    sniff(body: bytes, url: str, content_type: str) -> int
        0..100, how sure it is that the payload is its format (used to detect a new source's kind);
and, when the format publishes the state of the vendor's components,
    components(body: bytes, url: str, content_type: str) -> PageStatus | None
        (None for a payload of that format that carries none, e.g. Statuspage's incidents.json).

To add a format: write the module, add it to ADAPTER_MODULES below, run makemigrations (the kind
choices live in the database schema), and add its recorded payload under tests/fixtures/.
"""

from importlib import import_module
from types import ModuleType

from ..items import AdapterError, Item, PageStatus
from .common import MAX_ITEMS

ADAPTER_MODULES = (
    "feed",
    "statuspage",
    "statuspage_feed",
    "gcp",
    "aws_rss",
    "aws_json",
    "azure",
    "slack",
    "statusio",
)

ADAPTERS: dict[str, ModuleType] = {}
for _name in ADAPTER_MODULES:
    _module = import_module(f"{__name__}.{_name}")
    ADAPTERS[_module.KIND] = _module

KIND_CHOICES = [(kind, module.LABEL) for kind, module in ADAPTERS.items()]


def parse_payload(kind: str, body: bytes, url: str = "", content_type: str = "") -> list[Item]:
    """Run the adapter for `kind`. Any exception, even a parser bug, becomes an AdapterError:
    one bad payload must never take a worker down (feedparser 6.0.14 raises on some inputs)."""
    try:
        adapter = ADAPTERS[kind]
    except KeyError:
        raise AdapterError(f"unknown source kind {kind!r}; known kinds: {', '.join(ADAPTERS)}") from None
    try:
        items = adapter.parse(body, url=url, content_type=content_type)
    except AdapterError:
        raise
    except Exception as exc:  # the whole point: contain any parser failure
        raise AdapterError(f"the {adapter.LABEL} parser failed on this payload ({type(exc).__name__}: {exc})") from exc
    if len(items) > MAX_ITEMS:  # a JSON status API can list as many as it likes; storing them all is the cost
        raise AdapterError(f"the payload holds {len(items):,} items, more than the {MAX_ITEMS:,} a source may have; "
                           "refused. Use an address that lists recent items only")
    return items


def parse_components(kind: str, body: bytes, url: str = "", content_type: str = "") -> PageStatus | None:
    """The state of the page's components, when its format publishes them (else None); any exception
    becomes an AdapterError, as in parse_payload."""
    adapter = ADAPTERS.get(kind)
    reader = getattr(adapter, "components", None)
    if reader is None:
        return None
    try:
        return reader(body, url=url, content_type=content_type)
    except AdapterError:
        raise
    except Exception as exc:  # contained like any parser failure
        raise AdapterError(f"the {adapter.LABEL} parser failed on this payload's components "
                           f"({type(exc).__name__}: {exc})") from exc


def publishes_components(kind: str) -> bool:
    return hasattr(ADAPTERS.get(kind), "components")


def detect_kind(body: bytes, url: str = "", content_type: str = "") -> str:
    """The kind whose adapter is most sure it can read the payload, or AdapterError."""
    best_kind, best_score = "", 0
    for kind, adapter in ADAPTERS.items():
        try:
            score = adapter.sniff(body, url=url, content_type=content_type)
        except Exception:  # noqa: BLE001 - a sniffer that fails simply does not claim the payload
            score = 0
        if score > best_score:
            best_kind, best_score = kind, score
    if not best_kind:
        raise AdapterError(
            "could not tell what kind of source this is (not RSS/Atom, nor a known status-page JSON); "
            "pass --kind explicitly"
        )
    return best_kind
