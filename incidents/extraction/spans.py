"""Stretches of an article's text: its sentences, and text with some stretches blanked out. Pure.

Blanking keeps offsets: a later reader of the text finds each word where it was.
"""

import re
from functools import lru_cache

# Within a line, a sentence ends at a full stop, question or exclamation mark (with any closing
# quote or bracket) before a space; not at the stop of "a.m.", "p.m.", "U.S." or "e.g.", which
# news about outage times is full of ("at 9:12 a.m. ET"). The mark comes first and the look-backs
# include it: a pattern that starts with a set of characters is searched fast.
_SENTENCE_END = re.compile(r"[.!?](?<![ap]\.m.)(?<![AP]\.M.)(?<![A-Z]\.[A-Z].)(?<!\be\.g.)(?<!\bi\.e.)"
                           r"[\"'\u201d\u2019)\]]{0,3}(?=\s)")


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line (a paragraph), in order."""
    spans, start = [], 0
    for end_mark in _SENTENCE_END.finditer(line):
        spans.append((start, end_mark.end()))
        start = end_mark.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


# Extraction splits an article's current text several times (unaffected places, press claims):
# the last few splits are kept.
_RECENT = 8


@lru_cache(maxsize=_RECENT)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of a text, paragraph by paragraph, as offsets into the text."""
    out, line_start = [], 0
    for line in text.split("\n"):
        out.extend((line_start + start, line_start + end) for start, end in sentence_spans(line))
        line_start += len(line) + 1
    return tuple(out)


def positions_in(spans: list[tuple[int, int]], length: int) -> bytearray:
    """One byte per character of a text of `length`: 1 inside one of the spans."""
    inside = bytearray(length)
    for start, end in spans:
        inside[start:end] = b"\x01" * (end - start)
    return inside


_HIDDEN_RUN = re.compile(rb"\x01+")
_NOT_A_LINE_BREAK = re.compile(r"[^\n]")


def blanked(text: str, hidden: bytearray) -> str:
    """The text with its hidden characters as spaces (line breaks kept): offsets do not move."""
    pieces, shown_from = [], 0
    for run in _HIDDEN_RUN.finditer(hidden, 0, len(text)):
        start, end = run.span()
        pieces += (text[shown_from:start], _NOT_A_LINE_BREAK.sub(" ", text[start:end]))
        shown_from = end
    pieces.append(text[shown_from:])
    return "".join(pieces)
