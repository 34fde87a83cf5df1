"""Error messages users see, verbatim, as people paste them into a search box.

Two kinds:

* Quoted text (straight, typographic, German or Japanese quotes, backticks) that looks like an
  error: "550 5.7.708 Service unavailable", "Something went wrong. Please try again later.",
  "Error 0x80070005". It needs a marker: an error code (SMTP, HTTP with its reason phrase, 0x…,
  AADSTS…, CAA…, ERR_… constants, "Error 1101") or an error word ("failed", "unable", "denied",
  "try again" …), or the words around it must call it an error message. A quotation of a person
  ("We are aware of the issue," a spokesperson said) is not a message on a screen, whatever its
  words: speech attribution next to the quote rules it out, unless the sentence calls it one.
* Unquoted classic forms: an SMTP code with its message up to the end of the sentence (and any
  following sentences that still read as the error), "HTTP 503", "503 Service Unavailable",
  "Error 1101", 0x8004804E, AADSTS50058, CAA20003, ERR_CONNECTION_TIMED_OUT.

Pure. Quotes are matched by excluding their closing mark with a bounded length, and every other
pattern is bounded too, so cost stays linear on hostile input.
"""

import re
from bisect import bisect_right
from operator import itemgetter

_MAX_MESSAGE = 300  # characters inside quotes; a longer quotation is prose, not a message

# Straight and typographic double quotes, German low-high quotes, Japanese corner brackets and
# backticks; typographic single quotes apart, because they are often nested in double ones
# (inside them a right single quote followed by a letter is an apostrophe: can\u2019t).
_QUOTED = re.compile(
    rf'"(?P<straight>[^"\n]{{1,{_MAX_MESSAGE}}})"'
    rf"|\u201c(?P<curly>[^\u201c\u201d\n]{{1,{_MAX_MESSAGE}}})\u201d"
    rf"|\u201e(?P<german>[^\u201c\u201d\u201e\n]{{1,{_MAX_MESSAGE}}})[\u201c\u201d]"
    rf"|\u300c(?P<japanese>[^\u300c\u300d\n]{{1,{_MAX_MESSAGE}}})\u300d"
    rf"|`(?P<backtick>[^`\n]{{1,{_MAX_MESSAGE}}})`"
)
_SINGLE_QUOTED = re.compile(
    rf"(?<![\w\u2019])\u2018(?P<single>(?:[^\u2018\u2019\n]|\u2019(?=[A-Za-z])){{1,{_MAX_MESSAGE}}})\u2019(?![A-Za-z])"
)

_HTTP_REASONS = (
    r"Bad Request|Unauthori[sz]ed|Forbidden|Not Found|Request Time-?out|Too Many Requests|Internal Server Error"
    r"|Not Implemented|Bad Gateway|Service (?:Temporarily )?Unavailable|Gateway Time-?out"
)
_SMTP_CODE = r"(?<![\w.])(?:[245]\d\d[ -]#?)?[245]\.\d{1,3}\.\d{1,3}(?![\w.]|\.\d)"
# Codes that mark an error wherever they stand. Each is bounded and anchored on a literal or a
# word boundary.
_CODE_PATTERNS = {
    "smtp": _SMTP_CODE,
    "http": rf"\bHTTP(?:/\d(?:\.\d)?)?(?: (?:error|status)(?: code)?)?:? ?[1-5]\d\d\b(?: (?i:{_HTTP_REASONS})\b)?",
    "status_reason": rf"\b[45]\d\d (?i:{_HTTP_REASONS})\b",
    "error_number": r"\b[Ee]rror(?: code)?:? ?#?\d{3,5}\b(?!%|\.\d)",
    "hresult": r"\b0x[0-9A-Fa-f]{8}\b",
    "entra": r"\bAADSTS\d{5,6}\b",
    "teams": r"\bCAA[0-9A-Fa-f]{5}\b",
    # Upper-case constants naming a failure: ERR_CONNECTION_TIMED_OUT, DNS_PROBE_FINISHED_NXDOMAIN,
    # PAGE_FAULT_IN_NONPAGED_AREA; not AWS_EC2_OPERATIONAL_ISSUE.
    "constant": (
        r"\b(?=[A-Z0-9_]{0,60}(?:ERR|FAIL|FAULT|EXCEPTION|DENIED|REFUSED|TIMED_OUT|TIMEOUT|INVALID|NOT_|NXDOMAIN|DIED|CRASH|UNREACHABLE))"
        r"[A-Z][A-Z0-9]{1,30}(?:_[A-Z0-9]{1,30}){1,8}\b|\b(?:NXDOMAIN|SERVFAIL)\b"
    ),
}
_CODE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _CODE_PATTERNS.items()))
_ERROR_WORDS = re.compile(
    r"\b(?:errors?|fail(?:ed|ure|s)?|unable|can['\u2019]?t|cannot|couldn['\u2019]t|could not|denied|unavailable"
    r"|timed out|time-?out|refused|rejected|something went wrong|went wrong|try again|not available"
    r"|isn['\u2019]t available|not responding|unreachable|exception"
    r"|(?:wasn|weren|couldn)['\u2019]?t (?:be )?(?:sent|delivered)|not (?:be )?delivered|undeliverable)\b",
    re.IGNORECASE,
)
# Words before a quote that call it a message on screen: 'an error reading "…"', 'the app showed
# "…"', 'error code "…"'. A verb of quoting counts only after such a noun: banners and signs
# "read" slogans too.
_MESSAGE_NOUNS = frozenset((
    "error", "message", "warning", "prompt", "popup", "pop-up", "notice", "dialog", "alert", "screen", "page", "code",
))
_MESSAGE_VERBS = frozenset(("displayed", "displaying", "displays", "shows", "showed", "shown", "showing", "returned",
                            "returning", "returns", "threw", "throws", "throwing"))
_QUOTING_VERBS = frozenset(("reading", "reads", "read", "saying", "says", "stating", "states"))
# Or that introduce an example of such a noun: 'errors like "…"', 'messages such as "…"'.
_INTRODUCING = frozenset(("like", "as"))
# Or the word after it: '"Something went wrong" error', a `500 Internal Server` error.
_CALLED_A_MESSAGE_AFTER = re.compile(r"[\s,]{0,3}(?:error|errors|message|messages|warning|response)\b", re.IGNORECASE)
_MAX_UNMARKED_MESSAGE = 120
_MIN_WORDS_MARKED_BY_A_WORD = 2  # 'a "failure" of the system' is a scare quote
# A quotation of a person: "…," a spokesperson said / Microsoft said: "…" / "…," according to …
_SAID = r"(?:said|says|say|told|wrote|writes|added|adds|explained|noted|stated|tweeted|posted|announced|according)"
_ATTRIBUTED_AFTER = re.compile(rf"[\s,.]{{0,3}}(?:[\w\u2019'.-]{{1,30}}\s{{1,3}}){{0,5}}?{_SAID}\b", re.IGNORECASE)
_SPEAKING = re.compile(rf"\b(?:{_SAID}|statement|spokes(?:person|man|woman))\b", re.IGNORECASE)
# The message that follows an SMTP or AADSTS code: sentence by sentence while it still reads as
# the error. A period inside a word (example.com, 5.7.1) does not end a sentence.
_SEPARATOR = re.compile(r"[ \t:\-\u2013]{0,5}")
# A single quote ends it too unless a letter follows (weren't): '550 5.7.1 Access denied' was shown.
_SENTENCE = re.compile(
    r'(?:[^\n.!?"\u201c\u201d\'\u2019]|[.!?](?=[^\s"\u201c\u201d\'\u2019])|[\'\u2019](?=\w)){1,200}[.!?]?'
)
_CAPITALISED_WORD = re.compile(r" {1,3}[A-Z]")
_VERSION_BEFORE = re.compile(r"\b(?:version|v|release|build)\s{0,2}$", re.IGNORECASE)
_MAX_SENTENCES = 3
_CLOSING = {")": "(", "]": "[", "}": "{"}
_OPENING = frozenset(_CLOSING.values())
_STRAY_AT_START = " \t,;:" + "".join(_CLOSING)
_STRAY_AT_END = " \t,;:" + "".join(_OPENING)
_CONTEXT = 60


def find_error_messages(text: str) -> list[str]:
    """Error messages in the order they first appear, each once, trimmed."""
    found: list[tuple[int, str]] = []
    quoted: list[list[tuple[int, int]]] = []  # spans of accepted quotes, one sorted list per pattern
    for pattern in (_QUOTED, _SINGLE_QUOTED):
        accepted: list[tuple[int, int]] = []
        for match in pattern.finditer(text):
            if any(_covers(spans, match.start()) for spans in quoted):
                continue  # a quote inside an accepted message is part of it
            inner = match[match.lastgroup].strip()
            if _is_error_message(text, match, inner) and (message := _without_stray_marks(inner)):
                found.append((match.start(), message))
                accepted.append(match.span())
        quoted.append(accepted)
    covered_until = 0  # a code inside the message of the code before it is part of that message
    for match in _CODE.finditer(text):
        if match.start() < covered_until or any(_covers(spans, match.start()) for spans in quoted):
            continue
        message, covered_until = _unquoted_message(text, match)
        if message:
            found.append((match.start(), message))
    found.sort(key=itemgetter(0))
    return list(dict.fromkeys(message for _, message in found))


def _covers(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether the position falls inside one of the sorted, non-overlapping spans."""
    index = bisect_right(spans, position, key=itemgetter(0)) - 1
    return index >= 0 and position < spans[index][1]


def _is_error_message(text: str, match: re.Match, inner: str) -> bool:
    if not inner:
        return False
    coded = bool(_CODE.search(inner))
    worded = bool(_ERROR_WORDS.search(inner))
    # Looked at in short windows with anchored matches and plain string methods: a text of many
    # quotes must not cost a regex search per position of each window.
    before = text[max(0, match.start() - _CONTEXT):match.start()].rstrip(" \t\n")
    after = text[match.end():match.end() + _CONTEXT]
    words_before = [word.strip("([:,").lower() for word in before.rsplit(None, 3)[-3:]]
    last_word = words_before[-1] if words_before else ""
    if last_word in _QUOTING_VERBS or last_word in _INTRODUCING:
        # 'an error reading "…"', 'errors like "…"', 'messages such as "…"'
        nouns = [word.removesuffix("s") for word in words_before[:-1] if word != "such"]
        called_a_message = bool(nouns) and nouns[-1] in _MESSAGE_NOUNS
    else:
        called_a_message = last_word in _MESSAGE_NOUNS or last_word in _MESSAGE_VERBS
    if called_a_message or _CALLED_A_MESSAGE_AFTER.match(after):
        return coded or worded or len(inner) <= _MAX_UNMARKED_MESSAGE  # 'the app showed "Your account is locked"'
    if coded and _CODE.match(inner):
        # A quote that opens with an error code is a bounce or a screen, not a person, even with the
        # reporter's comma inside it: '"550 5.7.1 Unfortunately, messages … weren't sent," users said'.
        return True
    if _is_attributed_speech(before, after, match, inner):
        return False
    if coded:
        return True
    # An error word alone is weaker. What a banner, sign or letter "reads" is not a message on a
    # screen; a quotation that opens a sentence is someone speaking ('"I can't wait," she said.'
    # or a paragraph of speech); and a single word is a scare quote.
    opens_sentence = not before or before.endswith((".", "!", "?"))
    return (worded and last_word not in _QUOTING_VERBS and not opens_sentence
            and len(inner.split()) >= _MIN_WORDS_MARKED_BY_A_WORD)


def _is_attributed_speech(before: str, after: str, match: re.Match, inner: str) -> bool:
    # Reporters end a quoted sentence with a comma inside the quotes before "she said"; messages do
    # not. Or the speaker comes first: 'Microsoft said: "…"', 'In a statement, it said, "…"'.
    if inner.endswith(",") and match.lastgroup in ("straight", "curly", "german"):
        return True
    if before.endswith((":", ",", ".")) and _SPEAKING.search(before, max(0, len(before) - 30)):
        return True
    return bool(_ATTRIBUTED_AFTER.match(after))


def _unquoted_message(text: str, match: re.Match) -> tuple[str, int]:
    """The message a code stands for, and where it ends."""
    kind = match.lastgroup
    if kind == "smtp":
        # "5.7.1" alone (no "550 " in front) needs a message to tell it from a version number.
        return _code_with_message(text, match, needs_message=match[0][1] == ".")
    if kind == "entra" and text.startswith(":", match.end()):
        return _code_with_message(text, match, needs_message=False)
    return match[0], match.end()


def _code_with_message(text: str, match: re.Match, *, needs_message: bool) -> tuple[str, int]:
    """The code and the sentences after it that still read as its message. A bare enhanced code
    (5.7.1) is only an error when a capitalised error message follows, as in a bounce ("4.4.1
    Connection timed out"); otherwise it may be a version ("MySQL 5.7.36, with replication …")."""
    if needs_message and (_VERSION_BEFORE.search(text, max(0, match.start() - 12), match.start())
                          or not _CAPITALISED_WORD.match(text, match.end())):
        return "", match.end()
    end = match.end()
    for count in range(_MAX_SENTENCES):
        sentence = _SENTENCE.match(text, _SEPARATOR.match(text, end).end())
        if not sentence or (count and not _ERROR_WORDS.search(sentence[0])):
            break
        end = sentence.end()
    message = _without_stray_marks(text[match.start():end].strip())
    end = min(end, match.start() + len(message))  # a bracket it did not open ended it
    message = message.rstrip(".")
    if needs_message and not _ERROR_WORDS.search(message, len(match[0])):
        return "", match.end()
    return message, end


def _without_stray_marks(message: str) -> str:
    """The message without the marks of the text around it: a bracket it closes but never opened
    ends it ('[550 5.7.1 … weren't sent] in bounces', pasted JSON's '…"}'), and a reporter's comma
    inside the quotes, or a bracket left open at either end, goes ('"Server busy, try again,"',
    '"{Access denied"')."""
    message = message.lstrip(_STRAY_AT_START)
    opened: list[tuple[int, str]] = []
    for index, char in enumerate(message):
        if char in _OPENING:
            opened.append((index, char))
        elif char in _CLOSING and (not opened or opened.pop()[1] != _CLOSING[char]):
            message = message[:index]
            break
    if opened and opened[0][0] == 0:
        message = message[1:]
    return message.strip().rstrip(_STRAY_AT_END)
