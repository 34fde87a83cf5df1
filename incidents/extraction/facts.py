"""Every fact OutageHub reads from one article, and whether it reports an outage. Pure.

Each kind of fact has its own module (identifiers, errors, regions, times, status_words,
catalogue, relevance); this one runs them all over an article and assembles the result.

What is affected now is read apart from what the article recalls: press articles end with the
vendor's history ("In April, Microsoft also fixed an outage that hit Teams", "last month's Azure
outage", "a similar outage in 2023"). `earlier_incident_spans` marks those clauses, sentences and
paragraphs; the vendors, services, regions, status and impacts of an article come from the rest,
and services named only in its history are kept apart as `earlier_services`.
"""

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import pairwise

from incidents.extraction import outage_model
from incidents.extraction.caseless import CaselessPattern
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.error_messages import find_error_messages
from incidents.extraction.identifiers import find_incident_ids
from incidents.extraction.mentions import ImpactMention, RegionMention, TimeMention
from incidents.extraction.press_claims import PressClaims, blamed_names, read_claims
from incidents.extraction.regions import find_regions
from incidents.extraction.relevance import THRESHOLD as RELEVANCE_THRESHOLD
from incidents.extraction.relevance import Relevance, assess
from incidents.extraction.spans import blanked, positions_in, sentence_spans, sentences
from incidents.extraction.status_words import NOT_AFFECTED, SERVED_ELSEWHERE, find_impacts, find_status
from incidents.extraction.subjects import find_subject, subject_key
from incidents.extraction.times import MONTH_PATTERN, MONTHS, YEAR_PATTERN, find_times

# Extraction reads the start of the title and of the body: an article states its facts early, and a
# 1 MB body (or title: a feed may put its whole text there) must not cost more than a normal one. A
# title is stored with at most 1,000 characters (Article.title); past that it is no headline.
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 20_000
# Hand-written cues this far past their threshold make an outage whatever the model says. On the dev news
# stream's 3,075 non-outage items, twice lets through 1 (once let through 12): chosen there, so not a held-out figure.
STRONG_CUES = 2.0


@dataclass(frozen=True)
class Facts:
    vendors: tuple[str, ...]
    services: tuple[str, ...]
    incident_ids: tuple[str, ...]
    error_messages: tuple[str, ...]
    regions: tuple[RegionMention, ...]
    times: tuple[TimeMention, ...]
    status: str | None
    impacts: tuple[ImpactMention, ...]
    relevance: Relevance
    vendor_names: tuple[str, ...] = field(default=())
    service_names: tuple[str, ...] = field(default=())
    # named only where the article recalls earlier incidents; not stored (ArticleFacts has no column)
    earlier_services: tuple[str, ...] = field(default=())
    earlier_service_names: tuple[str, ...] = field(default=())
    # Whose outage it is: "vendor:<slug>" for a catalogue vendor, "name:<key>" for a name the headline
    # gives (a game, a small site); "" when the article does not say. See `subject_of`.
    subject: str = ""
    subject_name: str = ""
    # A vendor's status post about another provider's outage ("X experiencing downtime, we are
    # monitoring"): that provider's slug. It is press about X, not an outage of the poster.
    about_vendor: str = ""
    # What the text states of the lifecycle (start, end, acknowledgement, post-incident report, scale),
    # read from its current text only.
    claims: PressClaims = field(default=PressClaims())

    @property
    def is_outage(self) -> bool:
        return self.relevance.is_outage

    @property
    def region_labels(self) -> list[str]:
        return [region.label for region in self.regions]

    @property
    def time_records(self) -> list[dict]:
        """The times as JSON: the words found and the UTC moment they mean."""
        return [{"text": t.text, "utc": t.utc.isoformat()} for t in self.times]


def extract(
    title: str,
    body: str,
    published_at: datetime,
    catalogue: Catalogue,
    *,
    is_status_post: bool = False,
    source_vendor: str = "",
    known_incident_id: str = "",
) -> Facts:
    """Facts of one article. `source_vendor` is the vendor whose own status page published it
    (its posts are about its services even when they do not name the vendor)."""
    title = (title or "")[:MAX_TITLE_CHARS]
    body = (body or "")[:MAX_BODY_CHARS]
    text = f"{title}\n{body}" if body else title
    prefix = f"{source_vendor}\n" if source_vendor else ""
    matches = catalogue.match(prefix + text)  # the whole text: a vendor named anywhere vouches for its services
    # A vendor's own post is about its incident; only the press looks back at others.
    earlier = earlier_incident_spans(body, published_at) if body and not is_status_post else []
    body_start = len(prefix) + len(title) + 1
    is_earlier = positions_in([(body_start + start, body_start + end) for start, end in earlier], len(prefix + text))
    current = [match for match in matches if not is_earlier[match.start]]
    vendor_slugs = list(dict.fromkeys(match.vendor_slug for match in current))
    in_boilerplate = positions_in(boilerplate_spans(prefix + text), len(prefix + text))
    service_slugs = list(dict.fromkeys(match.slug for match in current
                                       if match.kind == "service" and not in_boilerplate[match.start]))
    earlier_slugs = list(dict.fromkeys(match.slug for match in matches if match.kind == "service"
                                       and is_earlier[match.start] and match.slug not in service_slugs))
    current_text = blanked(text, is_earlier[len(prefix):]) if earlier else text
    ids = find_incident_ids(text)
    if known_incident_id and known_incident_id not in ids:
        ids = [known_incident_id, *ids]
    relevance = outage_relevance(title, body, is_status_post, known_service_mentioned=bool(matches))
    own_vendor = catalogue.vendors_in(source_vendor)[:1] if source_vendor else []
    subject, subject_name = subject_of(title, body, catalogue, own_vendor[0] if own_vendor else "")
    about_vendor = ""
    if own_vendor and subject.startswith("vendor:") and subject != f"vendor:{own_vendor[0]}":
        if _THIRD_PARTY.search(title) or _THIRD_PARTY.search(body[:LEAD_CHARS]):
            about_vendor = subject.removeprefix("vendor:")
        else:  # the vendor's own incident that names a partner ("LinkedIn comments issue" on a tool's page)
            subject, subject_name = f"vendor:{own_vendor[0]}", catalogue.vendor(own_vendor[0]).name
    return Facts(
        vendors=tuple(vendor_slugs),
        services=tuple(service_slugs),
        incident_ids=tuple(ids),
        error_messages=tuple(find_error_messages(text)),
        regions=tuple(find_regions(blanked(current_text, positions_in(unaffected_spans(current_text),
                                                                      len(current_text))))),
        times=tuple(find_times(text, published_at)),
        status=find_status(current_text),
        impacts=tuple(find_impacts(current_text)),
        relevance=relevance,
        vendor_names=tuple(catalogue.vendor(slug).name for slug in vendor_slugs),
        service_names=tuple(catalogue.service(slug).name for slug in service_slugs),
        earlier_services=tuple(earlier_slugs),
        earlier_service_names=tuple(catalogue.service(slug).name for slug in earlier_slugs),
        subject=subject,
        subject_name=subject_name,
        about_vendor=about_vendor,
        claims=replace(
            read_claims(title, current_text, published_at, tuple(catalogue.vendor(slug).name for slug in vendor_slugs)),
            caused_by="" if about_vendor or not own_vendor else blamed_vendor(text, catalogue, own_vendor[0])),
    )


def blamed_vendor(text: str, catalogue: Catalogue, own_vendor: str) -> str:
    """The catalogue vendor a status post blames for its own outage, if any: a cascade's root."""
    for name in blamed_names(text):
        blamed = [slug for slug in catalogue.vendors_in(name) if slug != own_vendor]
        if blamed:
            return blamed[0]
    return ""


# A status post is about another provider when it says it only watches: "we are monitoring the
# situation with X", "X remains available", a third-party or upstream provider.
_THIRD_PARTY = re.compile(
    r"\b(?:third[- ]party|upstream|monitoring the situation|closely monitoring|(?:remains?|is|are) "
    r"(?:available|unaffected|operational|not affected))\b|,\s*\w+(?: \w+)? monitoring\b",
    re.IGNORECASE,
)
LEAD_CHARS = 600


def subject_of(title: str, body: str, catalogue: Catalogue, own_vendor: str = "") -> tuple[str, str]:
    """Whose outage the article reports, as (key, name): the headline's subject, when its grammar
    names one ("Spotify is down", "outage hits Azure"); a catalogue vendor when that subject is one
    of its names (or its name without the parenthesis: "X" of "X (Twitter)"), else the name
    itself. A vendor's status post without such a subject is about the
    vendor; a headline that names exactly one catalogue vendor is about it."""
    found = find_subject(title, body)
    if found:
        vendors = catalogue.vendors_in(found.name) or list(filter(None, [catalogue.vendor_by_short_name(found.name)]))
        if vendors:
            return f"vendor:{vendors[0]}", catalogue.vendor(vendors[0]).name
        key = subject_key(found.name)
        if key:
            return f"name:{key}", found.name
    if own_vendor:
        return f"vendor:{own_vendor}", catalogue.vendor(own_vendor).name
    in_title = catalogue.vendors_in(title)
    if len(in_title) == 1:
        return f"vendor:{in_title[0]}", catalogue.vendor(in_title[0]).name
    return "", ""


def outage_relevance(title: str, body: str, is_status_post: bool, known_service_mentioned: bool) -> Relevance:
    """Does the article report an outage? The learned model decides (outage_model: trained on labelled
    streams, judged on held-out days), except that hand-written cues far past their threshold also
    count: the model has seen few press reports of a named vendor's outage and can miss a plain one
    ("X dashboard outage over after rollback"). Its strongest features come first in the evidence,
    then the cues that fired, so an editor sees why."""
    learned = outage_model.score(title, body, is_status_post=is_status_post)
    cues = assess(title, body, known_service_mentioned=known_service_mentioned, is_status_post=is_status_post)
    strong_cues = cues.score >= STRONG_CUES * RELEVANCE_THRESHOLD
    verdict = f"model: p={learned.probability:.2f}, an outage from {outage_model.shipped_model().threshold:.2f}"
    if strong_cues and not learned.is_outage:
        verdict += f"; cues {cues.score:.1f}, at least {STRONG_CUES:g} times their threshold, decide"
    return Relevance(learned.is_outage or strong_cues, learned.probability,
                     (verdict, *learned.evidence, *(f"cue {line}" for line in cues.evidence)))


def facts_as_json(facts: Facts) -> dict:
    """The shape `manage.py extract --json` prints (keys fixed by ../shared/eval/README.md)."""
    return {
        "is_outage": facts.is_outage,
        "evidence": list(facts.relevance.evidence),
        "vendors": list(facts.vendor_names),
        "services": list(facts.service_names),
        "vendor_incident_ids": list(facts.incident_ids),
        "error_messages": list(facts.error_messages),
        "regions": facts.region_labels,
        "times": facts.time_records,
        "status": facts.status,
        "impacts": [asdict(impact) for impact in facts.impacts],
        "relevance_score": facts.relevance.score,
        "earlier_services": list(facts.earlier_service_names),
        "subject": facts.subject_name,
        "about_vendor": facts.about_vendor,
    }


# --- sentences that name without affecting ---------------------------------------------------------

# A place named as unaffected, or as where traffic was served from, is no affected region: "requests
# were served successfully from Northern Virginia", "customers in Europe were not affected".
_UNAFFECTED = CaselessPattern(
    rf"{NOT_AFFECTED}|{SERVED_ELSEWHERE}|\b(?:continued?|continues) to (?:work|operate|function|serve) normally\b"
    # where an attack is said to come from is not where users are hit: "bad actors in Ukraine are behind it"
    r"|\b(?:actors?|hackers?|attackers?|ip addresses|botnets?) (?:\w+ ){0,2}(?:in|from|based in|linked to)\b")
# Lines every post ends with ("contact AWS Support", "subscribe to updates"): a service named there is
# not affected, and never names an incident.
_BOILERPLATE = re.compile(
    r"\b(?:contact(?:ing)?|reach out to|open (?:a|an) (?:case|ticket) with|via|through) (?:the |our |your )?"
    r"(?:[A-Z][\w.-]* ){0,3}(?:support|help ?desk|account team|customer service)\b|"
    r"\b(?:subscribe to|follow us|sign up for) (?:updates|notifications|our)\b", re.IGNORECASE)


def unaffected_spans(text: str) -> list[tuple[int, int]]:
    """The sentences that name places as unaffected, as serving traffic, or as where an attack came from."""
    # A sentence's match is one of the whole text too (a sentence ends before a space or a line break,
    # and the pattern looks at nothing past its match but a word boundary): no sentence ending before
    # the whole text's first match holds one, and most texts have none.
    first = _UNAFFECTED.search(text)
    if first is None:
        return []
    return [(start, end) for start, end in sentences(text)
            if end > first.start() and _UNAFFECTED.pattern.search(text, start, end)]


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """The stretches of support and subscription boilerplate."""
    return [match.span() for match in _BOILERPLATE.finditer(text)]


# --- earlier incidents -------------------------------------------------------------------------------

# Words that recall an earlier incident, whatever the date of the article.
_RECALLED = (
    r"\blast (?:week|month|year|spring|summer|fall|autumn|winter|quarter)\b"
    r"|\bearlier (?:this|that|in the) (?:year|month)\b"
    r"|\b(?:a|one|two|three|four|five|six|several|a few|\d{1,2}) (?:weeks?|months?|years?)"
    r" (?:ago|earlier|before|prior|after)\b"
    r"|\b(?:a|an) (?:similar|comparable) (?:\w{1,20} )?(?:outage|incident|issue|disruption|problem|failure|crash|bug)"
    r"|\b(?:the|a|an|its|their) (?:previous|prior|earlier|past) (?:\w{1,20} )?(?:outages?|incidents?|disruptions?"
    r"|issues?|problems?|failures?)\b"
    r"|(?:\bnot|n['\u2019]t) the first (?:time|outage|incident)\b|\b(?:a|its|their) (?:long )?history of\b"
    r"|\bin the past\b|(?<!as )\bpreviously (?:fixed|addressed|resolved|mitigated|suffered|experienced|hit|went"
    r"|had|took|caused|blocked|disrupted)\b"
)
_ISO_DATE = r"\d{4}-\d\d-\d\d"
# Dates, checked against the publication: "in April", "April 2024", "on April 8", "8 April 2024",
# "in 2023", "the 2023 outage", "2024-04-08". Month names are capitalised ("may" is a verb), and a
# month alone needs its preposition ("April" is a name too).
_IN = r"\b(?i:in|during|back in|early|late|mid-?)\s{1,3}(?:(?i:early|late|mid-?)\s{0,3})?"
_DATED = (
    rf"{_IN}(?P<in_month>{MONTH_PATTERN})\b(?:,?\s{{1,3}}(?P<in_month_year>{YEAR_PATTERN}))?"
    rf"|\b(?P<month_of_year>{MONTH_PATTERN})\s{{1,3}}(?P<year_of_month>{YEAR_PATTERN})"
    rf"|\b(?P<month>{MONTH_PATTERN})\.?\s{{1,3}}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s{{1,3}}(?P<year>{YEAR_PATTERN}))?"
    rf"|\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s{{1,3}}(?P<month2>{MONTH_PATTERN})\b(?:,?\s{{1,3}}(?P<year2>{YEAR_PATTERN}))?"
    rf"|{_IN}(?P<in_year>{YEAR_PATTERN})"
    rf"|\b(?P<year_of_event>{YEAR_PATTERN})(?:['\u2019]s)?\s{{1,3}}(?:\w{{1,20}}\s{{1,3}}){{0,2}}"
    r"(?i:outages?|incidents?|disruptions?|crash|failures?)\b"
    rf"|\b(?P<iso>{_ISO_DATE})\b"
)
_EARLIER_MARK = re.compile(rf"(?i:{_RECALLED})|{_DATED}")
# Searching for marks is slow (the pattern starts with no fixed text) and most sentences have none.
# Every mark holds a word of _RECALLED in any case, a month's name (capitalised; its first three
# letters), a year (19xx, 20xx) or an ISO date: a sentence with none of these is not searched.
# str.lower finds those words as the pattern's ignored case does, unless one of the four letters that
# match ASCII letters when case is ignored is present: such a sentence is searched.
_RECALLED_WORDS = ("last", "earlier", "week", "month", "year", "similar", "comparable", "previous", "prior", "past",
                   "first", "history")
_CASE_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")  # dotted I, dotless i, long s, Kelvin sign
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DATE_MARK = re.compile(_ISO_DATE)
# A date this long before publication is another event: an outage and its follow-ups take days, a
# post-incident review a week or two.
_EARLIER_BY = timedelta(days=14)
# A clause begins after a comma, semicolon, colon, parenthesis or dash, or at a word that joins a
# clause about something else: "Outlook is down again, a month after a similar outage hit Teams".
_CLAUSE_START = re.compile(r"[,;:()\u2013\u2014]|\b(?:after|following|like|than|since|while|whereas|which|who|but)\b")
_RELATIVE = ("which", "who")
# In a paragraph about the past, a sentence with one of these is back in the present.
_NOW = re.compile(
    r"\b(?i:today|tonight|now|currently|ongoing|right now|yesterday|this (?:morning|afternoon|evening|week))\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
# Both ends of a history clause are bounded, so a text without full stops costs what a normal one does.
_MAX_CLAUSE_BACK = 300
_MAX_CLAUSE_AHEAD = 500


def earlier_incident_spans(body: str, published_at: datetime) -> list[tuple[int, int]]:
    """(start, end) of the parts of the body that recall earlier incidents, in order.

    A span runs from the clause that recalls one to the end of its sentence, or to a later clause
    of it that speaks of now ("…in November 2024, but Microsoft confirmed it this week"). A
    paragraph (a line) other than the first that opens with such a sentence is about the past to
    its end, except its sentences that speak of now ("today", "currently", a weekday). When the
    lead's main clause is dated well before publication (a review of a past incident), that past is
    the article's subject: dates mark nothing, only the words that recall an earlier incident do."""
    published = published_at.date()
    lines = body.split("\n")
    lead = next((line[start:end] for line in lines for start, end in sentence_spans(line)[:1]), "")
    # dated in its main clause: "On May 11, BigQuery began a rollout", not "Microsoft 365, which launched in 2011,"
    about_a_past_date = any(mark.lastgroup and not _clause_start(lead, mark.start())
                            for mark in _past_marks(lead, 0, published, dates=True))
    spans: list[tuple[int, int]] = []
    line_start = 0
    for number, line in enumerate(lines):
        past_paragraph = False
        for index, (start, end) in enumerate(sentence_spans(line)):
            sentence = line[start:end]
            found = False
            position = 0
            while mark := next(_past_marks(sentence, position, published, dates=not about_a_past_date), None):
                clause_start = _clause_start(sentence, mark.start())
                clause_end = _clause_end(sentence, mark.end(), inserted=sentence.startswith(_RELATIVE, clause_start))
                spans.append((line_start + start + clause_start, line_start + start + clause_end))
                past_paragraph = past_paragraph or (index == 0 and number > 0 and clause_start == 0)
                found, position = True, clause_end
            if not found and past_paragraph and not _NOW.search(sentence):
                spans.append((line_start + start, line_start + end))
        line_start += len(line) + 1
    return spans


def _past_marks(sentence: str, position: int, published: date, *, dates: bool) -> Iterator[re.Match]:
    """The marks from `position` on that recall an earlier time (dates among them only if `dates`)."""
    if not _may_hold_a_mark(sentence):
        return
    for mark in _EARLIER_MARK.finditer(sentence, position):
        if not mark.lastgroup or (dates and _recalls_the_past(mark, published)):
            yield mark


def _may_hold_a_mark(sentence: str) -> bool:
    """False when the sentence cannot hold an _EARLIER_MARK (see _RECALLED_WORDS)."""
    if not sentence.isascii() and any(letter in sentence for letter in _CASE_FOLDS_TO_ASCII):
        return True
    lowered = sentence.lower()
    return (any(word in lowered for word in _RECALLED_WORDS) or any(month in sentence for month in _MONTH_NAMES)
            or "19" in sentence or "20" in sentence or bool(_ISO_DATE_MARK.search(sentence)))


def _clause_start(sentence: str, position: int) -> int:
    """Where the clause holding `position` begins: after the last clause boundary before it, looking
    back a bounded distance."""
    window_start = max(0, position - _MAX_CLAUSE_BACK)
    boundaries = list(_CLAUSE_START.finditer(sentence, window_start, position))
    if boundaries:
        return boundaries[-1].start() if boundaries[-1][0][0].isalpha() else boundaries[-1].end()
    return window_start


def _clause_end(sentence: str, position: int, *, inserted: bool) -> int:
    """Where the past that a clause recalls ends: the end of the sentence, or the start of a later
    clause of it that speaks of now, looking ahead a bounded distance. An inserted relative clause
    ends at its closing comma: "Microsoft 365, which launched in 2011, is down in Europe"."""
    window_end = min(len(sentence), position + _MAX_CLAUSE_AHEAD)
    boundaries = [match.start() for match in _CLAUSE_START.finditer(sentence, position, window_end)]
    if inserted and boundaries and not sentence[boundaries[0]].isalpha():
        return boundaries[0]
    for clause_start, clause_end in pairwise([*boundaries, window_end]):
        if _NOW.search(sentence, clause_start, clause_end):
            return clause_start
    return window_end


def _recalls_the_past(mark: re.Match, published: date) -> bool:
    """Whether a date recalls an earlier time: when the latest day it can mean is well before
    publication. A date without a year later in the year than the publication may be ahead
    (announced work), so it does not count."""
    groups = {name: value for name, value in mark.groupdict().items() if value}
    year = int(next((groups[key] for key in ("in_month_year", "year_of_month", "year", "year2") if key in groups), 0))
    if "iso" in groups:
        try:
            latest = date.fromisoformat(groups["iso"])
        except ValueError:
            return False
    elif "in_year" in groups or "year_of_event" in groups:
        latest = date(int(groups.get("in_year") or groups["year_of_event"]), 12, 31)
    else:
        month = MONTHS[next(groups[key] for key in ("in_month", "month_of_year", "month", "month2")
                             if key in groups)[:3].lower()]
        day = groups.get("day") or groups.get("day2")
        year = year or published.year
        if day:
            try:
                latest = date(year, month, int(day))
            except ValueError:
                return False
        else:
            latest = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return latest < published - _EARLIER_BY
