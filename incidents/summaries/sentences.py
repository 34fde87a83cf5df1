"""Sentences worth quoting from outage sources (pure: no Django, no network, deterministic).

* ``split_sentences``: English news and status text into sentences, each a verbatim piece of the
  input once runs of whitespace are folded to one space (what the faithfulness check compares).
* ``is_english`` / ``is_quotable``: whether a sentence can stand in an English summary as a fact.
* ``central_sentences``: the sentences the sources agree on, without near-repeats.
* ``find_workaround`` / ``find_next_update``: the vendor's workaround and its promised next update.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from incidents.clustering.text_features import STOPWORDS, cosine, stem, term_vector, words, zipf
from incidents.extraction import relevance, status_words
from incidents.extraction.status_words import is_about_earlier_incidents

MIN_WORDS, MAX_WORDS = 6, 60  # a quotable sentence; shorter is a heading, longer is a paragraph
MAX_SENTENCE_CHARS = 600  # anything longer is over MAX_WORDS anyway; not worth tokenising
MAX_CANDIDATES = 200  # quotable candidates ranked by central_sentences: pairwise cost is quadratic
QUOTE_SPAN = 600  # how far ahead a closing quotation mark may keep a quotation in one sentence

# --- splitting ---------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n?|[\n\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"\s+")
# Breaks inside a line: after an ideographic full stop (no space follows it), and a spaced bar,
# which separates the language versions of an AWS post and a headline from its site's name.
_HARD_BREAK = re.compile(r"(?<=[\u3002\uff01\uff1f])|\s\|\s")
_BULLET = re.compile(r"^(?:[-*\u2022\u00b7\u2023\u25aa\u25e6\u2013\u2014>]|#{1,6}|\d{1,2}[.)])\s+")
# A run of terminal punctuation, the quotation marks and brackets that close with it, then a space.
_END = re.compile(r"(\.{2,}|\u2026|[.!?]+)([\"'\u201d\u2019)\]]*) (?=(\S))")
_TOKEN_BEFORE = re.compile(r"[^\s\"'\u201c\u2018(\[]+$")
_OPENERS = "\"'\u201c\u2018([{"

# Abbreviations that never end a sentence (a title or "vs." always has something after it).
_NEVER_FINAL = frozenset(
    """
    mr mrs ms dr prof st mt gen gov sen rep lt col sgt capt cmdr adm rev hon pres supt dept univ
    vs v approx appx ca cf e.g i.e eg ie incl esp
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Abbreviations written before a number: "No. 3", "Nov. 30", "ver. 2".
_BEFORE_NUMBER = frozenset(
    """
    no nos nr vol ver fig figs p pp sec ch art
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Abbreviations that often end a sentence too: "in the U.S. The company …" but "U.S. Department".
_MAYBE_FINAL = frozenset("inc ltd co corp plc bros etc al jr sr".split())  # noqa: SIM905 - a word list reads better as text
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")  # u.s, a.m, p.m, u.k


_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\([^()\s]{1,2000}\)")
_MARKDOWN_MARKS = re.compile(r"\*\*|__|`+")


def plain_text(text: str) -> str:
    """The text without markdown emphasis, code marks and link syntax ("**Update**", "`500`",
    "[the post](https://…)" → "Update", "500", "the post"): status posts are often written in
    markdown, and a summary quotes words, not markup."""
    return _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", text)) if text else text


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: stripped, whitespace folded, bullets dropped, never empty.

    A line break always ends a sentence (status posts put one update per line with no full stop),
    and so do an ideographic full stop and a spaced bar (" | "). Within a line a sentence ends at
    ``.``, ``!``, ``?`` or an ellipsis, with any closing quotation marks, before a capital, a digit
    or an opening quotation mark, unless the word before it is an abbreviation ("U.S.", "a.m.",
    "Inc.", "No. 3"). A quotation that closes later on the same line stays whole with its
    attribution: '"It broke. We fixed it," the company said.'
    """
    return list(_iter_sentences(text))


def _iter_sentences(text: str) -> Iterator[str]:
    if not text:
        return
    for raw_line in _LINE_BREAK.split(text):
        for piece in _HARD_BREAK.split(_SPACES.sub(" ", raw_line)):
            yield from _line_sentences(_BULLET.sub("", piece.strip()))


def _line_sentences(line: str) -> Iterator[str]:
    start = counted = 0
    straight = curly = 0  # open quotation marks in the current sentence
    for m in _END.finditer(line):
        end = m.end(2)
        chunk = line[counted:end]
        counted = end
        straight += chunk.count('"')
        curly += chunk.count("\u201c") - chunk.count("\u201d")
        if not _ends_sentence(line, m):
            continue
        if straight % 2 and line.find('"', end, end + QUOTE_SPAN) != -1:
            continue
        if curly > 0 and line.find("\u201d", end, end + QUOTE_SPAN) != -1:
            continue
        sentence = line[start:end].strip()
        if sentence:
            yield sentence
        start = end
        straight = curly = 0
    sentence = line[start:].strip()
    if sentence:
        yield sentence


def _ends_sentence(line: str, m: re.Match[str]) -> bool:
    mark, closers, following = m.group(1), m.group(2), m.group(3)
    if not (following.isupper() or following.isdigit() or following in _OPENERS or _is_caseless(following)):
        return False  # "e.g. a browser", "approx. two hours", "Yahoo! mail"
    if mark != "." or closers:
        return True  # "!", "?", an ellipsis, or a full stop inside quotation marks
    before = _TOKEN_BEFORE.search(line, max(0, m.start() - 40), m.start())  # a window: linear on long lines
    token = before.group(0).lower() if before else ""
    if token in _NEVER_FINAL:
        return False
    if token in _BEFORE_NUMBER:
        return not following.isdigit()
    if token in _MAYBE_FINAL or _DOTTED.match(token) or (len(token) == 1 and token.isalpha()):
        # Initials ("John F. Kennedy"), "9:05 a.m. PDT", "Acme Inc. Engineers": a sentence ends
        # only when the next word is one that opens sentences ("The", "We", "It").
        return _next_word(line, m.end()) in STOPWORDS
    return True


def _is_caseless(char: str) -> bool:
    return char.isalpha() and not char.isupper() and not char.islower()  # CJK and other scripts


def _next_word(line: str, at: int) -> str:
    found = words(line[at : at + 40])
    return found[0].lower() if found else ""


# --- quotability -------------------------------------------------------------------------------

_URL = re.compile(r"\bhttps?://|\bwww\.\w", re.I)
_BOILERPLATE = re.compile(
    r"subscribe (?:to|for|now)|powered by|\bread (?:more|the full|full article|\d+ (?:more|remaining))"
    r"|sign up (?:for|to)|newsletter|cookie|advertisement|\bsponsored\b|\bshare (?:this|on)\b"
    r"|follow us\b|all rights reserved|copyright \u00a9|\u00a9 \d{4}|click here|appeared first on|privacy policy"
    r"|terms of (?:use|service)|^(?:enlarge|image|photo|credit)\b|\(credit:"
    r"|get (?:email|sms|text) (?:notifications|updates)|receive (?:email|sms) notifications",
    re.I,
)
# A sentence that answers a question the reader of the quote never sees ("X outages suggest the answer
# is no."): it says nothing on its own.
_ANSWERS_UNSEEN_QUESTION = re.compile(r"\bthe (?:answer|question) (?:is|was|seems|remains|would be)\b", re.I)
_CLOSING = "\"'\u201d\u2019)]"

# Words of sentences that only restate a lifecycle step or a courtesy ("We are continuing to
# investigate this issue.", "This incident has been resolved.", "We apologize for the
# inconvenience."). Vendors repeat them in every update, so centrality would pick them first;
# the status and times are stated from facts elsewhere, so quoting them adds nothing.
_FILLER = frozenset(
    stem(w)
    for w in """
    incident incidents issue issues problem problems investigate investigating investigation continue
    continuing continues monitor monitoring resolve resolved resolving identify identified work working
    worked fix fixed fixes implement implemented team teams engineer engineers engineering look looking
    cause root update updates updated post posted provide providing share information details detail
    additional available availability soon possible patience thank thanks apologize apologise apologies
    apology inconvenience sorry affected impact impacted disruption situation recovery recover recovered
    restore restored normal normally operating operational service services system systems status page
    currently begin beginning determine determined potential remediation effort efforts progress make
    making full fully complete completed believe ensure users customers experience experiencing
    caused result results further sooner latest current aware reports reported now again keep point become becomes
    mitigation underway resolution below here eta summary description diagnosis
    utc gmt pst pdt est edt cst cdt mst mdt cet cest bst ist jst am pm us pacific eastern central
    jan feb mar apr jun jul aug sep sept oct nov dec january february march april june july august
    september october november december monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905 - a word list reads better as text
)


# The commonest function words of German, French, Spanish, Italian, Dutch and Portuguese that
# are not English words: a sentence with more of these than English ones is not English, however
# many of its words also occur in English text ("die", "des", "pour", "con").
_FOREIGN_FUNCTION = frozenset(
    w
    for w in """
    der die das und ist nicht mit wir ein eine einer einem den dem für auf bei sich auch sind wird
    werden zu von im vom zum zur oder aber noch nach über haben
    le la les des du de et est une un nous vous dans avec pour sur pas que qui au aux ce cette sont été par
    el los las del y en es una por para con se lo su está estamos
    il di che della per sono gli nel
    het een niet van voor wij zijn met ook naar
    os da não em um uma
    """.split()  # noqa: SIM905 - a word list reads better as text
    if w not in STOPWORDS
)
COMMON_ZIPF = 3.0  # about once per million English words: "outage" 3.3, "degraded" 3.3
COMMON_SHARE = 0.55  # names, products and region codes ("us-east1") are rarely common words


def is_english(sentence: str) -> bool:
    """True when ``sentence`` reads as English: mostly Latin letters, mostly words common in
    English, and no more function words of other languages than of English."""
    letters = [c for c in sentence if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) < 0.85 * len(letters):
        return False  # Japanese, Chinese, Cyrillic, Greek, or a Latin script heavy with accents
    tokens = [w.lower() for w in words(sentence) if not w.isdigit()]
    if not tokens:
        return False
    english = sum(w in STOPWORDS for w in tokens)
    foreign = sum(w in _FOREIGN_FUNCTION for w in tokens)
    # Accented words ("für", "dégradées") are never common English.
    common = sum(w.isascii() and zipf(w) >= COMMON_ZIPF for w in tokens)
    return foreign <= english and common >= COMMON_SHARE * len(tokens)


def is_quotable(sentence: str) -> bool:
    """True when ``sentence`` can be quoted as a fact: 6-60 words of English prose, no URL, not a
    question, not site furniture (subscribe, share, read more, cookies), balanced quotation marks,
    not introducing a list (a trailing colon), and saying more than a lifecycle step or a courtesy:
    "This incident has been resolved." is true but carries nothing the summary does not state."""
    return _is_prose(sentence, MIN_WORDS) and not says_nothing(sentence)


def _is_prose(sentence: str, min_words: int) -> bool:
    if not sentence or len(sentence) > MAX_SENTENCE_CHARS:
        return False
    count = len(words(sentence))
    if not min_words <= count <= MAX_WORDS:
        return False
    tail = sentence.rstrip(_CLOSING)
    if (tail.endswith(("?", ":")) or _URL.search(sentence) or _BOILERPLATE.search(sentence)
            or _ANSWERS_UNSEEN_QUESTION.search(sentence)):
        return False
    visible = [c for c in sentence if not c.isspace()]
    if sum(c.isalpha() for c in visible) < 0.6 * len(visible):
        return False  # a table row, a code, a list of numbers
    if sentence.count('"') % 2 or sentence.count("\u201c") != sentence.count("\u201d"):
        return False  # half a quotation: it would put words in the wrong mouth
    return is_english(sentence)


def says_nothing(sentence: str, names: Iterable[str] = ()) -> bool:
    """Whether the sentence only restates a lifecycle step or a courtesy, once the ``names`` of
    what is down are set aside: "We are experiencing an issue with Google BigQuery."."""
    named = {w for name in names for w in map(str.lower, words(name))}
    terms = {stem(w) for w in map(str.lower, words(sentence)) if w not in STOPWORDS and w not in named and len(w) > 1}
    return all(t in _FILLER or t.isdigit() for t in terms)


# --- centrality --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A sentence that may be quoted, the source it comes from, and how much that source counts
    (above 1 for the vendor's own words)."""

    ref: str
    text: str
    weight: float = 1.0


UNECHOED = 0.05  # centrality of a sentence nothing else echoes, so its weight still ranks it


def central_sentences(candidates: list[Candidate], limit: int, redundancy: float = 0.5) -> list[Candidate]:
    """Up to ``limit`` quotable candidates, most central first, none a near-repeat of another.

    1. Take the first ``MAX_CANDIDATES`` quotable candidates that are not a promise of the next
       update (that is ``find_next_update``'s job); later ones are not read, so the cost is
       bounded whatever the size of the sources.
    2. Centrality of a sentence: over each other source, its best TF-IDF cosine with a sentence of
       that source, averaged over those sources — how far the other sources say the same thing,
       each source one vote. With a single source, its mean cosine with the other sentences.
    3. Score = weight x (centrality + ``UNECHOED``); ties keep input order.
    4. Greedily take the best, skipping any whose cosine with one already taken is ``redundancy``
       or more (maximal marginal relevance).
    """
    pool = _pool(candidates)
    if limit <= 0 or not pool:
        return []
    vectors = [term_vector("", c.text) for c in pool]
    n = len(pool)
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sims[i][j] = sims[j][i] = cosine(vectors[i], vectors[j])
    refs = list(dict.fromkeys(c.ref for c in pool))
    scores = [c.weight * (_centrality(i, pool, sims, refs) + UNECHOED) for i, c in enumerate(pool)]
    chosen: list[int] = []
    for i in sorted(range(n), key=lambda k: (-scores[k], k)):
        if all(sims[i][k] < redundancy for k in chosen):
            chosen.append(i)
            if len(chosen) == limit:
                break
    return [pool[i] for i in chosen]


def _pool(candidates: list[Candidate]) -> list[Candidate]:
    pool: list[Candidate] = []
    for c in candidates:
        if is_quotable(c.text) and not _promises_update(c.text):
            pool.append(c)
            if len(pool) == MAX_CANDIDATES:
                break
    return pool


def _centrality(i: int, pool: list[Candidate], sims: list[list[float]], refs: list[str]) -> float:
    others = [j for j in range(len(pool)) if j != i]
    if not others:
        return 0.0
    if len(refs) == 1:
        return sum(sims[i][j] for j in others) / len(others)
    best: dict[str, float] = dict.fromkeys((r for r in refs if r != pool[i].ref), 0.0)
    for j in others:
        ref = pool[j].ref
        if ref in best and sims[i][j] > best[ref]:
            best[ref] = sims[i][j]
    return sum(best.values()) / len(best)


# --- workarounds and next updates --------------------------------------------------------------

# A workaround is an instruction to users: something they can do now to get their work done
# ("use X instead", "sign out and back in", "retry the call"). What the vendor itself did ("As a
# mitigation, we rolled back the change") is not one, nor is "Alternatively, …" by itself.
_USERS = r"(?:customers?|users?|you|admins|administrators|developers|people|anyone|those|organi[sz]ations|tenants)"
_MODAL = (r"(?:can|may|should|could|might|are able to|is able to|are advised to|are encouraged to|needs? to"
          r"|have to|must)")
_USER_ACTION = (
    r"(?:use|try|consider|retry|re-try|switch|restart|reboot|reinstall|sign (?:out|in|back)|log (?:out|in|back)|clear"
    r"|refresh|reload|fail ?over|reroute|redirect|disable|enable|turn (?:off|on)|avoid|bypass|work around"
    r"|access|visit|connect|open|update|upgrade|downgrade|roll back|revert|set|change|manually|temporarily"
    r"|continue to use|start|run|resubmit|re-?run|point|configure|download|install|call|contact|mitigate|deploy"
    r"|increase|create|wait)"
)
# An instruction that opens the sentence: "Fail over to other Cloud regions.", "Do not upgrade
# from 1.19", "Avoid making changes to existing routers", "For now, use the web client". Words
# that also open reports ("Update", "Access to the console is degraded") are left out.
_IMPERATIVE = (
    r"(?:do not|don't|don\u2019t|avoid|try|use(?! of\b)|retry|switch|restart|reboot"
    r"|sign (?:out|in)|log (?:out|in)|clear"
    r"|refresh|reload|fail ?over|reroute|redirect|disable|enable|turn (?:off|on)|bypass|work around|resubmit"
    r"|re-?run|deploy|downgrade|upgrade|roll back|revert|migrate|contact|wait|add|utili[sz]e|modify|configure|remove"
    r"|delete|re-?create|re-?deploy|specify|select|choose|apply|grant|assign|scale|manually|temporarily|move|adjust"
    r"|shut ?down|consider)"
)
# A gerund that opens a sentence is an instruction only when the sentence says what it does:
# "Retrying failed requests may succeed", not "Using the API is degraded".
_GERUND_ADVICE = (
    r"^(?:retrying|restarting|using|switching|clearing|refreshing|re-?running|re-?creating|re-?deploying|signing out)"
    r"\b[^.]{0,80}\b(?:may|can|should|will|helps?|succeeds?|works?|avoids?|instead|resolves?|mitigates?)\b"
)
_LABELLED_WORKAROUND = re.compile(
    r"\bas (?:a |the )?(?:temporary |possible |short-term |known )?(?:workarounds?|work-arounds?)\b"
    r"|\bworkarounds?\s*(?::|-|\b(?:is|was|to|of|includes?|included)\b|\bfor\b[^.]{0,60}\bis\b)"
    r"|\b(?:following|suggested|recommended|temporary|possible|available) workarounds?\b",
    re.I,
)
_INSTRUCTION = re.compile(
    rf"\b{_USERS}\b[^.]{{0,60}}?\b{_MODAL}\s+(?:also\s+|temporarily\s+|still\s+|instead\s+|manually\s+)?"
    rf"{_USER_ACTION}\b"
    rf"|\b{_USERS}\b[^.]{{0,40}}\b{_MODAL}\b[^.]{{0,120}}\binstead\b"
    rf"|\bin the meantime\b[^.]{{0,80}}\b(?:can|may|should|could|recommend|advise|suggest)\b"
    rf"|\bwe (?:recommend|suggest|advise|encourage)\b(?:\s+that)?\s+(?:all\s+|affected\s+)?{_USERS}\b"
    rf"(?![^.]{{0,60}}\b(?:monitor|check back|subscribe|follow|stay tuned|refer to)\b)"
    rf"|^(?:[^,]{{0,40}},\s*)?(?:please\s+)?{_IMPERATIVE}\s|{_GERUND_ADVICE}"
    rf"|\bwe (?:recommend|suggest|advise)\s+\w+ing\b|\b(?:can|may|should|could)\s+(?:also\s+)?be\s+used\b"
    rf"|\b(?:succeed|work|help)\w*\s+(?:on|by|after|when)\s+(?:retry|re-?try|restart|refresh|re-?run)\w*",
    re.I,
)
# "Workaround: None at this time.", "We have not identified any workarounds", "no known workaround".
_NO_WORKAROUND = re.compile(
    r"\b(?:no|not|any|none)\b[^.]{0,30}\bworkarounds?\b|\bworkarounds?\b\W{0,3}(?:none|n/a|no|not)\b",
    re.I,
)


def offers_workaround(sentence: str) -> bool:
    """Whether a sentence gives users a workaround: labelled as one by its writer ("As a
    workaround, …", "Workaround: Customers may retry …") or an instruction to users ("Users can
    … instead", "customers can sign out and back in", "In the meantime, you can …", "We recommend
    customers use …"). Sentences saying there is none are not."""
    if not sentence or _NO_WORKAROUND.search(sentence):
        return False
    return bool(_LABELLED_WORKAROUND.search(sentence) or _INSTRUCTION.search(sentence))


_WORKAROUND_FIELD = re.compile(r"^workarounds?\s*:\s*", re.I)


def find_workaround(text: str) -> str | None:
    """The first quotable sentence of ``text`` that offers a workaround (``offers_workaround``),
    verbatim. A status post's "Workaround:" field counts only when what it says is one:
    "Workaround: Other zones are unaffected" gives users nothing to do."""
    for sentence in _iter_sentences(text or ""):
        if offers_workaround(_WORKAROUND_FIELD.sub("", sentence)) and is_quotable(sentence):
            return sentence
    return None


# A promise of an update followed by when: "We will provide an update by Tuesday, 2021-08-17
# 09:10 US/Pacific", "Next update in 30 minutes", "We'll provide an update at 8:00 AM PDT".
_PROMISE = (
    r"(?:\b(?:next|another|further|additional|an|new)\s+(?:status\s+)?updates?\b"
    r"|\b(?:more|further|additional)\s+(?:information|details)\b"
    r"|\bupdates?\s+(?=every\b)"
    r"|(?:\bwill|'ll|\u2019ll)\s+(?:\w+\s+){0,2}update\b)"
)
_WHEN = (
    r"[^.;!?]{0,60}?\b(?:by|at|within|in|every|before|around|until|no later than)\s+"
    r"(?:[^.;!?]{0,30}?\b\d{1,2}:\d{2}\b"  # a clock time, after any day and date
    r"|(?:approximately\s+|about\s+|around\s+|roughly\s+|another\s+|the\s+next\s+)?"
    r"(?:\d+|an?|one|two|three|four|five|six|twelve|fifteen|thirty|forty-five|few|a few|a couple of|half an?)"
    r"\s*-?\s*(?:minutes?|mins?|hours?|hrs?|days?)\b"
    r"|\d{1,2}\s*[ap]\.?m\b"
    r"|(?:the\s+)?(?:next\s+)?hour\b"
    r"|tomorrow\b|tonight\b|(?:the\s+)?end of (?:the\s+)?day\b"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)"
)
_NEXT_UPDATE = re.compile(_PROMISE + _WHEN, re.I)
_UPDATE_HINT = re.compile(r"update|information|details", re.I)
NEXT_UPDATE_MIN_WORDS = 3  # "Next update by 15:00 UTC" is a whole message


def find_next_update(text: str) -> str | None:
    """The first sentence promising the next update at a time or within an interval ("We will
    provide an update by 15:00 UTC", "Next update in 30 minutes"), verbatim. A promise with no
    time ("We will provide more details as they become available") is not one: it tells the
    reader nothing about when to look again. Short forms count ("Next update by 15:00 UTC"); the
    time must follow the promise."""
    if not text or not _UPDATE_HINT.search(text):
        return None
    for sentence in _iter_sentences(text):
        if _is_prose(sentence, NEXT_UPDATE_MIN_WORDS) and _promises_update(sentence):
            return sentence
    return None


def _promises_update(sentence: str) -> bool:
    return bool(_NEXT_UPDATE.search(sentence))


# --- what a sentence says about the incident ---------------------------------------------------------
# Cues read from one sentence; the writer (offline.py) uses them to choose quotes, and the role check
# (roles.py) to test a summary's claims against its sources.

_OUTAGE_CUES = frozenset({"outage", "symptom", "crash", "recovery"})


def names_an_outage(sentence: str) -> bool:
    """Whether the sentence speaks of an outage at all (the relevance rules' outage, symptom, crash or
    recovery words): "Last year, Chromecast joined the Google Graveyard" recounts history, no incident."""
    _, groups = relevance.field_hits("body", relevance.clean(sentence, relevance.BODY_CHARS))
    return bool(groups & _OUTAGE_CUES)


# Hedged or partial ("still", "partially", "for now"): a summary does not call the incident over on it.
_NOT_YET = re.compile(r"\b(?:not|n't|n\u2019t|yet to|until|once|when|if|partially|still)\b", re.I)


def says_resolved(sentence: str) -> bool:
    """Whether the sentence says this incident is over. "Not yet resolved", "once it is resolved"
    and a resolution in a paragraph about earlier incidents do not count."""
    return (status_words.says_over(sentence) and not _NOT_YET.search(sentence)
            and not is_about_earlier_incidents(sentence))


# A place named as not affected, or as where traffic was served from instead: "served
# successfully from Northern Virginia", "customers in Europe were not affected", "failed over to
# our Central US datacenter". "Traffic served from load balancers in Western Europe saw errors" is
# affected: serving and failing over count only when the place follows them closely.
# A clause can say more than a sentence can: "operating normally", "remained operational" and "healthy"
# spare only the place of their own clause.
_NOT_AFFECTED = re.compile(
    rf"{status_words.NOT_AFFECTED}"
    r"|\b(?:operating|operated|working|worked|running|ran) (?:normally|as expected|fine)\b"
    r"|\bremain(?:s|ed)? (?:fully )?(?:operational|available|unaffected|up)\b|\bhealthy\b",
    re.I,
)
_SERVED_FROM = rf"{status_words.SERVED_ELSEWHERE}\s+(?:our\s+|the\s+|its\s+|other\s+)?(?:[\w-]+\s+){{0,2}}?"
_CLAUSE_BREAK = re.compile(r"[;,]\s+|\s+(?:while|whereas|but|although|though|except)\s+", re.I)


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause of the sentence holding sentence[start:end]: between commas, semicolons and
    "while"/"but"/"whereas"."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(sentence, end)), len(sentence))
    return sentence[left:right]


def names_place_as_unaffected(clause: str, place: str) -> bool:
    """Whether a clause says the place (as written in it) was not affected, or served the
    traffic instead."""
    if _NOT_AFFECTED.search(clause):
        return True
    return bool(re.search(_SERVED_FROM + re.escape(place), clause, re.I))


# Figures of impact as the sources state them: counts of users or reports, error rates, shares.
_FIGURE = re.compile(
    r"\b\d[\d,.]*\s*(?:%|percent\b|per cent\b)"
    r"|\b\d[\d,.]*\s*(?:k\b|thousand|million|billion|m\b)?\s*(?:\+\s*)?(?:\w+\s+){0,2}?"
    r"(?:users|customers|people|reports|complaints|accounts|subscribers|sites|websites|requests|domains"
    r"|businesses|organi[sz]ations|tenants|developers|repositories|flights|stores|calls|messages)\b"
    r"|\b(?:millions|thousands|hundreds of thousands) of (?:users|customers|people|reports|sites|websites)\b"
    r"|\b(?:error rates?|latency|packet loss|failure rates?)\b[^.]{0,40}\b\d",
    re.I,
)


def states_impact_figure(sentence: str) -> bool:
    """Whether the sentence states impact as a figure: "more than 11,000 reports on Downdetector",
    "a peak error rate of 25%", "millions of users"."""
    return bool(_FIGURE.search(sentence))


# What makes a vendor's or reporter's sentence worth quoting over a courtesy: the cause, the
# window, the scale, or what users can do.
_CAUSE = re.compile(
    r"\b(?:root cause|caused by|was caused|due to|because|triggered by|the result of|resulted from|stemm(?:ed|ing) from"
    r"|traced (?:it |the \w+ )?to|misconfigur|faulty|regression"
    r"|a (?:bug|misconfiguration|configuration change|change|deployment|update|fault|failure) (?:in|to|of|that))\b",
    re.I,
)
_WINDOW = re.compile(
    r"\bbetween\b[^.]{0,40}\d{1,2}:\d{2}[^.]{0,40}\band\b|\bfrom\b[^.]{0,30}\d{1,2}:\d{2}[^.]{0,30}\b(?:to|until)\b"
    r"|\bfor (?:about |approximately |roughly |nearly |over |more than )?\d+\s*(?:minutes|hours|mins|hrs)\b",
    re.I,
)


def substance(sentence: str) -> int:
    """How many of cause, window, scale and workaround the sentence gives (0-4)."""
    return (bool(_CAUSE.search(sentence)) + bool(_WINDOW.search(sentence)) + states_impact_figure(sentence)
            + offers_workaround(sentence))
