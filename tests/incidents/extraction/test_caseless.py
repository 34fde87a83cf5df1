import re

import pytest

from incidents.extraction.caseless import CaselessPattern


@pytest.mark.parametrize("pattern", [
    r"\b(?=[a-z])(?:we are investigating|has been (?:fully )?resolved)\b",
    r"(?<!point\sof\s)fail(?:ures?|ed)\b|[^a-z\d]{1,3}x|\u2019s",
])
@pytest.mark.parametrize("text", [
    "We ARE Investigating; it HAS BEEN FULLY resolved. A point of failure, Failed, FAILURES x",
    "Caf\u00e9 \u2019S we are investigating \u017fo, has been resolved \u212a, FAILED",  # not ASCII: ignoring case
])
def test_it_finds_what_the_pattern_ignoring_case_finds(pattern, text):
    caseless = CaselessPattern(pattern)
    expected = [(m.span(), m.lastgroup) for m in re.finditer(pattern, text, re.IGNORECASE)]
    assert expected
    assert [(m.span(), m.lastgroup) for m in caseless.finditer(text)] == expected


@pytest.mark.parametrize("pattern", [
    "BSOD",  # an upper-case letter
    "[A-Z]x",  # a range of them
    "\u017f",  # long s: ignoring case, it matches "s" and "S"
    "\u212a",  # Kelvin sign: "k"
    r"(a)\1",  # a back-reference compares case
    "(?-i:a)",  # case changed inside
])
def test_a_pattern_that_would_find_otherwise_in_ascii_text_is_refused(pattern):
    with pytest.raises(ValueError):
        CaselessPattern(pattern)
