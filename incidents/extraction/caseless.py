"""Patterns that ignore case, searched faster in ASCII text. Pure.

The regex engine ignores case one character at a time, and then cannot skip quickly past the
positions where no alternative of a pattern can start. In ASCII text, a pattern whose letters
are all lower case finds, with case, in the lower-cased text exactly what it finds ignoring case
in the text: the same places, the same groups. Whether a pattern is so is checked, from its
parsed form, when it is made.
"""

import re
from collections.abc import Iterator
from re import _constants as regex_ops
from re import _parser as regex_parser

_ASCII = tuple(map(chr, range(128)))
_REPEATS = (regex_ops.MAX_REPEAT, regex_ops.MIN_REPEAT, regex_ops.POSSESSIVE_REPEAT)


class CaselessPattern:
    """A pattern compiled to ignore case (`pattern`), and the same pattern with case, for lower-cased
    ASCII text."""

    def __init__(self, pattern: str, flags: int = 0):
        if not _folds_alike(list(regex_parser.parse(pattern, flags))):
            raise ValueError(f"not a pattern with lower-case letters only: {pattern!r}")
        self.pattern = re.compile(pattern, flags | re.IGNORECASE)
        self._with_case = re.compile(pattern, flags)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The pattern's matches in the text. In ASCII text they are matches in its lower-cased copy:
        their places and group names are the text's, the words they hold are lower case (read them
        from the text)."""
        if text.isascii():
            return self._with_case.finditer(text.lower())
        return self.pattern.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        """The pattern's first match in the text (as `finditer`'s: the words it holds may be lower case)."""
        if text.isascii():
            return self._with_case.search(text.lower())
        return self.pattern.search(text)


def _folds_alike(items: list) -> bool:
    """Whether every character the parsed pattern tests, ignoring case, matches in ASCII text the
    characters it matches with case in their lower case (no upper-case letter, no letter that
    ignoring case matches another ASCII letter), and nothing else compares case (back-references,
    flags changed inside)."""
    for op, argument in items:
        if op in (regex_ops.LITERAL, regex_ops.NOT_LITERAL):
            if not _matches_alike(re.escape(chr(argument))):
                return False
        elif op is regex_ops.IN:
            for item, value in argument:
                if item is regex_ops.LITERAL and not _matches_alike(re.escape(chr(value))):
                    return False
                if item is regex_ops.RANGE and not _matches_alike(
                        f"[{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}]"):
                    return False
                if item not in (regex_ops.LITERAL, regex_ops.RANGE, regex_ops.NEGATE, regex_ops.CATEGORY):
                    return False
        elif op is regex_ops.SUBPATTERN:
            add_flags, del_flags, inner = argument[1], argument[2], argument[3]
            if add_flags or del_flags or not _folds_alike(list(inner)):
                return False
        elif op is regex_ops.BRANCH:
            if not all(_folds_alike(list(alternative)) for alternative in argument[1]):
                return False
        elif op in _REPEATS:
            if not _folds_alike(list(argument[2])):
                return False
        elif op in (regex_ops.ASSERT, regex_ops.ASSERT_NOT):
            if not _folds_alike(list(argument[1])):
                return False
        elif op not in (regex_ops.AT, regex_ops.ANY):
            return False  # a back-reference, a conditional group or anything else not looked into
    return True


def _matches_alike(character_pattern: str) -> bool:
    """Whether the one-character pattern matches, ignoring case, the ASCII characters it matches with
    case in their lower case."""
    ignoring_case, with_case = re.compile(character_pattern, re.IGNORECASE), re.compile(character_pattern)
    return all(bool(ignoring_case.fullmatch(char)) == bool(with_case.fullmatch(char.lower())) for char in _ASCII)


def matched_words(text: str, match: re.Match[str], group: int | str = 0) -> str:
    """The words of the text that a CaselessPattern's match (or one of its groups) holds, as written."""
    return text[match.start(group):match.end(group)]
