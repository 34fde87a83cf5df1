"""What a reader typed into the search box, made safe for the full-text index, and the snippets
shown with each result. Pure: text in, data out.

A query is bounded (MAX_QUERY_CHARS, MAX_TERMS), cleaned of control characters, and split into
terms: the reader's words with the punctuation around them removed. Terms are never parsed as
query syntax: quotes, *, NEAR, AND, OR, parentheses and colons are ordinary characters, so SQL
or FTS syntax in the box only ever searches for its words. English stop words are left out on
both databases, because PostgreSQL's 'english' configuration ignores them and SQLite's FTS5 has
no stop words: without this, "github down" would need "down" on SQLite only.

A status-page incident link pasted whole searches for its incident id ("…/incidents/5jfkz8q1mlql"
→ 5jfkz8q1mlql), the same id the pipeline records on the incident.
"""

import re
import unicodedata
from dataclasses import dataclass

from incidents.extraction.identifiers import find_incident_ids

MAX_QUERY_CHARS = 300  # room for a pasted error message (errors.py keeps messages up to 300 characters)
MAX_TERMS = 16

# PostgreSQL's english.stop (the Snowball list): words its 'english' configuration does not index.
STOP_WORDS = frozenset("""
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
    it its itself they them their theirs themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more most other some such
    no nor not only own same so than too very s t can will just don should now
""".split())  # noqa: SIM905 - a word list reads best as the list PostgreSQL ships

# Both tokenizers (PostgreSQL's parser, FTS5's unicode61) split words at what is not a letter or a digit.
_WORD_PIECE = re.compile(r"[^\W_]+")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchQuery:
    text: str  # cleaned and bounded: what the search box shows back
    terms: tuple[str, ...]  # what the index is asked for; empty when there is nothing to search
    notices: tuple[str, ...] = ()  # what was changed or left out, in words for the page

    @property
    def is_empty(self) -> bool:
        return not self.terms


@dataclass(frozen=True)
class Match:
    """What the index must find: documents with all the terms, or (any_term) with at least one."""

    terms: tuple[str, ...]
    any_term: bool = False


@dataclass(frozen=True)
class Fragment:
    text: str
    hit: bool  # a query term: the page marks it


def parse_query(raw: str | None) -> SearchQuery:
    """The reader's text as a bounded, cleaned query and its terms."""
    notices: list[str] = []
    # Cut before normalising so hostile input costs little; NFKC may lengthen text, so cut again after.
    text = _clean(unicodedata.normalize("NFKC", (raw or "")[: MAX_QUERY_CHARS * 4]))
    if len(text) > MAX_QUERY_CHARS:
        text = _cut_at_word(text, MAX_QUERY_CHARS)
        notices.append(f"Your search was cut to its first {len(text)} characters.")
    terms: list[str] = []
    seen: set[str] = set()
    stop_words_only = False
    for word in text.split(" "):
        term = _term(word)
        if not term:
            continue
        pieces = [piece.lower() for piece in _WORD_PIECE.findall(term)]
        if all(piece in STOP_WORDS for piece in pieces):
            stop_words_only = True
            continue
        if term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    if len(terms) > MAX_TERMS:
        notices.append(f"Only the first {MAX_TERMS} words were searched for.")
        terms = terms[:MAX_TERMS]
    if not terms and stop_words_only:
        notices.append("Words as common as “the” or “down” are not searched for: add a more specific word.")
    return SearchQuery(text=text, terms=tuple(terms), notices=tuple(notices))


def _clean(text: str) -> str:
    """Control and format characters (NUL, zero-width, bidi overrides) become spaces; runs of space one."""
    kept = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)
    return _SPACES.sub(" ", kept).strip()


def _cut_at_word(text: str, limit: int) -> str:
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 3 // 4 else cut).rstrip()


def _term(word: str) -> str:
    """A word as a term: a pasted status-page link becomes its incident id; punctuation around a
    word goes ("(MO502273)," → MO502273), punctuation inside stays (5.7.708, eu-central-1)."""
    if "/" in word:
        identifiers = find_incident_ids(word)
        if identifiers:
            return identifiers[0]
    return _EDGE_PUNCTUATION.sub("", word)


def strict(query: SearchQuery) -> Match:
    return Match(query.terms)


def relaxed(query: SearchQuery) -> Match | None:
    """What to search for when no document has every term: the terms that carry a digit when there
    are some (a pasted error with words of its own around "550 5.7.708" still finds the bounce),
    otherwise any of the terms. None when there is nothing looser to try."""
    codes = tuple(term for term in query.terms if any(char.isdigit() for char in term))
    if codes and len(codes) < len(query.terms):
        return Match(codes)
    if len(query.terms) > 1:
        return Match(query.terms, any_term=True)
    return None


def fts5_expression(match: Match) -> str:
    """An FTS5 MATCH expression for the terms. Each term is a quoted string, which FTS5 reads as a
    phrase of its tokens and never as syntax (a quote inside is doubled)."""
    phrases = ['"' + term.replace('"', '""') + '"' for term in match.terms]
    return (" OR " if match.any_term else " ").join(phrases)


# --- snippets ---------------------------------------------------------------------------------

SNIPPET_CHARS = 220
_SUFFIXES = ("ing", "ies", "es", "ed", "s")  # enough to mark "outages" for "outage" and back


def _stem(piece: str) -> str:
    piece = piece.lower()
    for suffix in _SUFFIXES:
        if piece.endswith(suffix) and len(piece) - len(suffix) >= 3:
            return piece[: -len(suffix)]
    return piece


def term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """Where the terms occur in a text, roughly as the index matched them: each word of a term by
    its stem at the start of a word, the words of a term next to each other."""
    alternatives = []
    for term in terms:
        pieces = _WORD_PIECE.findall(term)
        if pieces:
            alternatives.append(r"[\W_]{1,3}".join(rf"(?<![^\W_]){re.escape(_stem(piece))}[^\W_]*" for piece in pieces))
    if not alternatives:
        return None
    # Longest first, so "5.7.708" is marked whole rather than its "5".
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)), re.IGNORECASE)


def snippet(texts: list[str], pattern: re.Pattern | None, width: int = SNIPPET_CHARS) -> tuple[Fragment, ...]:
    """A window of the first text that contains a term, around its first occurrence, split into
    fragments with the terms marked. Empty when no text contains one."""
    if pattern is None:
        return ()
    for text in texts:
        first = pattern.search(text or "")
        if first is None:
            continue
        start = max(0, first.start() - width // 3)
        if start:
            space = text.find(" ", start, first.start())
            start = space + 1 if space != -1 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", first.end(), end)
            end = space if space != -1 else end
        return _fragments(text, start, end, pattern)
    return ()


def _fragments(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[Fragment, ...]:
    fragments: list[Fragment] = []
    if start:
        fragments.append(Fragment("… ", False))
    position = start
    for found in pattern.finditer(text, start, end):
        if found.start() > position:
            fragments.append(Fragment(text[position:found.start()], False))
        fragments.append(Fragment(found[0], True))
        position = found.end()
    if position < end:
        fragments.append(Fragment(text[position:end], False))
    if end < len(text):
        fragments.append(Fragment(" …", False))
    return tuple(fragments)
