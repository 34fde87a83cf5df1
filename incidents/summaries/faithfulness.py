"""Whether a summary says only what its sources and facts support. Pure: no Django, no network.

Every statement of a summary (why-this-matters sentences and takeaways alike) is read for the
claims a reader would act on: quotations, error messages, vendor incident ids, times, product
names, regions and numbers. Each must be in the statement's evidence: the sources it cites (a
related incident's `ref_text` when it cites one) plus the values the brief's facts allow
(`summary.stated_values`). A fact that only an uncited source states is not supported: the
citation is what lets a reader check it. A cited ref the brief does not know is a claim too.

The claims are looked for in that order, and the words of each claim found are blanked out
before the next kind is looked for, so one span is reported once: a number inside a quoted
error message is the quote's business, "365" in "Microsoft 365" is the product's, and "1" in
us-east-1 is the region's. Text is compared after `_normalise` (case, typographic quotes and
dashes, white space), and every extractor used is linear, so the cost grows with the length of
the summary times the length of its evidence, not worse.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from incidents.extraction import regions
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.error_messages import find_error_messages
from incidents.extraction.identifiers import find_incident_ids
from incidents.extraction.times import find_times
from incidents.summaries.brief import IncidentBrief, Statement, Summary, stated_values
from incidents.summaries.sentences import plain_text

# "quote" is a quotation that does not read as an error message: a vendor's or a reporter's sentence.
KINDS = ("citation", "quote", "error_message", "incident_id", "time", "product", "region", "number")
_KIND_LABELS = {"incident_id": "incident id", "error_message": "error message"}
_SHOWN = 80  # characters of the statement a readable claim shows

_TO_ASCII = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u02bc": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
})
_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"\w")

# Double quotes of either kind, and single typographic quotes, keeping the apostrophes inside
# them (a right single quote followed by a letter: can\u2019t). Each is bounded and excludes its
# closing mark, so matching is linear.
_MAX_QUOTE = 600
_QUOTE = re.compile(
    rf'"(?P<straight>[^"\n]{{1,{_MAX_QUOTE}}})"'
    rf"|\u201c(?P<curly>[^\u201c\u201d\n]{{1,{_MAX_QUOTE}}})\u201d"
    rf"|(?<![\w\u2019])\u2018(?P<single>(?:[^\u2018\u2019\n]|\u2019(?=[A-Za-z])){{1,{_MAX_QUOTE}}})\u2019(?![A-Za-z])"
)
# A single-quoted word is a scare quote or a name (the so-called fix), not a claim about what someone wrote.
_MIN_SINGLE_QUOTED_WORDS = 2
# What a writer may add at the ends of a quotation without misquoting it: "…," or "… ."
_QUOTE_EDGES = " ,.;:!?"

# A number as written: digits with inner separators ("1,200", "3.5", "5.7.708", "14:05"). Digits
# glued to a letter before them are part of a name (EX2019, v2, 0x8004804E), and are not numbers;
# digits followed by a unit are ("10ms", "3rd").
_NUMBER = re.compile(r"(?<![\w.,:])\d+(?:[.,:]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# Spelled numbers that count things. "one", "first" and "second" are left out: they are far more
# often ordinary words ("one of", "first reported", "a second update") than counts.
# A cardinal is supported by its digits too ("five" by "5"); an ordinal only by its word, which is
# how summary.ordinal writes counts: the digits of "4 h 40 min" do not make an incident the fourth.
_CARDINALS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twice": 2,
}
_ORDINALS = ("third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_SPELLED = re.compile(rf"(?<![\w-])(?:{'|'.join((*_CARDINALS, *_ORDINALS))})(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class UnsupportedClaim:
    statement: str  # the statement's text
    claim: str  # the words that are not supported, as written (for a citation: the ref)
    kind: str  # one of KINDS

    def __str__(self) -> str:
        shown = self.statement if len(self.statement) <= _SHOWN else self.statement[:_SHOWN - 1].rstrip() + "…"
        if self.kind == "citation":
            return f'citation "{self.claim}" in "{shown}" names no source of this incident'
        return f'{_KIND_LABELS.get(self.kind, self.kind)} "{self.claim}" in "{shown}" is in no cited source or fact'


def unsupported_claims(summary: Summary, brief: IncidentBrief, catalogue: Catalogue) -> list[UnsupportedClaim]:
    """Every claim of the summary that its statement's evidence does not support, in the order
    of the statements; an empty list means the summary is faithful to the brief."""
    checker = _Checker(brief, catalogue)
    return [claim for statement in summary.statements() for claim in checker.check(statement)]


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_TO_ASCII).casefold()).strip()


def _canonical_number(written: str) -> str:
    """One spelling per number: "1,200" is 1200, and "09:05" is "9:05"."""
    if _THOUSANDS.fullmatch(written):
        written = written.replace(",", "")
    return written[1:] if len(written) > 1 and written[0] == "0" and written[1].isdigit() else written


def _with_ancestors(label: str) -> set[str]:
    # Europe contains Frankfurt, so an outage in Frankfurt is one in Europe; but "Global" contains
    # everything, and a worldwide outage is a claim of its own.
    return {label} | (regions.expand(label) - {regions.GLOBAL})


@dataclass
class _Evidence:
    """What a set of texts states, in the forms the checks compare."""

    texts: list[str] = field(default_factory=list)  # normalised
    numbers: set[str] = field(default_factory=set)  # canonical
    spelled: set[str] = field(default_factory=set)  # casefolded
    moments: set[datetime] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)  # labels, with the regions containing them
    vendors: set[str] = field(default_factory=set)  # slugs, also of vendors named through a service
    services: set[str] = field(default_factory=set)  # slugs

    @classmethod
    def read(cls, texts: list[str], references: list[datetime], catalogue: Catalogue) -> "_Evidence":
        """`references` date the times the texts write without a date: a source's own
        publication time, and the brief's as_of, which is what a statement's times are read with."""
        evidence = cls()
        for text in filter(None, map(plain_text, texts)):  # a quote of a markdown post is quoted without its marks
            normal = _normalise(text)
            evidence.texts.append(normal)
            evidence.numbers.update(_canonical_number(match[0]) for match in _NUMBER.finditer(normal))
            evidence.spelled.update(match[0] for match in _SPELLED.finditer(normal))
            for reference in references:
                evidence.moments.update(mention.utc for mention in find_times(text, reference))
            for mention in regions.find_regions(text):
                evidence.regions |= _with_ancestors(mention.label)
            for match in catalogue.match(text):
                evidence.vendors.add(match.vendor_slug)
                if match.kind == "service":
                    evidence.services.add(match.slug)
        return evidence

    @classmethod
    def union(cls, parts: list["_Evidence"]) -> "_Evidence":
        merged = cls()
        for part in parts:
            merged.texts += part.texts
            merged.numbers |= part.numbers
            merged.spelled |= part.spelled
            merged.moments |= part.moments
            merged.regions |= part.regions
            merged.vendors |= part.vendors
            merged.services |= part.services
        return merged

    def contains(self, phrase: str, *, clause_end: bool = False) -> bool:
        """Whether some text holds the phrase (normalised) as whole words: "MO50227" is not in
        "MO502273". With `clause_end`, only where punctuation or the end of the text follows it."""
        phrase = _normalise(phrase)
        if not phrase:
            return True
        before = r"(?<!\w)" if _WORD_CHAR.match(phrase[0]) else ""
        after = r"(?=[.,;:!?)\"']|$)" if clause_end else r"(?!\w)" if _WORD_CHAR.match(phrase[-1]) else ""
        pattern = re.compile(before + re.escape(phrase) + after)
        return any(pattern.search(text) for text in self.texts)


class _Blanked:
    """A statement whose checked spans are blanked out, offsets unchanged, so later kinds skip them."""

    def __init__(self, text: str) -> None:
        self._chars = list(text)

    @property
    def text(self) -> str:
        return "".join(self._chars)

    def blank(self, start: int, end: int) -> None:
        self._chars[start:end] = " " * (end - start)

    def blank_every(self, written: str) -> None:
        text, start = self.text, 0
        while written and (start := text.find(written, start)) != -1:
            self.blank(start, start + len(written))
            start += len(written)


class _Checker:
    def __init__(self, brief: IncidentBrief, catalogue: Catalogue) -> None:
        self.brief = brief
        self.catalogue = catalogue
        self.known_refs = brief.refs()
        # The vendor's name goes with its services: the catalogue counts "Cloud SQL" or "Teams" only
        # beside their vendor, as extraction did.
        named_together = "\n".join([brief.vendor, *(service.name for service in brief.services)])
        facts = _Evidence.read([*sorted(stated_values(brief)), named_together], [brief.as_of], catalogue)
        for label in brief.region_labels:
            facts.regions |= _with_ancestors(label)
        self.facts = facts
        self._by_ref: dict[str, _Evidence] = {}

    def evidence_of(self, ref: str) -> _Evidence:
        """What one cited ref states, read once per brief however many statements cite it."""
        if ref not in self._by_ref:
            brief = self.brief
            texts: list[str] = []
            references = [brief.as_of]
            source = brief.source(ref)
            if source is not None:
                # The publisher is named with what it wrote: "(The Register)". A status page's vendor
                # goes before its text, which often names only the product (extraction reads it so too).
                texts += [source.publisher, "\n".join([*source.vendor_names, source.title, source.text])]
                references.append(source.published_at)
            for related in brief.related:
                if related.ref == ref:
                    # An earlier incident of the same vendor: its texts are read as the vendor's.
                    texts += ["\n".join([brief.vendor, related.title, related.ref_text])]
                    references.append(related.started_at)
            self._by_ref[ref] = _Evidence.read(texts, references, self.catalogue)
        return self._by_ref[ref]

    def check(self, statement: Statement) -> list[UnsupportedClaim]:
        found: dict[tuple[str, str], UnsupportedClaim] = {}

        def report(kind: str, claim: str) -> None:
            found.setdefault((kind, _normalise(claim)), UnsupportedClaim(statement.text, claim, kind))

        cited = [ref for ref in dict.fromkeys(statement.citations) if ref in self.known_refs]
        for ref in statement.citations:
            if ref not in self.known_refs:
                report("citation", ref)
        evidence = _Evidence.union([self.facts, *(self.evidence_of(ref) for ref in cited)])
        blanked = _Blanked(statement.text)
        for step in (self._quotes, self._unquoted_errors, self._incident_ids, self._times, self._products,
                     self._regions, self._numbers):
            step(blanked, evidence, report)
        return list(found.values())

    # --- each kind of claim, in the order they are looked for -------------------------------------

    def _quotes(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        """A quotation must be in the evidence word for word, apart from the punctuation at its
        ends; "…" or "..." inside it marks words left out, so each part is looked for on its own.
        One that is not is an error message when errors.find_error_messages reads it as one in the
        statement, else a quote. (One of the brief's error messages is always supported: the facts
        state it.)"""
        text = blanked.text
        errors_read = set(find_error_messages(text))
        for match in _QUOTE.finditer(text):
            inner = match[match.lastgroup].strip()
            if match.lastgroup == "single" and len(inner.split()) < _MIN_SINGLE_QUOTED_WORDS:
                continue
            blanked.blank(*match.span())
            # Markup is compared as the evidence is read: without it (a markdown post quoted as written).
            parts = (part.strip(_QUOTE_EDGES) for part in _normalise(plain_text(inner)).split("..."))
            if all(evidence.contains(part) for part in parts):
                continue
            report("error_message" if inner in errors_read else "quote", inner)

    def _unquoted_errors(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        for message in find_error_messages(blanked.text):  # quotations are blanked: these are unquoted
            if not _message_supported(message, evidence):
                report("error_message", message)
            blanked.blank_every(message)

    def _incident_ids(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        for identifier in find_incident_ids(blanked.text):
            if not evidence.contains(identifier):
                report("incident_id", identifier)
            blanked.blank_every(identifier)

    def _times(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        """A time is supported as written ("14:05 UTC on 27 Nov"), or as the same instant written
        in another zone or form ("9:05 EDT" for a source's "13:05 UTC" that day)."""
        for mention in find_times(blanked.text, self.brief.as_of):
            if not (evidence.contains(mention.text) or mention.utc in evidence.moments):
                report("time", mention.text.rstrip("."))  # the period of "Nov." that ends the sentence
            blanked.blank_every(mention.text)

    def _products(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        for match in self.catalogue.match(blanked.text):
            known = evidence.services if match.kind == "service" else evidence.vendors
            if match.slug not in known:
                report("product", match.alias)
            blanked.blank(match.start, match.end)

    def _regions(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        for mention in regions.find_regions(blanked.text):
            if mention.label not in evidence.regions:
                report("region", mention.text)
            blanked.blank_every(mention.text)

    def _numbers(self, blanked: _Blanked, evidence: _Evidence, report) -> None:
        text = blanked.text
        for match in _NUMBER.finditer(text):
            if _canonical_number(match[0]) not in evidence.numbers:
                report("number", match[0])
        for match in _SPELLED.finditer(text):
            word = match[0].casefold()
            as_digits = str(_CARDINALS[word]) if word in _CARDINALS else ""
            if word not in evidence.spelled and as_digits not in evidence.numbers:
                report("number", match[0])


def _message_supported(message: str, evidence: _Evidence) -> bool:
    """An unquoted error message is not a quotation, so prose may follow it: "senders get 550
    5.7.708 errors". It is supported when the evidence holds all of it, or holds its first words
    and they are a complete part of a message that the rest of the statement does not continue:

    1. the held words are an error message by themselves;
    2. the next word is not capitalised (a capital would start the message's own text: misquoted);
    3. they are the bare code, or end where the evidence ends a clause ("…unavailable."), so the
       statement did not stop halfway through a misquoted message ("550 5.7.708 Service refused")."""
    if evidence.contains(message):
        return True
    words = message.split()
    # The longest leading run of words the evidence holds, by bisection: a run held implies every
    # shorter run is held too.
    low, high = 0, len(words) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if evidence.contains(" ".join(words[:middle])):
            low = middle
        else:
            high = middle - 1
    held = " ".join(words[:low])
    if not low or find_error_messages(held) != [held] or words[low][:1].isupper():
        return False
    shorter = " ".join(words[:low - 1])
    return find_error_messages(shorter) != [shorter] or evidence.contains(held, clause_end=True)
