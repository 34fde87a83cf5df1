"""Where an incident stands and what users suffer, from the words of a status post or a report.

`find_status` gives the most advanced lifecycle state the text states: investigating <
identified < monitoring < resolved < postmortem. Only wordings that state a state count, in the
person and tense a vendor or a reporter writes them ("we are investigating", "Microsoft began
investigating", "is reviewing reports", "has been resolved", "Status: Resolved"), not the verb in
"unable to resolve DNS", and not a state denied ("has not been resolved") or only promised ("will
be resolved"). Work under way ("working to resolve the issue") is investigating; a fix being
rolled out is identified (Statuspage's meaning: the cause is known, a fix is being implemented); a
fix deployed is monitoring. "Restored" counts as resolved. "Mitigated" counts as monitoring: a
mitigation stops the harm while the vendor still watches, and a resolved post usually follows.
(articles.adapters.common maps a vendor's own "Mitigated" status label, Azure's closing word, to
resolved; this module reads prose.)

`find_impacts` gives the kinds of harm named, as fixed labels with the words that said so,
skipping negated ones ("no data was lost", "did not see delays").

Pure; bounded patterns only.
"""

import re
from functools import lru_cache

from incidents.extraction.caseless import CaselessPattern, matched_words
from incidents.extraction.mentions import ImpactMention

LIFECYCLE = ("investigating", "identified", "monitoring", "resolved", "postmortem")
IMPACT_LABELS = (
    "unable to sign in", "unable to send email", "elevated error rates", "increased latency",
    "degraded performance", "major outage", "partial outage", "service disruption",
    "intermittent connectivity", "timeouts", "crashes", "data loss", "delays", "failures",
)


def _phrase(pattern: str) -> str:
    """The pattern with each space standing for a short run of whitespace (line breaks too)."""
    return pattern.replace(" ", r"\s{1,3}")


# A status post's own label: "Resolved - This incident has been resolved.", "[RESOLVED]", "Status: Monitoring".
_STATUS_LABEL = re.compile(
    r"(?:^|\[|\bstatus:)\s{0,3}(?P<label>investigating|identified|monitoring|resolved|post-?mortem)"
    r"(?=\s{0,3}(?:[-:|\]\u2013\u2014]|$))",
    re.IGNORECASE | re.MULTILINE,
)
# Wordings that state a state, in any person and tense a report or a post uses. Each starts with a
# letter at a word boundary, written once in front of the alternation so that most positions in a
# text fail at the first test.
_BEING = r"(?:are|is|am|was|were|we['\u2019]re|they['\u2019]re|currently|actively|still|been)"
_HAVING = r"(?:has|have|had|we['\u2019]ve|they['\u2019]ve)"
_FIX = (r"(?:(?:a|an|the) )?(?:potential |possible |temporary |permanent |targeted )?"
        r"(?:fix|patch|hotfix|mitigation)(?:es)?")
# "Massive Azure outage is over, but problems linger": the end, said of the outage itself.
_OUTAGE_IS_OVER = (r"(?:outage|disruption|downtime|incident)s? (?:is|are|was|were|has been|have been) "
                  r"(?:now |finally |largely )?over")
_STATUS_PATTERNS = {
    "investigating": (
        rf"{_BEING} (?:currently |actively |still |now )?(?:investigating\b|looking into\b(?! \w+ing\b)"
        r"|reviewing (?:(?:the|an?|user|customer|incoming|service|monitoring|diagnostic) ){0,3}"
        r"(?:reports?|telemetry|logs|data|issues?|incidents?|problems?|outages?|impact|errors)\b)"
        r"|(?:began|begun|started) (?:to )?investigat(?:ing|e)\b"
        r"|continu(?:e|es|ing|ed) to investigate\b|(?:is|are|was|were) (?:now )?under investigation\b"
        r"|investigating (?:reports|an? issue|issues)\b"
        # the work under way, not its outcome: "working to resolve the issue" is not resolved
        r"|(?:working|work|works) to (?:address|resolve|fix|mitigate|restore|remediate)\b"
    ),
    "identified": (
        rf"{_HAVING} (?:now |since |successfully )?(?:been )?identified\b"
        r"|identified (?:the|a|an) (?:potential |likely )?(?:root cause|cause|issue|problem|fix|bug|source)\b"
        r"|(?:cause|issue|problem|source) (?:was|is) identified\b"
        # a fix under way: Statuspage's "Identified" means the cause is known and a fix is being implemented
        rf"|(?:{_BEING}|{_HAVING}) (?:started |begun |now |currently )?(?:rolling out|deploying|implementing|applying"
        rf"|pushing|testing|working on|developing) {_FIX}\b"
        r"|(?:fix|patch|hotfix|mitigation)(?:es)? (?:is|are) (?:now |currently )?being"
        r" (?:rolled out|deployed|implemented|applied|tested)\b"
    ),
    "monitoring": (
        r"(?:are|is|we['\u2019]re|be|been|continu(?:e|es|ing) to) (?:closely |actively )?monitor(?:ing)?\b"
        r"|monitoring (?:the results|for (?:errors|further|any|recovery)|recovery)\b"
        r"|fix (?:has been|was) (?:implemented|deployed|applied|rolled out)\b"
        rf"|(?:{_HAVING} (?:now |since |successfully )?)?(?:rolled out|deployed|implemented|applied) {_FIX}\b"
        r"|(?:has|have|had|was|were|is|been) (?:now |fully |largely |mostly )?mitigated\b"
        r"|mitigated (?:the|this|an?|its|their) (?:\w+ )?(?:issue|problem|impact|outage|incident|disruption)\b"
    ),
    "resolved": (
        # not "names were resolved to the wrong address"; "identified and resolved" is resolved
        r"(?:has|have|had|is|was|are|were|been|now) (?:been )?(?:now )?(?:fully )?resolved\b"
        r"(?! (?:to|incorrectly|wrongly)\b)|(?:identified|fixed|mitigated|addressed) and resolved\b"
        r"|(?:has|have|had|is|was|are|were|been) (?:now )?(?:been )?(?:fully )?restored\b"
        r"|(?:fully|completely) restored\b|restored (?:(?:full|normal) )?(?:service|access|connectivity|mail flow)\b"
        r"|(?:is|are|was|were|came) (?:now |fully )?back online\b"
        r"|(?:back to normal|operating normally|fully recovered)\b"
        rf"|{_OUTAGE_IS_OVER}\b"
    ),
    "postmortem": r"post-?mortem\b|post-incident (?:review|report)\b|root cause analysis\b",
}
# The patterns that ignore case are written in lower case: CaselessPattern searches ASCII text faster.
_STATUS = CaselessPattern(
    r"\b(?=[a-z])(?:" + "|".join(f"(?P<{state}>{_phrase(pattern)})" for state, pattern in _STATUS_PATTERNS.items())
    + ")"
)
# A state that is only promised or awaited is not the state: "we will publish a root cause
# analysis", "the incident will remain open until the service is fully restored".
_PROMISE = re.compile(
    r"\b(?:will|until|plan(?:s|ned)? to|expect(?:s|ed)?|should|to be|upcoming|once|when)\b[^.!?\n,;]{0,60}$",
    re.IGNORECASE,
)
_PROMISABLE = frozenset({"resolved", "postmortem"})
# A state denied or only partly reached is not stated: "has not been fully restored", "hasn't been
# resolved", "partially restored service".
_DENIED = re.compile(
    r"(?:\b(?:not|never|partially|partly|yet to)|n['\u2019]t)(?:\s{1,3}(?:yet|been|be|fully|now))*\s{1,3}$",
    re.IGNORECASE,
)


def find_status(text: str) -> str | None:
    """The most advanced lifecycle state the text states (one of LIFECYCLE), or None."""
    states = {match["label"].lower().replace("-", "") for match in _STATUS_LABEL.finditer(text)}
    for match in _STATUS.finditer(text):
        if match.lastgroup in _PROMISABLE and _PROMISE.search(text, max(0, match.start() - 80), match.start()):
            continue
        if _DENIED.search(text, max(0, match.start() - 30), match.start()):
            continue
        states.add(match.lastgroup)
    return max(states, key=LIFECYCLE.index, default=None)


# How a report says the outage is over besides the resolved state above: reporters write "fixed",
# "back up", "services recovered", "no longer seeing errors" where a vendor's post says "resolved".
# Kept out of find_status, where a vendor's "we have fixed the issue and are monitoring" stays monitoring.
_OVER_IN_REPORTS = _phrase(
    r"(?:has|have|had) (?:now )?been (?:fully |completely )?(?:fixed|mitigated)\b"
    r"|(?:is|are|was|were) (?:now )?(?:fully |completely )?(?:fixed|back (?:up|online|to normal)|working again)\b"
    r"|(?:fully|completely) (?:recovered|operational)\b"
    r"|(?:resolved|fixed|mitigated) the (?:issue|incident|problem|outage|disruption)\b"
    r"|(?:service|services|systems?|access|connectivity|everything) (?:has |have |had )?(?:now |fully |largely )?"
    r"(?:recovered|returned|came back|come back)\b"
    r"|no longer (?:experiencing|seeing|affected|impacted)\b"
)
_REPORTED_OVER = CaselessPattern(rf"\b(?=[a-z])(?:{_phrase(_STATUS_PATTERNS['resolved'])}|{_OVER_IN_REPORTS})")


def says_over(sentence: str) -> bool:
    """Whether a sentence of a report says the outage is over: the resolved state as find_status reads
    it, or the looser words of the press; not a state denied ("has not been fixed") or only promised or
    awaited ("once it is back up"). The one reading of "it is over" for the press's claims and the
    summaries (which also set aside hedged sentences, `summaries.sentences.says_resolved`)."""
    return any(not _PROMISE.search(sentence, max(0, m.start() - 80), m.start())
               and not _DENIED.search(sentence, max(0, m.start() - 30), m.start())
               for m in _REPORTED_OVER.finditer(sentence))


# A sentence about earlier incidents: "In April it also went down", "last year", "previously",
# "It is not the first time", "a similar outage in 2021". A source's paragraph of history is
# context for the "earlier incidents" line, never a fact about this incident.
_EARLIER = re.compile(
    r"\b(?:last|previous|prior|earlier) (?:year|month|week|summer|winter|spring|fall|autumn|outage|incident"
    r"|disruption|time)s?\b"
    r"|\b(?:previously|in the past|not the first time|(?:first|second|third) time (?:this|in)|once again"
    r"|a (?:similar|separate|major|massive|previous|prior) (?:\w+ )?(?:outage|incident|disruption)"
    r" (?:in|on|last|earlier)"
    r"|(?:months|years|weeks) (?:ago|earlier|before)|earlier this (?:year|month))\b"
    r"|\b(?:in|since|back in) (?:(?:early|late|mid-?)\s*)?(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December|(?:19|20)\d\d)\b[^.]{0,80}\b(?:also|too|similar|another|again"
    r"|outage|went down|suffered|experienced|hit)\b"
    r"|\b(?:also|similar(?:ly)?|another)\b[^.]{0,60}\b(?:in|back in|last) (?:January|February|March|April|May|June"
    r"|July|August|September|October|November|December|(?:19|20)\d\d)\b",
    re.I,
)


def is_about_earlier_incidents(sentence: str) -> bool:
    """Whether the sentence recounts earlier incidents rather than this one."""
    return bool(_EARLIER.search(sentence))


_SAY = (r"(?:acknowledged|confirmed|said|says|stated|wrote|posted|noted|told|tweeted|explained|announced"
        r"|reported|is investigating|was investigating|are investigating|is aware|was aware|is working"
        r"|was working|status page|status dashboard|spokesperson|spokesman|spokeswoman|statement|blog post)")
_NEGATED_SAY = re.compile(
    r"\b(?:not|n't|n\u2019t|no|never|declined|yet to|did not|has not|have not|without)\b[^.]{0,25}"
    r"\b(?:acknowledg|confirm|comment|respond|repl|said|say|stat|post|updat)", re.I)


def says_vendor_acknowledged(sentence: str, vendor: str) -> bool:
    """Whether the sentence reports the vendor speaking about the problem: "Cloudflare's status
    page said …", "Microsoft acknowledged the issue", "according to AWS". A sentence where the
    vendor declined to comment, or has not confirmed, does not count; nor does the vendor merely
    named ("Users said Cloudflare was down")."""
    # The cheap tests first: most sentences do not name the vendor, and few have it speak.
    if not vendor or vendor.lower() not in sentence.lower() or not _vendor_speaking(sentence, vendor):
        return False
    return not is_about_earlier_incidents(sentence) and not _NEGATED_SAY.search(sentence)


# The vendor speaking, read around each place the sentence names it: the name then a word of saying
# ("Cloudflare's status page said"), or a word of saying then the name ("according to AWS."). The
# patterns hold no name, so a vendor seen for the first time costs no compilation of them.
_SAYS_AFTER_NAME = re.compile(rf"(?:['\u2019]s?)?(?:\s+[\w-]+){{0,4}}?\s+{_SAY}\b", re.I)
_SAYING_BEFORE_NAME = re.compile(  # ends where the name begins (searched with the name's start as end)
    r"\b(?:according to|said|says|confirmed by|statement from|spokesperson for|posted by)\s+(?:a\s+)?\Z", re.I)
_SAID_OF_NAME = re.compile(
    r"\b(?:['\u2019]s?)?(?=\s*(?:[.,;:]|$|spokesperson|spokesman|statement|status|in\b|on\b|blog))", re.I)
_WORD_BOUNDARY = re.compile(r"\b")


def _vendor_speaking(sentence: str, vendor: str) -> bool:
    """Whether, at some place the sentence names the vendor (as written, case ignored), a name that
    starts a word is followed by a word of saying, or a word of saying comes before the name and a
    word ends after it."""
    name = _name_pattern(vendor)
    position = 0
    while found := name.search(sentence, position):  # every place, overlapping ones too
        start, end = found.span()
        if ((_WORD_BOUNDARY.match(sentence, start) and _SAYS_AFTER_NAME.match(sentence, end))
                or (_SAYING_BEFORE_NAME.search(sentence, 0, start) and _SAID_OF_NAME.match(sentence, end))):
            return True
        position = start + 1
    return False


@lru_cache(maxsize=512)
def _name_pattern(vendor: str) -> re.Pattern[str]:
    """The vendor's name as written, case ignored as the patterns above ignore it."""
    return re.compile(re.escape(vendor), re.I)


# A place or service named as spared: "customers in Europe were not affected", "no impact to …".
NOT_AFFECTED = (r"(?:\b(?:not|never)\s+(?:been\s+|be\s+)?|n['\u2019]t\s+(?:been\s+)?|\bun)(?:affected|impacted)\b"
                r"|\bno impact\b")
# Where the traffic went instead, the place to follow: "served successfully from Northern Virginia",
# "failed over to our Central US datacenter" (traffic moved away from a place leaves it affected).
SERVED_ELSEWHERE = (r"(?:\bserved (?:successfully |normally |instead |reliably )?(?:from|out of)|\bfailover to"
                    r"|\b(?:fail(?:ed|ing)?|moved|shift(?:ed|ing)|(?:re)?rout(?:ed|ing)|redirect(?:ed|ing)|diverted|migrated)"
                    r"\s+(?:\w+\s+){0,2}?(?:over\s+)?to)")


_CANNOT = r"(?:unable to|(?:could|can|were|was) not(?: be)? able to|can['\u2019]?t|cannot|couldn['\u2019]t|could not)"
# In IMPACT_LABELS order, most specific first: "elevated error rates" before "failures", "major
# outage" before "service disruption". One label per stretch of text. Word boundary in front, as above.
_IMPACT_PATTERNS = {
    "unable to sign in": (
        rf"{_CANNOT} (?:sign|log) ?(?:in|on|into)\b"
        r"|(?:sign-?in|log-?in|login|authentication) (?:failures|failed|issues|errors|problems)\b"
        r"|issues (?:logging|signing) in(?:to)?\b"
    ),
    "unable to send email": (
        rf"{_CANNOT} (?:send|receive|send or receive) (?:e-?mails?|mail|messages)\b"
        r"|(?:e-?mail|mail) (?:delivery|flow) (?:delays|issues|failures|problems)\b"
    ),
    "elevated error rates": (
        r"(?:elevated|increased|higher|high|increase in) (?:rates? of errors|error rates?|errors|5xx errors"
        r"|failure rates?)\b|error rates? (?:peaked|increased|rose|spiked)\b"
    ),
    "increased latency": (
        r"(?:increased|elevated|high|higher|increase in) latenc(?:y|ies)\b"
        r"|slow(?:er)? (?:response times|responses|performance)\b|slowness\b"
    ),
    "degraded performance": (
        r"degraded performance\b|performance degradation\b|(?:is|was|were|are|been) degraded\b"
        r"|service degradation\b"
    ),
    "major outage": r"major outages?\b|(?:complete|full|total|widespread|global|massive|worldwide) outages?\b",
    "partial outage": r"partial outages?\b|partially (?:down|unavailable)\b",
    "service disruption": r"(?:service )?disruptions?\b|disrupted\b|(?:went|was|were|is|are) down\b",
    "intermittent connectivity": (
        r"intermittent (?:connectivity|connection|network)(?: (?:issues|problems|errors|failures|drops))?\b"
        r"|connectivity (?:issues|problems)\b|connection (?:resets|drops)\b|packet loss\b"
    ),
    "timeouts": r"time-?outs\b|timed out\b|timing out\b",
    "crashes": r"crash(?:es|ed|ing)?\b|blue screens?(?: of death)?\b|bsods?\b|boot loops?\b",
    "data loss": r"data loss\b|lost data\b|(?:data|messages|e-?mails|jobs|events) (?:were|was) lost\b",
    "delays": r"delay(?:s|ed)?\b",
    "failures": r"(?<!point\sof\s)fail(?:ures?|ed|ing|s)\b",  # not "a single point of failure"
}
# Group names cannot hold spaces: impact0, impact1 … by position in IMPACT_LABELS.
_IMPACT = CaselessPattern(
    r"\b(?=[a-z])(?:"
    + "|".join(f"(?P<impact{index}>{_phrase(_IMPACT_PATTERNS[label])})" for index, label in enumerate(IMPACT_LABELS))
    + ")"
)
# "no data was lost", "did not see delays", "without disruption": a negation earlier in the clause.
_NEGATED = re.compile(r"(?:\b(?:no|not|without|never|zero)\b|n['\u2019]t\b)[^.,;:!?\n]{0,40}$", re.IGNORECASE)


def find_impacts(text: str) -> list[ImpactMention]:
    """Kinds of harm the text names, each label once, in the order first named."""
    found: dict[str, ImpactMention] = {}
    for match in _IMPACT.finditer(text):
        label = IMPACT_LABELS[int(match.lastgroup.removeprefix("impact"))]
        if label in found or _NEGATED.search(text, max(0, match.start() - 40), match.start()):
            continue
        found[label] = ImpactMention(label=label, text=matched_words(text, match))
    return list(found.values())
