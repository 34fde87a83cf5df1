"""Text features for clustering (pure: no Django, no network, deterministic).

* ``clean_text``: HTML remnants out, entities decoded, whitespace folded, length bounded, so a
  1 MB page costs the same as a 20 kB one.
* ``tokens`` / ``stem``: lower-case word tokens with a light English suffix stripper.
* ``idf``: a static inverse document frequency from English word frequencies (wordfreq), so a
  term's weight never depends on what the archive happens to hold.
* ``term_vector``: sublinear TF x IDF over title (counted extra) and body, L2-normalised, top-K.
* ``salient_entities``: names (capitalised words and runs of them), numbers, years and dates:
  what tells apart two events of the same kind (two earthquakes, two outages of one service).
* ``simhash``: a 64-bit fingerprint of word shingles for near-duplicate (syndicated) copies.
"""

from __future__ import annotations

import hashlib
import html
import math
import operator
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import repeat

MAX_TITLE_CHARS = 400
MAX_BODY_CHARS = 12_000
MAX_TERMS = 120  # terms kept per article vector

_TAG = re.compile(r"<(script|style)\b[^>]{0,500}>.{0,100000}?</\1\s*>|<!--.{0,20000}?-->|<[^<>]{0,2000}>", re.I | re.S)
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")
_NL = re.compile(r"\s*\n\s*")
_WORD = re.compile(r"[^\W_]+(?:[-'\u2019.][^\W_]+)*")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said says say told according one two three new also may might must shall
    would could still yet us it's that's there's he's she's i'm we're they're don't didn't doesn't isn't
    wasn't aren't won't can't couldn't wouldn't shouldn't let let's get got like just many much well even
    back since around within without per via among across however although though upon another every
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
_WEEKDAYS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def clean_text(text: str | None, limit: int = MAX_BODY_CHARS) -> str:
    """Plain text, at most ``limit`` characters: tags and comments out, entities decoded, NFKC."""
    if not text:
        return ""
    # Cut first (with a margin for markup) so the cost is bounded whatever the input size.
    text = text[: limit * 3]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _WS.sub(" ", text)
    text = _NL.sub("\n", text)
    return text.strip()[:limit]


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light, conservative English suffix stripper (plurals, -ing, -ed, possessives)."""
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    n = len(word)
    if n <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        word = word[:-1]
        n -= 1
    if word.endswith("ing") and n > 5:
        base = word[:-3]
        if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]
        return base
    if word.endswith("ed") and n > 4:
        base = word[:-2]
        if word.endswith("ied"):
            return word[:-3] + "y"
        if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]
        return base
    if word.endswith("e") and n > 4:
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Word tokens in their original case (URLs dropped)."""
    if not text:
        return []
    return _WORD.findall(_URL.sub(" ", text))


@lru_cache(maxsize=1)
def _zipf_table():  # pragma: no cover - trivial
    from wordfreq import zipf_frequency

    return zipf_frequency


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of an English word (0 for unknown words, about 7.7 for "the")."""
    return _zipf_table()(word, "en")


IDF_CEILING = 7.0  # weight of a word the frequency list has never seen
IDF_FLOOR = 0.3


@lru_cache(maxsize=200_000)
def idf(word: str) -> float:
    """Static inverse document frequency of a lower-case word, from its Zipf frequency."""
    if word.isdigit():
        return 2.5 if len(word) == 4 and word[:2] in ("19", "20") else 2.0
    return max(IDF_FLOOR, IDF_CEILING - zipf(word))


def _terms(title: str, body: str, title_weight: int = 2) -> tuple[Counter[str], dict[str, float]]:
    """Term counts, and each stem's IDF from its rarest surface form (stems are not dictionary words)."""
    counts: Counter[str] = Counter()
    weights: dict[str, float] = {}
    for weight, text in ((title_weight, title), (1, body)):
        for w in words(text):
            lw = w.lower()
            if lw in STOPWORDS or len(lw) < 2:
                continue
            s = stem(lw)
            counts[s] += weight
            v = idf(lw)
            if v > weights.get(s, -1.0):
                weights[s] = v
    return counts, weights


def term_vector(title: str, body: str, max_terms: int = MAX_TERMS) -> dict[str, float]:
    """L2-normalised TF-IDF vector (sublinear TF, static IDF), at most ``max_terms`` terms."""
    counts, weights = _terms(title, body)
    if not counts:
        return {}
    vec = {t: (1.0 + math.log(c)) * weights[t] for t, c in counts.items()}
    return normalise(top(vec, max_terms))


def top(vec: Mapping[str, float], k: int) -> dict[str, float]:
    """The ``k`` heaviest entries (ties broken by the key, so the result is deterministic)."""
    if len(vec) <= k:
        return dict(vec)
    return dict(sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:k])


def norm(vec: Mapping[str, float]) -> float:
    """The vector's L2 norm."""
    return math.sqrt(sum(map(operator.mul, vec.values(), vec.values())))


def normalise(vec: Mapping[str, float]) -> dict[str, float]:
    length = norm(vec)
    return {k: v / length for k, v in vec.items()} if length else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float], norm_a: float | None = None,
           norm_b: float | None = None) -> float:
    """Cosine of two sparse vectors (either may be un-normalised). ``norm_a``, ``norm_b``: their
    norms, when the caller keeps them (a vector compared with many others)."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b, norm_a, norm_b = b, a, norm_b, norm_a
    dot = sum(map(operator.mul, a.values(), map(b.get, a, repeat(0.0))))
    if not dot:
        return 0.0
    return dot / ((norm(a) if norm_a is None else norm_a) * (norm(b) if norm_b is None else norm_b))


# --- salient entities --------------------------------------------------------------------------

_CLOCK = re.compile(r"\b\d{1,2}\s?:\s?\d{2}(?:\s?:\s?\d{2})?(?:\s?[ap]\.?\s?m\b\.?)?", re.I)
_NOT_NAMES = frozenset(
    """
    gmt bst utc edt est cdt cst mdt mst pdt pst cet cest eet eest ist jst aest aedt et pt ct am pm
    a.m p.m mr mrs ms dr st
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_NAME_STOPWORDS = STOPWORDS - {"new"}  # "New York", "New Relic"
_SENT_END = re.compile(r"[.!?:;\"“”\n]\s*$")
_CONNECTORS = frozenset({"of", "de", "du", "la", "le", "van", "von", "der", "da", "di", "al", "bin", "&"})
_NUM = re.compile(r"^\d+(?:[.,]\d+)*$")


def entities_by_kind(entities: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """The entities grouped by kind, the text before the first colon ("name", "year", "date",
    "num"), each group in the entities' order."""
    kinds: dict[str, dict[str, float]] = {}
    for key, value in entities.items():
        kinds.setdefault(key.partition(":")[0], {})[key] = value
    return kinds


def _is_cap(w: str) -> bool:
    """Capitalised ("Klitschko"), or an all-capitals code of 2+ characters ("FBI", "NYC3", "LON1")."""
    return (w[:1].isupper() and not w.isupper()) or (w.isupper() and len(w) >= 2 and w[:1].isalpha())


def salient_entities(title: str, body: str, max_items: int = 60) -> dict[str, float]:
    """Names, numbers, years and dates mentioned, each with a weight (title mentions count more).

    * names: capitalised words that are not common English words at the start of a sentence,
      and each run of capitalised words as one name ("Gulf of Aden", "Brian Nichols"), weighted
      by how rare the word is;
    * numbers ("23", "7.3"), years ("2009"), dates ("date:11-30") from "Nov. 30" / "30 November".
    """
    feats: Counter[str] = Counter()
    rarity: dict[str, float] = {}
    for weight, text in ((TITLE_ENTITY_WEIGHT, title), (1.0, body)):
        for line in text.split("\n"):
            _line_entities(line, weight, feats, rarity)
    if not feats:
        return {}
    return top({k: (1.0 + math.log(v)) * rarity.get(k, 1.0) for k, v in feats.items() if v >= 1.0}, max_items)


TITLE_ENTITY_WEIGHT = 2.0


def _line_entities(line: str, weight: float, feats: Counter[str], rarity: dict[str, float]) -> None:
    line = _CLOCK.sub(" ; ", _URL.sub(" ", line))
    spans = [(m.group(0), m.start()) for m in _WORD.finditer(line)]
    run: list[str] = []
    # Most words are neither names nor numbers: the tests they all take come first and cheapest, and
    # an empty run is not flushed.
    for i, (w, start) in enumerate(spans):
        lw = w.lower()
        if w[0].isdecimal() and _NUM.match(w):
            if run:
                _flush(run, feats, weight, rarity)
                run = []
            _number(spans, i, feats, weight, rarity)
            continue
        if w[0].isupper() and lw in _MONTHS and i + 1 < len(spans) and _is_day(spans[i + 1][0]):
            feats[f"date:{_MONTHS[lw]:02d}-{int(spans[i + 1][0]):02d}"] += weight
        if _is_cap(w) and lw not in _WEEKDAYS and lw not in _MONTHS and lw not in _NOT_NAMES:
            common = lw in _NAME_STOPWORDS or zipf(lw) >= 5.0
            if common and (i == 0 or _SENT_END.search(line[max(0, start - 3) : start])):  # at a sentence start
                if run:
                    _flush(run, feats, weight, rarity)
                    run = []
            elif common and not run:
                pass
            else:
                run.append(lw)
        elif run and lw in _CONNECTORS and i + 1 < len(spans) and _is_cap(spans[i + 1][0]):
            run.append(lw)
        elif run:
            _flush(run, feats, weight, rarity)
            run = []
    if run:
        _flush(run, feats, weight, rarity)


def salient_name(title: str, limit: int = 120) -> str:
    """The title's most salient name as written (the run of capitalised words with the rarest word),
    else its rarest word; "" when it has none."""
    best: tuple[float, int, str] | None = None
    spans = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(_URL.sub(" ", title))]

    def joined(j: int) -> bool:  # token j follows token j-1 with only a space between
        return not title[spans[j - 1][2] : spans[j][1]].strip()

    def continues(j: int) -> bool:
        if j >= len(spans) or not joined(j):
            return False
        w = spans[j][0]
        return _is_cap(w) or (w.lower() in _CONNECTORS and j + 1 < len(spans) and _is_cap(spans[j + 1][0]))

    i = 0
    while i < len(spans):
        w = spans[i][0]
        if _is_cap(w) and (not _is_common_cap(w, i == 0) or continues(i + 1)) and w.lower() not in _NAME_STOPWORDS:
            j = i + 1
            while continues(j):
                j += 1
            while j - 1 > i and spans[j - 1][0].lower() in _CONNECTORS:
                j -= 1
            run = [spans[k][0].lower() for k in range(i, j) if spans[k][0].lower() not in _CONNECTORS]
            rarity = max(idf(x) for x in run)
            text = title[spans[i][1] : spans[j - 1][2]]
            if best is None or rarity > best[0]:
                best = (rarity, -i, text)
            i = j
        else:
            i += 1
    if best is None:
        candidates = [(idf(w.lower()), -n, w) for n, (w, _, _) in enumerate(spans) if w.lower() not in STOPWORDS]
        if not candidates:
            return ""
        best = max(candidates)
    return best[2][:limit]


def _is_common_cap(w: str, sentence_start: bool) -> bool:
    lw = w.lower()
    return lw in _NAME_STOPWORDS or lw in _NOT_NAMES or lw in _WEEKDAYS or (sentence_start and zipf(lw) >= 5.0)


def _is_day(w: str) -> bool:
    return w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31


def _name_rarity(word: str) -> float:
    return min(1.0, idf(word) / NAME_IDF_SCALE)


NAME_IDF_SCALE = 4.0
SMALL_NUMBER_RARITY = 0.5


def _flush(run: list[str], feats: Counter[str], weight: float, rarity: dict[str, float]) -> None:
    while run and run[-1] in _CONNECTORS:
        run = run[:-1]
    if not run:
        return
    best = 0.0
    for w in run:
        if w not in _CONNECTORS and w not in _NAME_STOPWORDS:
            key = f"name:{stem(w)}"
            feats[key] += weight
            r = _name_rarity(w)
            rarity[key] = max(rarity.get(key, 0.0), r)
            best = max(best, r)
    if len(run) > 1 and best:
        key = "name:" + " ".join(run)
        feats[key] += weight
        rarity[key] = best


def _number(spans: list[tuple[str, int]], i: int, feats: Counter[str], weight: float, rarity: dict[str, float]) -> None:
    w = spans[i][0]
    digits = w.replace(",", "")
    if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2099:
        feats[f"year:{w}"] += weight
        return
    prev = spans[i - 1][0].lower().rstrip(".") if i else ""
    if prev in _MONTHS and spans[i - 1][0][0].isupper() and _is_day(w):
        return  # handled as a date
    nxt = spans[i + 1][0] if i + 1 < len(spans) else ""
    if nxt[:1].isupper() and nxt.lower() in _MONTHS and _is_day(w):
        nxt = nxt.lower()
        feats[f"date:{_MONTHS[nxt]:02d}-{int(w):02d}"] += weight
        return
    if not digits.strip("0.,"):
        return  # "000", "0": thousands-separator debris, no information
    key = f"num:{digits[:20]}"
    feats[key] += weight
    if len(digits) <= 2 and digits.isdigit() and int(digits) <= 12:
        rarity[key] = SMALL_NUMBER_RARITY


# --- near-duplicate fingerprints ---------------------------------------------------------------

SHINGLE_WORDS = 3
MAX_SIMHASH_WORDS = 600  # words read per fingerprint
_FNV_PRIME = 0x100000001B3


@lru_cache(maxsize=100_000)
def _h64(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")


# All shingles are hashed at once, each in a 128-bit lane of one big integer: a 64-bit value times
# a 64-bit constant fits its lane, so one big multiplication does every shingle's (no Python loop
# per shingle). Masks keep what each step needs of every lane.
_LANE_BYTES = 16


def _lanes(mask: int) -> int:
    return int.from_bytes(mask.to_bytes(_LANE_BYTES, "little") * MAX_SIMHASH_WORDS, "little")


_LOW64, _LOW34, _LOW37, _LOW33 = (_lanes((1 << bits) - 1) for bits in (64, 34, 37, 33))
_LOW_BIT_OF_EACH_BYTE = int.from_bytes(b"\x01" * MAX_SIMHASH_WORDS, "little")


def simhash(text: str) -> int:
    """64-bit SimHash of word 3-shingles; 0 for texts too short to fingerprint (under 8 words)."""
    return simhash_of_words(words(text))


def simhash_of_words(tokens: list[str]) -> int:
    """SimHash of the first MAX_SIMHASH_WORDS ``tokens`` (as :func:`words` gives them).

    Each word is hashed once (stable blake2b); a shingle's hash is its words' hashes folded with the
    FNV prime (h = h * prime + word, mod 2**64), then spread over all 64 bits by splitmix64's
    finaliser; a bit of the result is set when most shingle hashes have it.
    """
    hashes = [_h64(w.lower()) for w in tokens[:MAX_SIMHASH_WORDS]]
    n = len(hashes) - SHINGLE_WORDS + 1
    if n < 6:
        return 0
    packed = struct.pack(f"<{len(hashes)}Q", *hashes)
    spaced = bytearray(_LANE_BYTES * len(hashes))
    for byte in range(8):
        spaced[byte::_LANE_BYTES] = packed[byte::8]
    words_in_lanes = int.from_bytes(spaced, "little")
    # Lane i: the fold over words i, i+1, i+2, as word_i * prime**2 + word_i+1 * prime + word_i+2.
    x = 0
    for k in range(SHINGLE_WORDS):
        x += (words_in_lanes >> (128 * k)) * pow(_FNV_PRIME, SHINGLE_WORDS - 1 - k, 1 << 64) & _LOW64
    x &= _LOW64
    # splitmix64's finaliser, lane by lane (a right shift must not bring in the next lane's bits).
    x = (x ^ (x >> 30) & _LOW34) * 0xBF58476D1CE4E5B9 & _LOW64
    x = (x ^ (x >> 27) & _LOW37) * 0x94D049BB133111EB & _LOW64
    x ^= (x >> 31) & _LOW33
    shingles = x.to_bytes(_LANE_BYTES * len(hashes), "little")
    result = 0
    for byte in range(8):
        # byte `byte` of every shingle's hash, one per byte of `column`: a bit's count is a popcount
        column = int.from_bytes(shingles[byte : _LANE_BYTES * n : _LANE_BYTES], "little")
        for bit in range(8):
            if 2 * (column >> bit & _LOW_BIT_OF_EACH_BYTE).bit_count() > n:
                result |= 1 << (8 * byte + bit)
    return result


def fingerprint(title: str, body: str, min_words: int = 8) -> int:
    """SimHash of the article's running text: body lines of ``min_words``+ words, so bylines, share
    buttons and "| Site name" title suffixes that differ between syndicated copies do not count.
    Falls back to title and body together for short texts."""
    # No word spans a line break, so the lines' words, joined, are the words of the text: each line
    # is read once.
    lines = [words(line) for line in body.split("\n")]
    prose = [w for line in lines if len(line) >= min_words for w in line]
    if len(prose) >= min_words:
        return simhash_of_words(prose)
    return simhash_of_words(words(title) + [w for line in lines for w in line])


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def stable_hash(s: str, n: int = 12) -> str:
    """A short, stable hex digest (for retrieval keys of long strings such as error messages)."""
    return hashlib.blake2b(s.encode("utf-8"), digest_size=16).hexdigest()[:n]


def unique(seq: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(seq))
