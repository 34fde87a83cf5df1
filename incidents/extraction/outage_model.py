"""Does a news item or status post report an outage? A learned linear model, explainable like the rules.

`score(title, body, is_status_post)` turns the item into sparse features, adds up the weights the
model learned for them (logistic regression, trained by `scripts/train_outage_model.py` on the
labelled data in `incidents/data/training/` and `tests/eval/outage-dev.jsonl`) and calls the item an
outage when the probability reaches the model's threshold. The evidence lists the features that
pushed hardest, with their contribution, for example `+1.42 title word "down"` or
`+0.93 cue title outage`, so an editor can still see why.

Features, each kept apart by field (title or body), so a headline alone is read the same way
whether or not a body follows:
* words and word pairs;
* character 3- to 5-grams inside words (" crash", "ashes "), which carry "crashed", "crashes" and
  names the model never saw;
* the cues of `relevance.py` (its rule groups that fired, per field, and its total score): the
  hand-written rules are inputs here, not a second copy;
* whether the item is a vendor's status post.
The outage's subject, when `subjects.find_subject` finds one, is replaced by a placeholder word: the
grammar around it is what generalises ("<subject> is down"), not the name, and a service that is
often in the news for other reasons must not weigh against its own outage.
The model was trained on title-only copies of its examples too, so a headline alone gets a sane
decision.

Pure: no Django, no network, no numpy at runtime (the artefact is JSON). The artefact is
`incidents/data/outage_model.json` unless the environment variable `OUTAGEHUB_OUTAGE_MODEL` names
another (read here only; `cluster_eval --model` sets it to score held-out artefacts). Bounded: the title and
body are cut before anything reads them (`TITLE_CHARS`, `BODY_CHARS`; the rule cues see at most
`relevance.RAW_CHARS` of the body and cut it further themselves), so 1 MB of text costs what a
normal article does. Deterministic: the same input and artefact give the same answer.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from incidents.clustering.text_features import clean_text
from incidents.extraction import relevance, subjects

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "outage_model.json"
MODEL_PATH_ENV = "OUTAGEHUB_OUTAGE_MODEL"  # another artefact instead (held-out evaluation)
FEATURE_VERSION = 1  # bump when `features` changes: the artefact must then be rebuilt (`make model`)

TITLE_CHARS = 300
BODY_CHARS = 1_000  # the lead: a report says "down" early; what follows is mostly background
CHAR_NGRAMS = (3, 5)
MAX_WORD_CHARS = 25  # longer tokens (hashes, URLs run together) give no character n-grams
CUE_SCORE_CLIP = 3.0  # the rule score, in units of its threshold, clipped to ± this
EVIDENCE_ITEMS = 8
SUBJECT_MASK = "subjectname"  # stands for the outage's subject in the words and n-grams

_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class OutageScore:
    probability: float
    is_outage: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class OutageModel:
    weights: dict[str, float]
    intercept: float
    threshold: float
    version: str
    fingerprint: str

    @cached_property
    def char_ngrams(self) -> dict[str, frozenset[str]]:
        """Per field, the character n-grams that have a weight (an item has thousands; a few weigh)."""
        grams: dict[str, set[str]] = {field: set() for field in _FIELDS}
        for name in self.weights:
            field, _, rest = name.partition(":")
            kind, _, gram = rest.partition(":")
            if field in grams and kind == "c":
                grams[field].add(gram)
        return {field: frozenset(found) for field, found in grams.items()}

    def score(self, title: str, body: str | None = None, is_status_post: bool = False) -> OutageScore:
        """How likely the item reports an outage, the decision, and the features that weighed most."""
        contributions = {
            name: self.weights[name] * value
            for name, value in features(title, body, is_status_post, weighed_ngrams=self.char_ngrams).items()
            if name in self.weights
        }
        logit = self.intercept + math.fsum(contributions.values())
        probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
        strongest = sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:EVIDENCE_ITEMS]
        evidence = tuple(f"{value:+.2f} {describe(name)}" for name, value in strongest if round(value, 2))
        return OutageScore(round(probability, 4), probability >= self.threshold, evidence)


def _words(text: str) -> list[str]:
    # Digits fold to 0: "502 errors" and "503 errors" are one feature, years are not names. A digit
    # is a word character as 0 is, so folding before splitting gives the same words.
    return _WORD.findall(_DIGITS.sub("0", text.lower()))


def _char_ngrams(words: list[str]) -> set[str]:
    return set().union(*[_word_ngrams(w) for w in set(words) if len(w) <= MAX_WORD_CHARS and w != SUBJECT_MASK])


# Most words of an item are common ones, met in item after item: their n-grams are kept (some 6 MB).
@lru_cache(maxsize=4096)
def _word_ngrams(word: str) -> tuple[str, ...]:
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1))


def _text_features(field: str, text: str, weighed_ngrams: frozenset[str] | None = None) -> dict[str, float]:
    """Words and word pairs count 1 each (a cue weighs the same in a short or a long headline);
    the many character n-grams share one unit of length (they refine, they do not outvote): each
    is at 1/√n, so together they have unit length whatever the text's length. `weighed_ngrams`:
    list only these n-grams (their value is as without it)."""
    words = _words(text)
    word_feats = {f"{field}:w:{w}" for w in words}
    word_feats.update(f"{field}:b:{a} {b}" for a, b in itertools.pairwise(words))
    grams = _char_ngrams(words)
    if not grams:
        return dict.fromkeys(word_feats, 1.0)
    value = 1.0 / math.sqrt(len(grams))
    if weighed_ngrams is not None:
        grams &= weighed_ngrams
    return dict.fromkeys(word_feats, 1.0) | dict.fromkeys((f"{field}:c:{gram}" for gram in grams), value)


def _cue_features(title: str, body: str) -> dict[str, float]:
    """The rule classifier's view: which of its cue groups fired in which field, and its total."""
    found: dict[str, float] = {}
    for field, text, limit in (("title", title, relevance.TITLE_CHARS), ("body", body, relevance.BODY_CHARS)):
        cleaned = relevance.clean(text, limit)
        if not cleaned:
            continue
        hits, groups = relevance.field_hits(field, cleaned)
        # A group counts when one of its rules kept weight, or (weightless context groups) fired at all.
        fired = {rule.group for rule, _, weight, _ in hits if weight} | (groups & relevance.CONTEXT_GROUPS)
        found.update((f"cue:{field}:{group}", 1.0) for group in fired)
    rule_score = relevance.assess(title, body).score / relevance.THRESHOLD
    found["cue:score"] = round(max(-CUE_SCORE_CLIP, min(CUE_SCORE_CLIP, rule_score)), 4)
    return found


def features(title: str, body: str | None = None, is_status_post: bool = False,
             weighed_ngrams: Mapping[str, frozenset[str]] | None = None) -> dict[str, float]:
    """The item's sparse features. The inputs are cut first: nothing past the cuts is read.
    `weighed_ngrams` (a model's `char_ngrams`): per field, the only character n-grams to list; the
    rest weigh nothing, and naming thousands of them per item is most of the cost."""
    title = (title or "")[: TITLE_CHARS * 3]
    body = (body or "")[: relevance.RAW_CHARS]
    title_text, body_text = clean_text(title, TITLE_CHARS), clean_text(body, BODY_CHARS)
    subject = subjects.find_subject(title_text, body_text)
    if subject:
        # The outage's subject is a placeholder, not a name: a service often in the news for other
        # reasons ("ChatGPT launches…") must not weigh against its own outage, and a name seen in
        # past outages must not make its next launch look like one.
        name = re.compile(rf"(?<!\w){re.escape(subject.name)}(?!\w)", re.IGNORECASE)
        title_text, body_text = name.sub(SUBJECT_MASK, title_text), name.sub(SUBJECT_MASK, body_text)
    weighed = weighed_ngrams or {}
    found = (_text_features("t", title_text, weighed.get("t")) | _text_features("b", body_text, weighed.get("b"))
             | _cue_features(title, body))
    if is_status_post:
        found["status_post"] = 1.0
    return found


_FIELDS = {"t": "title", "b": "body"}
_KINDS = {"w": "word", "b": "words", "c": "chars"}


def describe(name: str) -> str:
    """A feature as an editor reads it: `t:w:down` → `title word "down"`, `cue:title:outage` → `cue title outage`."""
    field, _, rest = name.partition(":")
    if field in _FIELDS:
        kind, _, value = rest.partition(":")
        return f'{_FIELDS[field]} {_KINDS.get(kind, kind)} "{value}"'
    return name.replace(":", " ")


def fingerprint(paths: list[Path]) -> str:
    """What the artefact was trained from: the training files' bytes, the feature code's version and
    the rule table whose cues are features (changing a rule changes what the weights mean)."""
    digest = hashlib.sha256()
    digest.update(f"features {FEATURE_VERSION} {TITLE_CHARS} {BODY_CHARS} {CHAR_NGRAMS} {MAX_WORD_CHARS}\n".encode())
    for rule in relevance.RULES:
        digest.update(f"rule {rule.group} {rule.title} {rule.body} {rule.pattern.pattern}\n".encode())
    digest.update(f"rules {relevance.THRESHOLD} {relevance.TITLE_CHARS} {relevance.BODY_CHARS}\n".encode())
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(f"file {path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def features_digest(items: Iterable[tuple[str, str, bool]]) -> str:
    """The features of sample items (title, body, is_status_post), hashed: it changes when anything
    that makes features changes (this module, the rule cues, the subject finder, text cleaning),
    whichever file that code lives in, so a stale artefact is caught."""
    digest = hashlib.sha256()
    for title, body, is_status_post in items:
        found = sorted((name, round(value, 6)) for name, value in features(title, body, is_status_post).items())
        digest.update(json.dumps(found, ensure_ascii=False).encode())
    return digest.hexdigest()


def load(path: Path = MODEL_PATH) -> OutageModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return OutageModel(
        weights=data["weights"],
        intercept=data["intercept"],
        threshold=data["threshold"],
        version=data["version"],
        fingerprint=data["training"]["fingerprint"],
    )


def artefact_path() -> Path:
    """The artefact in use: the shipped one, or the one `OUTAGEHUB_OUTAGE_MODEL` names."""
    return Path(_artefact_name())


def _artefact_name() -> str:
    return os.environ.get(MODEL_PATH_ENV) or str(MODEL_PATH)


def shipped_model() -> OutageModel:
    """The model in use, loaded once per artefact path (a changed override is honoured). Asked
    twice per article: keyed by the path's text, as making a Path costs more than scoring's lookups."""
    return _load_once(_artefact_name())


@cache
def _load_once(path: str) -> OutageModel:
    return load(Path(path))


def score(title: str, body: str | None = None, is_status_post: bool = False) -> OutageScore:
    """The shipped model's verdict on one item (see `OutageModel.score`)."""
    return shipped_model().score(title, body, is_status_post)
