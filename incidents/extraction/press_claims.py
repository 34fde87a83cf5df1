"""What a press report states about an outage's lifecycle, beyond "it is down". Pure.

A news article often carries what the vendor's status page would say: when the outage began ("since
6:48 a.m. ET", "the outage started around 12PM ET"), that the vendor acknowledged it ("Microsoft
confirmed Azure Portal issues on the service's status page", "first acknowledged this incident
(tracked under MO502273) at 9:12 a.m."), when it was resolved, and how big it is ("millions of
users", "more than 12,000 reports on Downdetector"). A post-incident report (root cause, "what went
wrong") is a story about an outage that is over, published later: it explains an incident rather
than opening one.

Each claim is read per sentence of the text the caller gives: pass the article's current text (its
paragraphs about earlier incidents blanked, facts.earlier_incident_spans), so that a "resolved" or
an acknowledgement about a past incident does not count for this one.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from incidents.extraction.caseless import CaselessPattern, matched_words
from incidents.extraction.spans import sentences
from incidents.extraction.status_words import says_over, says_vendor_acknowledged
from incidents.extraction.times import MONTH_PATTERN, MONTHS, YEAR_PATTERN, find_times

# A report states a start at most this long before its publication: an older "since" is a history.
MAX_STATED_LEAD = timedelta(days=2)
# A stated time this far past the publication is a misreading (the clock of another day).
FUTURE_SLACK = timedelta(minutes=10)

# The patterns that ignore case are written in lower case: CaselessPattern searches ASCII text faster
# (the words shown are read from the text).
_START = CaselessPattern(
    r"\b(?:since|began|begun|beginning|started|starting|first (?:reported|noticed|appeared|spotted)|"
    r"went (?:down|dark|offline)|kicked off|onset)\b")
# The vendor (or its spokesperson, or "the company") owning up to the problem, in its own channel or to
# the press. "did not respond to a request for comment" is no acknowledgement.
_ACKNOWLEDGED = CaselessPattern(
    r"\b(?:acknowledged|acknowledges|confirmed|confirms|is aware of|are aware of|was aware of|"
    r"said (?:it|they) (?:is|are|was|were) "
    r"(?:investigating|looking into|aware|working)|(?:is|are) investigating|tracked under|"
    r"posted (?:on|to) (?:its|their) status|in a status (?:page )?(?:update|post)|"
    r"on (?:its|their|the service['\u2019]s) status page|"
    r"wrote on (?:x|twitter|bluesky|mastodon|its)|said in a statement|"
    r"status page (?:said|says|read|reads|showed|shows|confirmed|confirms|acknowledged|acknowledges)|"
    # working on a fix is owning up to the problem: "Google says a fix is on the way", "is working on a fix"
    r"(?:says|said) (?:that )?(?:a |the )?fix (?:is|was) (?:on the way|coming|in the works|being)|"
    r"(?:is|are|was|were) (?:still |now )?working on (?:a |the )?fix)\b")
_NOT = re.compile(
    r"\b(?:not|never|no|yet to|hasn['\u2019]t|haven['\u2019]t|didn['\u2019]t|did not|has not|have not)\b[^.;]{0,30}$",
    re.IGNORECASE)
# Who acknowledges: the vendor by name, or words that stand for it.
_WHO = CaselessPattern(
    r"\b(?:the company|a spokesperson|a spokesman|a spokeswoman|its status page|engineers|the vendor)\b")

# A post-incident report says so in its headline ("Microsoft explains what caused …", "… root cause"),
# or names itself in its first lines ("In a post-incident report published Friday, …"). Someone blaming
# the outage on a cause while it lasts ("Musk blames X outages on 'massive cyberattack'") is a claim
# in the news, not a report of what happened: "blames" is no sign of one.
_POSTMORTEM = re.compile(
    r"\b(?:post[- ]?mortem|post[- ]incident (?:report|review|analysis)|root[- ]cause|RCA\b|what went wrong|"
    r"(?:explains?|reveals?|details?) (?:what|why|how) (?:caused|happened|went|took|broke|brought)|"
    r"(?:explains?|reveals? (?:the )?cause of) (?:\w+ ){0,4}(?:outage|downtime|disruption)|"
    r"incident report|after-action report|"
    # the cause told after the fact: "outage was triggered by a file that doubled", "a single point of
    # failure triggered the Amazon outage", "the cause of Monday's outage"
    r"(?:outage|downtime|disruption|crash)\w* (?:was|were) (?:triggered|caused) by|"
    r"(?:triggered|caused) (?:the|last \w+['\u2019]s|\w+day['\u2019]s) (?:[\w'\u2019-]+ ){0,3}"
    r"(?:outage|downtime|disruption)|"
    r"what (?:caused|triggered|broke)|(?:cause|culprit) (?:of|for|behind) (?:the|last|\w+day['\u2019]s))",
    re.IGNORECASE)
# A write-up's headline names the day of the incident it looks back on ("Cloudflare 1.1.1.1 Incident on
# July 14, 2025", published days later): a post-incident report when that day is before its publication.
_DATED_INCIDENT = re.compile(
    rf"\bincident (?:on|of) (?P<month>{MONTH_PATTERN})\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,? (?P<year>{YEAR_PATTERN}))?\b",
    re.IGNORECASE)
_POSTMORTEM_DOCUMENT = CaselessPattern(
    r"\b(?:post[- ]?mortem|post[- ]incident (?:report|review|analysis)|preliminary (?:incident )?report|"
    r"root[- ]cause analysis|rca)\b")
# A vendor's promise of one ("we will publish a post-incident review", "a preliminary PIR will be
# shared within 3 days"): the incident's report is pending.
_FUTURE = re.compile(r"\b(?:will|within|to follow|once|upcoming|shortly|in the coming)\b", re.IGNORECASE)
LEAD_CHARS = 400

# Scale the reports state, strongest first. Outage trackers' counts are read as numbers.
_WORLDWIDE = CaselessPattern(
    r"\b(?:worldwide|world-wide|globally|global (?:outage|disruption)|(?:around|across) the (?:world|globe)|"
    r"millions of (?:users|people|customers|players|subscribers)|internet-wide|"
    r"(?:huge|massive|major) (?:swaths?|parts?) of the (?:internet|web)|"
    r"half (?:of )?the internet|biggest outage|largest outage)\b")
_WIDESPREAD = CaselessPattern(
    r"\b(?:widespread|major outage|massive outage|huge outage|thousands of (?:users|people|customers|players)|"
    r"hundreds of thousands|across (?:the )?(?:us|u\.s\.|uk|europe|asia|country|nation)|nationwide|"
    r"(?:completely|totally|entirely) (?:down|offline|unavailable)|(?:is|are|went) down for (?:everyone|many|most))\b")
_LIMITED = CaselessPattern(
    r"\b(?:some users|a subset of|(?:a )?(?:small|limited) number of|intermittent|degraded|slow(?:er)? (?:than usual|"
    r"performance|loading)|partial outage|minor (?:outage|issue|disruption)|some people|for some)\b")
_TRACKER_COUNT = CaselessPattern(
    r"\b(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s?(?:k|thousand|million)\b|\d{3,})\s+"
    r"(?:(?:outage|problem|user|error)\s+)?(?:reports|users reported|people reported|complaints)")
CRITICAL_REPORTS = 50_000
MAJOR_REPORTS = 1_000


@dataclass(frozen=True)
class PressClaims:
    started_at: datetime | None = None  # the earliest start the report states
    resolved_at: datetime | None = None  # when it says the outage ended, if it states a time
    acknowledged: bool = False  # it reports the vendor owning up to the problem
    acknowledged_at: datetime | None = None  # the time it states for that, else its publication
    acknowledgement: str = ""  # the sentence that says so
    postmortem: bool = False  # it is a post-incident report
    postmortem_promised: bool = False  # the vendor says one will follow
    severity: int = 0  # on incidents.models.Severity's scale; 0 when the report says nothing of scale
    severity_reason: str = ""
    # A status post that blames another provider's outage for its own ("due to an outage at our
    # upstream provider Cloudflare"): that provider's vendor slug (set by facts, which knows the catalogue).
    caused_by: str = ""

    def to_dict(self) -> dict:
        """As JSON (ArticleFacts.claims): only what is stated."""
        out = {}
        for name, value in vars(self).items():
            if value:
                out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "PressClaims":
        times = ("started_at", "resolved_at", "acknowledged_at")
        known = {name: value for name, value in (data or {}).items() if name in cls.__dataclass_fields__}
        return cls(**{name: datetime.fromisoformat(value) if name in times else value for name, value in known.items()})


def read_claims(title: str, text: str, published_at: datetime, vendor_names: tuple[str, ...] = ()) -> PressClaims:
    """The claims of one report: `title`, and `text` (its current text, see the module's doc).
    An acknowledgement counts in a sentence that names the vendor (one of `vendor_names`) or stands
    for it ("the company", "a spokesperson", "its status page"), or that reports the vendor speaking
    as the summaries read it ("..., Amazon said"): the page and its summary never disagree on it."""
    names = [name.casefold() for name in vendor_names if name]
    start = resolved = acknowledged_at = None
    acknowledgement = ""
    for sentence in _sentences_of(text):
        if start is None and _START.search(sentence):
            start = _earliest_stated(sentence, published_at)
        if resolved is None and says_over(sentence):
            resolved = _latest_stated(sentence, published_at)
        if not acknowledgement and _acknowledges(sentence, names, vendor_names):
            acknowledgement = sentence.strip()[:300]
            acknowledged_at = _earliest_stated(sentence, published_at) or published_at
    lead = text[:LEAD_CHARS]
    severity, reason = stated_severity(f"{title}\n{text}")
    return PressClaims(
        started_at=start, resolved_at=resolved, acknowledged=bool(acknowledgement), acknowledged_at=acknowledged_at,
        acknowledgement=acknowledgement,
        postmortem=bool(_POSTMORTEM.search(title)) or looks_back_on_a_dated_incident(title, published_at) or any(
            _states(_POSTMORTEM_DOCUMENT, sentence) and not _FUTURE.search(sentence)
            for sentence in _sentences_of(lead)),
        postmortem_promised=any(_POSTMORTEM_DOCUMENT.search(sentence) and _FUTURE.search(sentence)
                                for sentence in _sentences_of(text)), severity=severity, severity_reason=reason,
    )


def looks_back_on_a_dated_incident(title: str, published_at: datetime) -> bool:
    """Whether the headline names the day of an incident before the day it was published."""
    match = _DATED_INCIDENT.search(title)
    if match is None:
        return False
    year = int(match["year"]) if match["year"] else published_at.year
    try:
        day = date(year, MONTHS[match["month"][:3].lower()], int(match["day"]))
    except ValueError:  # "February 30"
        return False
    if match["year"] is None and day > published_at.date():
        day = day.replace(year=year - 1)  # "Incident on December 30", published in January
    return day < published_at.date()


def stated_severity(text: str) -> tuple[int, str]:
    """The scale a report states, on the Severity scale (4 critical, 3 major, 2 minor, 0 unstated),
    with the words that say it."""
    counts = [_reports(matched_words(text, m, "number")) for m in _TRACKER_COUNT.finditer(text)]
    most = max(counts, default=0)
    worldwide = _WORLDWIDE.search(text)
    if worldwide or most >= CRITICAL_REPORTS:
        return 4, matched_words(text, worldwide) if worldwide else f"{most:,} reports on an outage tracker"
    widespread = _WIDESPREAD.search(text)
    if widespread or most >= MAJOR_REPORTS:
        return 3, matched_words(text, widespread) if widespread else f"{most:,} reports on an outage tracker"
    limited = _LIMITED.search(text)
    if limited or most:
        return 2, matched_words(text, limited) if limited else f"{most:,} reports on an outage tracker"
    return 0, ""


def _reports(written: str) -> int:
    number = written.replace(",", "").strip()
    scale = 1
    for suffix, factor in (("million", 1_000_000), ("thousand", 1_000), ("k", 1_000), ("K", 1_000)):
        if number.endswith(suffix):
            number, scale = number[: -len(suffix)].strip(), factor
            break
    try:
        return int(float(number) * scale)
    except ValueError:
        return 0


def _sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def _acknowledges(sentence: str, folded_names: list[str], vendor_names: tuple[str, ...]) -> bool:
    by_vendor = _WHO.search(sentence) or any(name in sentence.casefold() for name in folded_names)
    return bool(by_vendor and _states(_ACKNOWLEDGED, sentence)) or any(
        says_vendor_acknowledged(sentence, name) for name in vendor_names)


def _states(pattern: CaselessPattern, sentence: str) -> bool:
    """The sentence states the thing, not its absence ("has not been resolved", "did not confirm")."""
    return any(not _NOT.search(sentence, max(0, m.start() - 40), m.start()) for m in pattern.finditer(sentence))


def _stated_times(sentence: str, published_at: datetime) -> list[datetime]:
    return [t.utc for t in find_times(sentence, published_at)
            if published_at - MAX_STATED_LEAD <= t.utc <= published_at + FUTURE_SLACK]


def _earliest_stated(sentence: str, published_at: datetime) -> datetime | None:
    return min(_stated_times(sentence, published_at), default=None)


def _latest_stated(sentence: str, published_at: datetime) -> datetime | None:
    return max(_stated_times(sentence, published_at), default=None)


# A post that blames another provider: "due to an issue with our upstream provider X", "caused by an
# outage at X", "X, our third-party DNS provider, is experiencing an outage". The name follows.
_CAUSE = re.compile(
    r"\b(?:due to|caused by|because of|as a result of|stemming from|resulting from|related to|impacted by|"
    r"affected by)\s+(?:an?|the|a broader|a wider|an ongoing)?\s*(?:[\w-]+\s+){0,3}?(?:outage|issue|incident|"
    r"disruption|problem|degradation|failure)s?\s+(?:at|with|of|in|affecting|on)\s+(?:our\s+)?"
    r"(?:(?:upstream|third[- ]party|cloud|hosting|CDN|DNS|infrastructure)\s+)*"
    r"(?:provider|vendor|partner)?\s*,?\s*(?P<name>[^.;:\n]{2,60})",
    re.IGNORECASE)


def blamed_names(text: str) -> list[str]:
    """The stretches of text that follow a causal phrase naming another provider (to look up in the
    catalogue); the text's lead only, where a post says why it is down."""
    return [match["name"] for match in _CAUSE.finditer(text[:LEAD_CHARS * 2])]
