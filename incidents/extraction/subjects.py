"""Whose outage is it? The subject of an outage headline, for services the catalogue does not know.

`find_subject(title, body)` reads the grammar of outage headlines, not a list of names:

* the subject before the verb: "<name> is down", "<name>'s down", "<name> down: …", "<name> goes dark",
  "<name> crashes", "<name> back online after …", "<name> outage", "<name> hit by outage",
  "<name> suffers outage", "<name> is up and down", "<name> servers struggling", "<name> login errors",
  "<name> not working", "<name> users report …";
* the subject after it: "Is <name> down?", "outage hits <name>", "<event> crashes <name>",
  "outages at <name>", "your broken <name>", "… takes down <name>".

The name is the run of name-like words next to the phrase: capitalised or mixed-case words,
words that start with a digit ("4chan", "1.1.1.1"), at most four of them, stopping at function
words, headline adjectives ("Massive", "Major"), days and months, and punctuation. Generic things
("internet", "DNS", "servers") are never a subject. When the headline says nothing, the body's first
sentence is read the same way. The result keeps the pattern that matched, as evidence.

The subject of an outage is its owner when the headline names one ("Massive Azure outage knocks out
Xbox" → Azure); a victim only when no owner is named ("DNS outage impacts Azure" → Azure).

Pure: no Django, no network. Bounded: the title and the body's lead are cut before any pattern
runs, and no pattern nests unbounded repetition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from incidents.extraction.caseless import CaselessPattern, matched_words

TITLE_CHARS = 300
BODY_SENTENCE_CHARS = 300
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Subject:
    name: str  # as the headline writes it: "Spotify", "Arc Raiders", "Cloudflare 1.1.1.1"
    pattern: str  # the headline grammar that matched: "<name> is down", "outage hits <name>"


# Words that never start, end or sit inside a name, whatever their case.
_FUNCTION_WORDS = frozenset(
    """
    a an the and or but nor of for to in on at by with from as after amid over into onto about since until
    during across around before than via per vs is are was were be been being has have had do does did
    will would can could may might should must it its it's this that these those there here here's what
    what's why how when where who which whose you you're your we we're our us they their them he she his
    her my me i i'm not no just now still again also too very so if then today tonight yesterday
    tomorrow week weekend morning afternoon evening night hour hours day days
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Headline adjectives and quantifiers that precede a name but are not part of it.
_DESCRIPTORS = frozenset(
    """
    massive major huge big giant global widespread worldwide nationwide brief partial ongoing latest another
    recent sudden unexpected temporary intermittent mysterious rare full total complete serious severe minor
    new old first second third last some many all several multiple thousands millions hundreds
    update updated breaking exclusive report reports watch live confirmed
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# Utilities: "Power outage hits Spain" reports no online service's outage, whatever precedes "Power".
_UTILITIES = frozenset(["power", "electricity", "electrical", "grid", "water", "gas", "heating"])
# Headline verbs, never part of a name: "CEO Steps Down", "VPN Shuts Down" are not outages of "Steps".
_VERBS = frozenset(
    """
    step steps stepped shut shuts back backs stand stands calm calms slow slows turn turns crack cracks cut cuts
    wind winds break breaks tone tones scale scales narrow narrows settle settles hunt hunts track tracks bring
    brings take takes took knock knocks burn burns tear tears goes went comes says said warns
    blames claims confirms reports
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# What a name's trailing word may be without being part of it: "Arc Raiders Servers", "Microsoft 365 services".
_TRAILING = frozenset(("server", "servers", "service", "services", "app", "apps", "site", "website", "users",
                       "players", "customers"))
# Generic things that break, not a service's name: "DNS outage", "Power outage", "Servers down".
_GENERIC = frozenset(
    """
    internet web ai cloud power electricity network networks dns bgp cdn isp isps it tech data server servers
    service services system systems site sites website websites app apps platform platforms api apis
    email mail phone phones mobile cellular wifi wi-fi broadband connectivity login logins account accounts
    users players customers people gamers subscribers outage outages glitch bug crash issue issues problem
    problems error errors computer computers pc pcs device devices shares stock stocks sales revenue prices
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# A word of a name: letters and digits, with inner dots, dashes, ampersands, pluses or apostrophes.
_TOKEN = re.compile(r"[^\W_](?:[\w.&+'-]{0,40}[\w+])?")

_DOWN_AFTER = r"(?=\s*(?:[:!?,;.\-|]|$)|\s+(?:for|in|across|worldwide|globally|again|as|after|amid|today|now|right)\b)"
_ADVERB = r"(?:(?:still|currently|partially|completely|totally|now|also|again|reportedly|apparently|briefly)\s+)?"
_TROUBLE = (
    r"(?:outages?|issues|problems|disruptions?|downtime|errors|glitch(?:es)?|difficulties|cyber-?attack|ddos"
    r"|attack|connection issues|server issues)"
)

_NOT_UTILITY = "".join(f"(?<!{word} )" for word in sorted(_UTILITIES))  # "power outage hits …" is no service's

# (pattern name, regex, where the subject is). "before": the name run ends where the match starts;
# "after": the name run starts where the match ends; "inside": the regex's group 1 is the name run.
# Earlier entries win over later ones when both match.
_PATTERNS: tuple[tuple[str, CaselessPattern, str], ...] = tuple(
    (name, CaselessPattern(regex), where)
    for name, regex, where in (
        ("Is <name> down?", r"\bis\s+((?:[^\W_][\w.&+'-]{0,40}\s+){0,3}[^\W_][\w.&+'-]{0,40})\s+" + _ADVERB + r"down\b",
         "inside"),
        ("<name>'s down", r"'s\s+" + _ADVERB + r"(?:down|offline|broken)\b", "before"),
        ("<name> is down", r"\s+(?:is|are|was|were|has\s+been|have\s+been|goes|went|going|has\s+gone|gone)\s+"
         + _ADVERB + r"down\b(?!\s+(?:\d|by\s+\d|from\b|to\s+\d))", "before"),
        ("<name> down", r"\s+" + _ADVERB + r"down" + _DOWN_AFTER, "before"),
        ("<name> up and down", r"\s+(?:is|are|was|were|has\s+been|have\s+been|keeps\s+going)\s+(?:having\s+an?\s+)?"
         r"up\s+and\s+down\b", "before"),
        ("<name> goes dark", r"\s+(?:is\s+|was\s+)?(?:goes|go|went|going|has\s+gone|gone)\s+(?:dark|offline)\b",
         "before"),
        ("<name> offline", r"\s+(?:is\s+|are\s+|was\s+|remains\s+)?" + _ADVERB
         + r"(?:offline|unreachable|inaccessible|unavailable)\b", "before"),
        ("<name> outage", r"\s+(?:(?:major|massive|global|widespread|partial|brief|big|huge|worldwide|ongoing|"
         r"another|latest|service|network|server)\s+){0,2}(?:outages?|downtime|incident)\b", "before"),
        ("<name> hit by outage", r"\s+(?:(?:is|was|were|has\s+been)\s+)?(?:hit|struck|hobbled|plagued|rocked|"
         r"crippled|disrupted|downed|knocked\s+out|taken\s+down|brought\s+down)\s+by\s+(?:an?\s+)?['\"]?(?:\w+\s+){0,2}"
         + _TROUBLE, "before"),
        ("<name> suffers outage", r"\s+(?:is\s+|are\s+)?(?:suffers|suffering|suffered|experiences|experiencing|"
         r"experienced|faces|facing|sees|seeing|having|has|had)\s+(?:an?\s+|some\s+)?(?:\w+\s+){0,2}" + _TROUBLE,
         "before"),
        ("<name> servers struggling", r"'?s?\s+(?:servers?|services?|app|website|site|network|api|login)\s+"
         r"(?:(?:is|are|were|was|have|has)\s+)?" + _ADVERB + r"(?:down|struggling|struggle|overloaded|offline|"
         r"crash(?:es|ed|ing)?|buckl(?:e|es|ed|ing)|melt(?:ing|s|ed)?\s+down|not\s+working|failing|fail|failed"
         r"|unavailable|unreachable|having)\b", "before"),
        ("<event> crashes <name>", r"\s+crash(?:es|ed)\s+", "after"),
        ("<name> crashes", r"\s+(?:keeps\s+)?crash(?:es|ed|ing)\b", "before"),
        ("<name> back online", r"\s+(?:is\s+|are\s+)?(?:back\s+(?:online|up)|back\s+after|restored|returns\s+after|"
         r"recovers\s+(?:after|from))\b", "before"),
        ("<name> not working", r"\s+(?:is\s+|are\s+)?" + _ADVERB + r"(?:not\s+working|stopped\s+working|"
         r"won't\s+(?:load|work|connect)|not\s+loading|busted|broken|bricked|just\s+broke|broke(?=\s*(?:[,;:!?-]|$)))"
         r"(?!\w)", "before"),
        ("<name> login errors", r"\s+(?:authentication|login|log-in|sign-in|connection|connectivity|server|network"
         r"|streaming|playback|casting|sync|syncing)\s+(?:errors?|issues|problems|failures?|troubles?)\b", "before"),
        ("<name> users report", r"\s+(?:users|players|customers|subscribers|gamers|owners)\s+(?:are\s+)?"
         r"(?:report|reporting|reported|hit|can't|cannot|unable|struggl(?:e|ing)|blasted|locked|fac(?:e|ing)|"
         r"see|seeing|experienc(?:e|ing)|affected)\b", "before"),
        ("outage hits <name>", _NOT_UTILITY + r"\b" + _TROUBLE + r"\s+(?:hits|hit|takes\s+down|took\s+down|"
         r"knocks\s+out|knocked\s+out|knocks\s+offline|impacts|impacted|affects|affected|affecting|disrupts|disrupted|breaks|"
         r"broke|cripples|crippled|derails|brings\s+down|downs)\s+", "after"),
        ("outage at <name>", _NOT_UTILITY + r"\b" + _TROUBLE + r"\s+(?:at|on|for|with|of|across)\s+", "after"),
        ("broken <name>", r"\b(?:broken|busted|bricked|crashed|downed|crashing)\s+", "after"),
        ("takes down <name>", r"\b(?:taking|takes|took|knocks?|knocked|knocking|bringing|brings|brought)\s+"
         r"(?:down|out|offline)\s+", "after"),
    )
)


def _clean(text: str, limit: int) -> str:
    return " ".join(text[: limit * 2].translate(_QUOTES).split())[:limit]


def _is_name_word(word: str) -> bool:
    lower = word.lower()
    if lower in _FUNCTION_WORDS or lower in _DESCRIPTORS or lower in _VERBS:
        return False
    if word[0].isdigit():
        return "-" not in word  # "4chan", "1.1.1.1", "365"; not "10-year-old"
    return word[0].isupper() or any(ch.isupper() for ch in word[1:])


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.lower().endswith("'s") and len(word) > 2 else word


def _name_before(text: str, end: int) -> str | None:
    """The run of name words that ends at `end` (only spaces between them and it)."""
    words = list(_TOKEN.finditer(text[:end]))
    run: list[re.Match[str]] = []
    for match in reversed(words):
        gap = text[match.end() : run[0].start() if run else end]
        if gap.strip() or len(run) == MAX_NAME_WORDS:
            break
        word = match.group(0) if run else _strip_possessive(match.group(0))
        if run and word.lower().endswith("'s"):
            break  # "Google's Chromecast": the owner is not part of the product's name
        if not _is_name_word(word):
            break
        run.insert(0, match)
    return _name(text, run)


def _name_after(text: str, start: int) -> str | None:
    """The run of name words that starts at `start`."""
    run: list[re.Match[str]] = []
    for match in _TOKEN.finditer(text, start):
        gap = text[run[-1].end() if run else start : match.start()]
        if gap.strip() or len(run) == MAX_NAME_WORDS or not _is_name_word(match.group(0)):
            break
        run.append(match)
        if match.group(0).lower().endswith("'s"):
            break
    return _name(text, run)


def _name(text: str, run: list[re.Match[str]]) -> str | None:
    if not run:
        return None
    if run and run[-1].group(0).lower() in _UTILITIES:
        return None
    while run and (run[-1].group(0).lower() in _TRAILING):
        run = run[:-1]
    while run and run[0].group(0).isdigit():
        run = run[1:]  # "Outage hits 10 airports"
    if not run or all(match.group(0).lower() in _GENERIC for match in run):
        return None
    return _strip_possessive(text[run[0].start() : run[-1].end()])


# Extraction asks twice per article (the outage model, on its cleaned text, and the facts' subject):
# a plain headline cleans to the same text both times, so the last few answers are kept.
_RECENT = 16


@lru_cache(maxsize=_RECENT)
def _find(text: str) -> Subject | None:
    for pattern_name, pattern, where in _PATTERNS:
        for match in pattern.finditer(text):
            if where == "before":
                name = _name_before(text, match.start())
            elif where == "after":
                name = _name_after(text, match.end())
            else:
                inner = matched_words(text, match, 1)
                name = _name(inner, list(_TOKEN.finditer(inner))) if all(
                    _is_name_word(w) for w in inner.split()
                ) else None
            if name:
                return Subject(name, pattern_name)
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def find_subject(title: str, body: str | None = None) -> Subject | None:
    """The service an outage headline is about, with the pattern that found it; the body's first
    sentence is read when the headline names none (its pattern is then prefixed "body: ")."""
    found = _find(_clean(title or "", TITLE_CHARS))
    if found or not body:
        return found
    lead = _clean(body, BODY_SENTENCE_CHARS * 2)
    first_sentence = _SENTENCE_END.split(lead, maxsplit=1)[0][:BODY_SENTENCE_CHARS]
    found = _find(first_sentence)
    return Subject(found.name, f"body: {found.pattern}") if found else None


def subject_key(name: str) -> str:
    """A subject as compared: lower case, possessive and plural "s" dropped ("Chromecasts" ~ "Chromecast")."""
    words = []
    for word in _clean(name, TITLE_CHARS).lower().split():
        word = _strip_possessive(word)
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def same_subject(a: str, b: str) -> bool:
    """Two subject keys name the same thing when one's words hold the other's ("microsoft azure" ~ "azure")."""
    words_a, words_b = set(a.split()), set(b.split())
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)
