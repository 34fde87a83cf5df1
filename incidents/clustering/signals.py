"""What clustering knows about one article, and where it looks for candidate incidents (pure).

:class:`ArticleSignals` holds an article's cleaned, bounded text, its term weights, salient
entities and fingerprint, and its extracted facts. :func:`retrieval_keys` names the keys under which
candidate incidents are looked up, within :data:`TIME_WINDOW` of the article (``id:`` keys within
:data:`ID_TIME_WINDOW`); :mod:`incidents.clustering.scoring` then scores those candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from incidents.clustering import text_features as tf

TIME_WINDOW = timedelta(days=3)
"""Candidates are incidents whose keys were last seen within this distance of the article's time."""

ID_TIME_WINDOW = timedelta(days=45)
"""A longer look-back that suits ``id:`` keys alone: one vendor incident's updates can be days
apart (Google Cloud: up to 17 days), and an id match is a hard join whatever the time."""

MAX_KEYS = 12
MAX_TERM_KEYS = 8  # salient-term keys, when the facts leave room
TERM_KEY_NAME_BOOST = 1.5  # names make better keys than other words of the same weight


# --- signals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSignals:
    """What clustering knows about one article: its text features and extracted facts.

    ``title`` and ``body`` are kept cleaned and cut to :data:`text_features.MAX_TITLE_CHARS` /
    :data:`text_features.MAX_BODY_CHARS`. The derived features (``terms``, ``entities``,
    ``fingerprint``) are computed from them when not given.
    """

    item_id: str
    published_at: datetime | None
    title: str
    body: str
    vendors: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    incident_ids: frozenset[str] = frozenset()
    error_messages: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    is_status_post: bool = False
    vendor_incident_id: str = ""
    subject: str = ""  # whose outage: "vendor:<slug>" or "name:<key>" (extraction.facts.subject_of)
    terms: Mapping[str, float] | None = field(default=None, compare=False, repr=False)
    entities: Mapping[str, float] | None = field(default=None, compare=False, repr=False)
    fingerprint: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.published_at is not None and self.published_at.tzinfo is None:
            raise ValueError("published_at must be timezone-aware (UTC)")
        title = tf.clean_text(self.title, tf.MAX_TITLE_CHARS)
        body = tf.clean_text(self.body, tf.MAX_BODY_CHARS)
        set_(self, "title", title)
        set_(self, "body", body)
        for name in ("vendors", "services", "incident_ids", "error_messages", "regions"):
            set_(self, name, frozenset(_norm_set(getattr(self, name), name)))
        set_(self, "vendor_incident_id", (self.vendor_incident_id or "").strip())
        set_(self, "subject", (self.subject or "").strip()[:200])
        if self.terms is None:
            set_(self, "terms", tf.term_vector(title, body))
        if self.entities is None:
            set_(self, "entities", tf.salient_entities(title, body))
        if self.fingerprint is None:
            set_(self, "fingerprint", tf.fingerprint(title, body))

    # Scoring compares these with every candidate incident: worked out once per article.
    @cached_property
    def entities_by_kind(self) -> dict[str, dict[str, float]]:
        return tf.entities_by_kind(self.entities or {})

    @cached_property
    def normalised_entities(self) -> dict[str, float]:
        return tf.normalise(self.entities or {})

    @cached_property
    def terms_norm(self) -> float:
        return tf.norm(self.terms or {})

    @cached_property
    def entities_norm(self) -> float:
        return tf.norm(self.entities or {})

    @property
    def all_ids(self) -> frozenset[str]:
        return self.incident_ids | {self.vendor_incident_id} if self.vendor_incident_id else self.incident_ids


def _norm_set(values: Iterable[str], name: str) -> set[str]:
    out = set()
    for v in values or ():
        v = " ".join(str(v).split())
        if not v:
            continue
        if name in ("vendors", "services", "regions"):
            v = v.lower()
        out.add(v[:300])
    return out


def signals(
    item_id: str,
    title: str | None,
    body: str | None,
    published_at: datetime | None,
    *,
    vendors: Iterable[str] = (),
    services: Iterable[str] = (),
    incident_ids: Iterable[str] = (),
    error_messages: Iterable[str] = (),
    regions: Iterable[str] = (),
    is_status_post: bool = False,
    vendor_incident_id: str = "",
    subject: str = "",
) -> ArticleSignals:
    """Build the signals of one article (cleans and bounds the text, computes term weights etc.)."""
    return ArticleSignals(
        item_id=str(item_id),
        published_at=published_at.astimezone(UTC) if published_at is not None and published_at.tzinfo else published_at,
        title=title or "",
        body=body or "",
        vendors=frozenset(vendors),
        services=frozenset(services),
        incident_ids=frozenset(incident_ids),
        error_messages=frozenset(error_messages),
        regions=frozenset(regions),
        is_status_post=is_status_post,
        vendor_incident_id=vendor_incident_id or "",
        subject=subject or "",
    )


def error_key(message: str) -> str:
    return tf.stable_hash(" ".join(message.lower().split()))


def retrieval_keys(s: ArticleSignals) -> set[str]:
    """Keys under which candidate incidents are looked up (at most :data:`MAX_KEYS`).

    ``id:`` for vendor incident ids, ``subject:`` for whose outage it is, ``vendor:``/``service:``
    slugs, ``err:`` hashes of error messages, and a few ``term:`` keys for the article's most
    salient terms (names first), so text outside the catalogue (a game's servers, general news)
    still finds its incident.
    """
    keys: list[str] = [f"id:{i}" for i in sorted(s.all_ids)]
    keys += [f"subject:{s.subject}"] if s.subject else []
    keys += [f"service:{x}" for x in sorted(s.services)]
    keys += [f"vendor:{x}" for x in sorted(s.vendors)]
    keys += [f"err:{error_key(e)}" for e in sorted(s.error_messages)]
    keys = tf.unique(keys)[: MAX_KEYS - min(MAX_TERM_KEYS, 2)]
    room = MAX_KEYS - len(keys)
    keys += [f"term:{t}" for t in salient_terms(s, min(room, MAX_TERM_KEYS))]
    return set(keys[:MAX_KEYS])


EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def window_around(when: datetime, window: timedelta) -> tuple[datetime, datetime]:
    """``when`` ± ``window``, clamped to the datetimes Python can represent: a feed may claim year 1
    or 9999, and one such article must not stop the others being placed."""
    low = when - window if when - EARLIEST > window else EARLIEST
    high = when + window if LATEST - when > window else LATEST
    return low, high


def key_window(key: str) -> timedelta:
    """How far from the article's time an incident's key may have been last seen to make it a
    candidate: ID_TIME_WINDOW for ``id:`` keys, TIME_WINDOW for the others."""
    return ID_TIME_WINDOW if key.startswith("id:") else TIME_WINDOW


def salient_terms(s: ArticleSignals, k: int = MAX_TERM_KEYS) -> list[str]:
    """The ``k`` most salient terms of the article: TF-IDF weight, names counting extra (ties by the term)."""
    if k <= 0 or not s.terms:
        return []
    ents = s.entities or {}
    ranked = sorted(
        s.terms.items(), key=lambda kv: (-kv[1] * (TERM_KEY_NAME_BOOST if f"name:{kv[0]}" in ents else 1.0), kv[0])
    )
    return [t for t, _ in ranked[:k]]
