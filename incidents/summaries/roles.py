"""Whether each claim of a summary is in its right role: the semantic check beside
faithfulness.py's literal one. Pure: no Django, no network.

faithfulness.py asks whether every word of a claim is in a cited source. A claim can pass that
and still be false: "ChatGPT" is in the article, but as a victim of the CDN's outage, not as one
of the CDN's services; "Northern Virginia" is in the post, but in "served successfully from
Northern Virginia"; "not acknowledged" is said while the cited article quotes the vendor. This
module reads the summary's claims for their role:

* ``service_owner``: a service named as affected (the "Affected:" takeaway, the subject of a
  sentence) belongs to another vendor than the incident's, by the catalogue.
* ``region_not_affected``: a region named as affected that every source names only as not
  affected or as where traffic was served from.
* ``zero_duration``: a resolved incident said to have lasted 0 min (or "from 23:48 to 23:48")
  with no source saying it was that short.
* ``contradicted_ongoing`` / ``contradicted_unacknowledged``: "still", "ongoing", "has been
  reported down since", "not acknowledged", "not confirmed" while a cited source says the
  incident is resolved, or reports the vendor speaking about it (or is the vendor's own post).
* ``not_a_workaround``: a "Workaround:" statement whose words give users nothing to do.

Quotations inside a statement are the sources' words, not the summary's claims, and are not
read for roles (except a workaround's, which is the claim itself).
"""

import re
from dataclasses import dataclass

from incidents.extraction import regions, status_words
from incidents.extraction.catalogue import Catalogue
from incidents.summaries import sentences
from incidents.summaries.brief import IncidentBrief, SourceDoc, Statement, Summary

KINDS = ("service_owner", "region_not_affected", "zero_duration", "contradicted_ongoing",
         "contradicted_unacknowledged", "not_a_workaround")
_SHOWN = 80
RESOLVED_STATUSES = frozenset({"resolved", "completed", "postmortem"})

_QUOTED = re.compile(r"\u201c[^\u201c\u201d]*\u201d|\u2018(?:[^\u2018\u2019]|\u2019(?=[A-Za-z]))*\u2019(?![A-Za-z])"
                     r'|"[^"]*"')
# Where a statement names what the incident is about: the list of the "Affected:" takeaway, and
# the subject of the sentence that says what is down ("X has been reported down", "X had
# problems"). A victim said to be down in other words ("ChatGPT was down as a result") is not
# named as the incident's subject.
_AFFECTED_LIST = re.compile(r"^(?:affected(?: services?)?|services? affected)\s*:\s*", re.I)
_DOWN_VERB = re.compile(
    r"\b(?:has|have)\s+been\s+(?:reported\s+down|having\s+problems|down|degraded|unavailable)\b"
    r"|\b(?:had|has|have)\s+(?:problems|planned\s+maintenance|an?\s+(?:outage|incident))\b", re.I)
_ONGOING = re.compile(
    r"\b(?:still|ongoing|not yet resolved|unresolved|remains? (?:down|unavailable|degraded))\b"
    r"|\b(?:has|have) been (?:reported down|having problems|down|unavailable|degraded)\b", re.I)
_UNACKNOWLEDGED = re.compile(
    r"\b(?:not (?:yet )?acknowledged|no acknowledgement|unacknowledged|not (?:yet )?confirmed"
    r"|(?:has|have) not (?:yet )?(?:confirmed|acknowledged|commented)|status page still shows operational)\b", re.I)
_ZERO_DURATION = re.compile(r"(?<![\d.])0 min\b|\b0 minutes\b|\bfrom (\d{1,2}:\d{2}) to \1\b")
# What a source says when an incident really was that short.
_INSTANT = re.compile(r"\b(?:0|zero) min|\bless than (?:a|one) minute\b|\bwithin (?:a|one) minute\b|\bno downtime\b"
                      r"|\bmomentar|\b\d+ seconds\b|\ba few seconds\b", re.I)
_WORKAROUND_LABEL = re.compile(r"^\s*workarounds?\s*:\s*", re.I)


@dataclass(frozen=True)
class WrongRoleClaim:
    statement: str  # the statement's text
    claim: str  # the words in the wrong role
    kind: str  # one of KINDS
    why: str  # what the sources or the catalogue say instead

    def __str__(self) -> str:
        shown = self.statement if len(self.statement) <= _SHOWN else self.statement[:_SHOWN - 1].rstrip() + "…"
        return f'{self.kind.replace("_", " ")}: "{self.claim}" in "{shown}": {self.why}'


def wrong_role_claims(summary: Summary, brief: IncidentBrief, catalogue: Catalogue) -> list[WrongRoleClaim]:
    """Every claim of the summary in a role its sources or the catalogue contradict, in the order
    of the statements; an empty list means none was found."""
    checker = _Checker(brief, catalogue)
    return [claim for statement in summary.statements() for claim in checker.check(statement)]


_ASIDE = re.compile(r"\([^()]*\)")


def _without_quotes(text: str) -> str:
    """The text with quotations and asides in brackets blanked (offsets unchanged): the summary's
    own claims. An aside is a description ("DigitalOcean's S3-compatible object storage", "still
    running many web applications") or the vendor's name, not a claim about this incident."""
    return _ASIDE.sub(lambda m: " " * len(m[0]), _QUOTED.sub(lambda m: " " * len(m[0]), text))


_ALSO_AFFECTED = re.compile(r"\balso (?:affected|hit|down)\b", re.I)


def _affected_part(text: str) -> str:
    """The words naming what is affected: after "Affected:", or the subject before "has been
    reported down" / "had problems"; empty when the statement names nothing as affected. What
    follows "Also affected:" names victims, in their right role."""
    own = _ALSO_AFFECTED.split(_without_quotes(text), maxsplit=1)[0]
    listed = _AFFECTED_LIST.match(own)
    if listed:
        return own[listed.end():]
    verb = _DOWN_VERB.search(own)
    return own[:verb.start()] if verb else ""


def _affected_where(text: str) -> str:
    """The words naming where it is affected: the whole of an "Affected:" list or of a sentence
    saying something is down (the region follows the verb: "had problems in Frankfurt")."""
    own = _without_quotes(text)
    return own if _AFFECTED_LIST.match(own) or _DOWN_VERB.search(own) else ""


class _Checker:
    def __init__(self, brief: IncidentBrief, catalogue: Catalogue) -> None:
        self.brief = brief
        self.catalogue = catalogue
        self.vendor_slug = self._vendor_slug(brief.vendor)
        # How the press names the vendor when it quotes it: "Amazon said" for Amazon Web Services.
        aliases = catalogue.vendor(self.vendor_slug).aliases if self.vendor_slug else ()
        self.vendor_names = [name for name in dict.fromkeys([brief.vendor, *aliases]) if name]
        self._region_verdicts: dict[str, str] = {}

    def _vendor_slug(self, name: str) -> str:
        if not name:
            return ""
        folded = name.casefold()
        for vendor in self.catalogue.vendors:
            if folded in (vendor.name.casefold(), *(alias.casefold() for alias in vendor.aliases)):
                return vendor.slug
        return ""

    def check(self, statement: Statement) -> list[WrongRoleClaim]:
        found: list[WrongRoleClaim] = []
        for step in (self._service_owners, self._regions, self._zero_duration, self._contradicted,
                     self._workaround):
            found += step(statement)
        return found

    # --- services ------------------------------------------------------------------------------

    def _service_owners(self, statement: Statement) -> list[WrongRoleClaim]:
        if not self.vendor_slug:
            return []  # no vendor, or one the catalogue does not know: no ownership to compare
        part = _affected_part(statement.text)
        wrong = []
        for match in self.catalogue.match(part):
            if match.kind == "service" and match.vendor_slug != self.vendor_slug:
                owner = self.catalogue.vendor(match.vendor_slug).name
                wrong.append(WrongRoleClaim(
                    statement.text, match.alias, "service_owner",
                    f"{match.name} is {owner}'s, not a service of {self.brief.vendor}: at most 'also affected'"))
        return wrong

    # --- regions -------------------------------------------------------------------------------

    def _regions(self, statement: Statement) -> list[WrongRoleClaim]:
        where = _affected_where(statement.text)
        wrong = []
        for mention in regions.find_regions(where) if where else []:
            why = self._region_verdict(mention.label)
            if why:
                wrong.append(WrongRoleClaim(statement.text, mention.text, "region_not_affected", why))
        return wrong

    def _region_verdict(self, label: str) -> str:
        """Why the region is not affected by what the sources say, or "" when some source names
        it (or a place inside it) as affected, or no source names it at all."""
        if label not in self._region_verdicts:
            self._region_verdicts[label] = self._read_region(label)
        return self._region_verdicts[label]

    def _read_region(self, label: str) -> str:
        inside = regions.descendants(label) | {label}
        negative: list[tuple[SourceDoc, str]] = []
        for doc in self.brief.sources:
            for sentence in sentences.split_sentences(f"{doc.title}\n{doc.text}"):
                for mention in regions.find_regions(sentence):
                    if mention.label not in inside:
                        continue
                    start = sentence.find(mention.text)
                    clause = sentences.clause_around(sentence, start, start + len(mention.text))
                    if not sentences.names_place_as_unaffected(clause, mention.text):
                        return ""  # named as affected somewhere: the claim has a footing
                    negative.append((doc, sentence))
        if not negative:
            return ""
        doc, sentence = negative[0]
        return f'the sources name it only as not affected or as serving traffic ({doc.publisher}: "{sentence}")'

    # --- durations -----------------------------------------------------------------------------

    def _zero_duration(self, statement: Statement) -> list[WrongRoleClaim]:
        match = _ZERO_DURATION.search(_without_quotes(statement.text))
        if not match or any(_INSTANT.search(f"{s.title}\n{s.text}") for s in self.brief.sources):
            return []
        return [WrongRoleClaim(statement.text, match[0], "zero_duration",
                               "no source says it lasted under a minute: the start or the end is a "
                               "report's publication time, not a time a source states")]

    # --- claims a cited source contradicts -----------------------------------------------------

    def _contradicted(self, statement: Statement) -> list[WrongRoleClaim]:
        own = _without_quotes(statement.text)
        cited = [doc for ref in dict.fromkeys(statement.citations) if (doc := self.brief.source(ref))]
        wrong = []
        ongoing = _ONGOING.search(own)
        if ongoing:
            said = next(filter(None, map(self._says_resolved, cited)), "")
            if said:
                wrong.append(WrongRoleClaim(statement.text, ongoing[0], "contradicted_ongoing",
                                            f"a cited source says it is resolved: {said}"))
        unacknowledged = _UNACKNOWLEDGED.search(own)
        if unacknowledged:
            said = next(filter(None, map(self._says_acknowledged, cited)), "")
            if said:
                wrong.append(WrongRoleClaim(statement.text, unacknowledged[0], "contradicted_unacknowledged",
                                            f"a cited source reports the vendor on it: {said}"))
        return wrong

    def _says_resolved(self, doc: SourceDoc) -> str:
        if doc.kind != "news" and doc.status in RESOLVED_STATUSES:
            return f"{doc.publisher} marks it {doc.status}"
        for sentence in sentences.split_sentences(doc.text):
            if sentences.says_resolved(sentence):
                return f'{doc.publisher}: "{sentence}"'
        return ""

    def _says_acknowledged(self, doc: SourceDoc) -> str:
        vendor = self.brief.vendor
        if not vendor:
            return ""
        if doc.kind != "news" and (not doc.vendor_names or vendor in doc.vendor_names):
            return f"{doc.publisher} is {vendor}'s own post"
        for sentence in sentences.split_sentences(f"{doc.title}\n{doc.text}"):
            if any(status_words.says_vendor_acknowledged(sentence, name) for name in self.vendor_names):
                return f'{doc.publisher}: "{sentence}"'
        return ""

    # --- workarounds ---------------------------------------------------------------------------

    def _workaround(self, statement: Statement) -> list[WrongRoleClaim]:
        label = _WORKAROUND_LABEL.match(statement.text)
        if statement.kind != "workaround" and not label:
            return []
        offered = statement.text[label.end():] if label else statement.text
        quoted = _QUOTED.search(offered)
        if quoted:
            offered = quoted[0][1:-1]
        if sentences.offers_workaround(offered):
            return []
        return [WrongRoleClaim(statement.text, offered, "not_a_workaround",
                               "it gives users nothing to do (no 'use X instead', 'sign out and in', 'retry')")]
