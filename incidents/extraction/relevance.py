"""Does a news item or status post report a service outage? A pure, explainable, rule-based classifier.

`assess(title, body)` adds up the weights of the phrase rules that fire in the title and in the first
part of the body (a title cue weighs more than the same cue in the body, and the body's lead more
than its rest) and calls the item an outage when the sum reaches `THRESHOLD`. Each rule counts at
most once per field, and where two cues of the same sign overlap on the same words ("service
problems" and "problems") only the heavier counts. The evidence lists every rule that fired with its weight, for example
`+3.0 title: "outage"` or `-2.0 title: "earnings"`, so an editor can see why.

Positive cues: outage words, "went down", "knocked offline", disruption, degraded service, error
rates, users unable to connect, "is back up", restored, root cause, status-page wording, BSODs and
boot loops. Negative cues: launches, reviews, money (earnings, funding, deals), lawsuits and police,
trailers, how-to pieces, an outage mentioned as history or as a risk ("the 2024 outage", "to prevent
outages"), planned maintenance and "no impact" notices. Security cues (vulnerabilities, patches,
malware, breaches, ransomware) count against an item only when no outage cue fired: ransomware that
takes a hospital's systems offline is an outage; a patched flaw is not.

Pure: no Django, no network. Bounded: at most `RAW_CHARS` of input are decoded, `BODY_CHARS` of the
body's text and `TITLE_CHARS` of the title are searched, and no pattern nests unbounded repetition,
so 1 MB of text costs about what 20 kB does.

The weights and the threshold were tuned on tests/eval/outage-dev.jsonl (a development set).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from re import _constants as regex_ops
from re import _parser as regex_parser

THRESHOLD = 3.0
TITLE_CHARS = 500
BODY_CHARS = 5_000
LEAD_CHARS = 1_500  # a body cue after this many characters counts half
RAW_CHARS = 20_000  # input decoded before the cut (markup is often most of it)

STATUS_POST_WEIGHT = 3.0
KNOWN_SERVICE_WEIGHT = 0.5
ATTACK_TAKEDOWN_WEIGHT = 1.0
WIDESPREAD_CRASH_WEIGHT = 1.0


@dataclass(frozen=True)
class Relevance:
    is_outage: bool
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class _Rule:
    group: str
    title: float
    body: float
    pattern: re.Pattern[str]
    # Texts one of which every match of the pattern starts with (None: not known): a text holding
    # none of them needs no search, and most rules' words are absent from most texts.
    leads: frozenset[str] | None


def _rule(group: str, title: float, body: float, *alternatives: str) -> _Rule:
    pattern = re.compile("|".join(f"(?:{a})" for a in alternatives))
    return _Rule(group, title, body, pattern, match_leads(pattern))


def match_leads(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The literal texts one of which every match of `pattern` starts with, read from the parsed
    pattern: `\\b(?:outage|downtime)s?` gives {"outage", "downtime"}. None when some match may start
    otherwise (a character class, a repeat, case-insensitive letters, an empty match)."""
    if pattern.flags & re.IGNORECASE:
        return None
    leads = _leads(list(regex_parser.parse(pattern.pattern, pattern.flags)))
    return frozenset(leads) if leads else None


def _leads(items: list, lead: str = "") -> set[str] | None:
    for op, argument in items:
        if op in (regex_ops.AT, regex_ops.ASSERT, regex_ops.ASSERT_NOT):
            continue  # zero-width: a boundary or a look-around consumes nothing
        if op is regex_ops.LITERAL:
            lead += chr(argument)
            continue
        if op is regex_ops.SUBPATTERN and not argument[1] and not argument[2]:  # a group without flags
            inner = _leads(list(argument[3]))
            if inner:
                return {lead + rest for rest in inner}
        elif op is regex_ops.BRANCH:
            alternatives = [_leads(list(alternative)) for alternative in argument[1]]
            if all(alternatives):
                return {lead + rest for alternative in alternatives for rest in alternative}
        break
    return {lead} if lead else None


# Up to three words between two cue words: bounded, so the engine cannot backtrack far.
_GAP = r"(?:[\w'-]{1,30}\s){0,3}"
_YEAR = r"(?:19|20)\d\d"
_SYSTEMS = (
    r"(?:pcs|computers|machines|laptops|devices|systems|servers|services|sites|websites|networks|apps|platforms)\b"
)
_ATTACK = r"\b(?:ddos|denial[- ]of[- ]service|ransomware|cyber ?-?attacks?|attacks?|botnets?)\b"
_NOT_AN_AMOUNT = r"(?!\s*(?:\d|by\s+\d|from\b|to\s+\d))"  # "revenue was down 6 percent", "down from $12"

# Groups. "outage": hard outage cues (they also cancel the security penalty and halve topic cues
# when in the title). "symptom", "recovery", "analysis", "status": softer positive cues. "attack",
# "crash", "widespread": feed the combination rules. Topic groups and "legal", "history",
# "security", "maintenance": negative. "unplanned": something broke (outweighs "maintenance").
RULES: tuple[_Rule, ...] = (
    # --- hard outage cues -----------------------------------------------------------------------
    _rule("outage", 3.0, 2.0, r"\boutages?\b"),
    _rule(
        "outage", 3.0, 1.5,
        r"\b(?:panne|pannes|störung|störungen|ausfall|ausfälle|caída|interrupción|storing|awaria|guasto|disservizio"
        r"|fora do ar|сбой|сбои|сбоя)\b",
        r"障害|宕机|服务中断|장애",
    ),
    _rule(
        "outage", 3.0, 1.5,
        r"\b(?:is|are|was|were|been|be|went|goes|go|going|gone)\s+down\b" + _NOT_AN_AMOUNT,
        r"\b(?:app|apps|site|sites|website|websites|server|servers|service|services|network|networks|platform|system"
        r"|systems|email|e-mail|api|apis|login|store|online)\s+(?:is\s+|are\s+)?down\b" + _NOT_AN_AMOUNT,
        r"\bis\s+[\w.-]{1,30}(?:\s[\w.-]{1,30})?\s+down\?",
        r"\bdown\s+for\s+(?:users|everyone|many|some|thousands|millions|hours|customers|players)\b",
    ),
    _rule(
        "outage", 3.0, 1.5,
        r"\bknock(?:ed|s|ing)?\s+" + _GAP + r"(?:offline|down|out)\b",
        r"\b(?:t(?:ook|akes?|aken|aking)|br(?:ought|ings?|inging)|forc(?:ed|es|ing))\s+" + _GAP + r"offline\b",
        r"\b(?:t(?:ook|akes?|aken|aking)|br(?:ought|ings?|inging))\s+(?:\w+\s)?down\s+" + _GAP + _SYSTEMS,
        r"\bshut(?:s|ting)?\s+down\s+(?:its\s+|their\s+|the\s+)?(?:\w+\s)?" + _SYSTEMS,
        r"\b(?:went|gone|goes|go)\s+dark\b",
        _ATTACK + r"\s+" + _GAP + r"(?:t(?:ook|akes?|aken|aking)|knock(?:s|ed|ing)?|br(?:ought|ings?|inging))\s+"
        + _GAP + r"down\b",
        r"\b(?:taken|knocked|brought)\s+(?:down|offline)\s+by\s+(?:an?\s+)?(?:\w+\s)?" + _ATTACK,
    ),
    _rule(
        "outage", 3.0, 1.5,
        r"\b(?:service|network|internet|system|it|cloud|server|email|connectivity|communications?|phone|mobile"
        r"|broadband|power)\s+(?:disruptions?|interruptions?|failures?|problems|issues|outages?)\b",
        r"\bdegraded (?:performance|service)\b",
        r"\bservice degradation\b",
    ),
    _rule(
        "outage", 2.5, 1.5,
        r"\b(?:unavailab(?:le|ility)|inaccessib(?:le|ility)|unreachable|unresponsive|downtime)\b",
    ),
    _rule("outage", 2.0, 1.0, r"\b(?:knocked|took|takes|taking)\s+out\b"),
    _rule("outage", 2.0, 1.0, r"\boffline\b"),
    _rule("outage", 2.0, 1.0, r"\bdisrupt(?:ion|ions|ed|s|ing)\b", r"\binterrupt(?:ion|ions|ed)\b"),
    _rule("outage", 2.0, 1.0, r"\bdegrad(?:ed|ation)\b"),
    _rule("outage", 2.0, 1.5, r"\b(?:bsods?|blue screens?(?: of death)?|boot ?loops?|crash loops?)\b"),
    _rule(
        "outage", 3.0, 1.0,
        r"\b" + _SYSTEMS + r"\s+(?:\w+\s)?(?:fail(?:ed|s|ing)?|crash(?:ed|es|ing)?|collapsed|went down)\b",
        r"\bcrash(?:es|ed|ing)?\s+" + _GAP + _SYSTEMS,
    ),
    # --- symptoms --------------------------------------------------------------------------------
    _rule(
        "symptom", 2.5, 1.0,
        r"\b(?:unable to|can't|cannot|couldn't|could not)\s+(?:access|connect|log\s?in|sign\s?in|load|reach|use|stream"
        r"|upload|download|send|receive|make calls|play|pay|check ?out)\b",
        r"\bprevent(?:s|ed|ing)?\s+(?:users|customers|people)\s+from\b",
    ),
    _rule("symptom", 1.5, 1.0, r"\bunable to\b"),
    _rule(
        "symptom", 2.0, 1.0,
        r"\bnot\s+(?:loading|working|responding|receiving|load|running|starting|sending|delivering|syncing)\b",
        r"\bfail(?:s|ed|ing)?\s+to\s+(?:load|connect|start|boot|respond|render)\b",
        r"\bwon't\s+(?:load|connect|start|boot)\b",
        r"\bstopped working\b",
        r"\bno (?:audio|sound|video|signal|connectivity|internet)\b",
    ),
    _rule(
        "symptom", 2.5, 1.0,
        r"\b(?:error rates?|(?:elevated|increased|intermittent) errors?|errors? (?:when|while)|[45](?:\d\d|xx) errors?"
        r"|server errors?|erroring(?: out)?|time-?outs?|timed out|packet loss"
        r"|(?:high|increased|elevated) latenc(?:y|ies))\b",
    ),
    _rule("symptom", 1.5, 1.0, r"\blatenc(?:y|ies)\b"),
    _rule(
        "symptom", 2.5, 1.0,
        r"\b(?:connectivity|connection|network(?:ing)?|login|log-in|sign-in|authentication|access|upload(?:ing)?"
        r"|streaming|playback|payments?|checkout|dns|api|reconnect)\s+(?:issues?|problems?|errors?"
        r"|failures?|troubles?)\b",
    ),
    _rule(
        "symptom", 2.5, 1.0,
        r"\bexperienc(?:e|es|ed|ing)\s+(?:an?\s+)?(?:\w+\s)?(?:issues?|problems?|difficulties|outages?|disruptions?"
        r"|errors|connectivity)\b",
        r"\b(?:issue|problem|incident)s?\s+" + _GAP + r"(?:\w+\s)?affect(?:s|ing|ed)\b",
        r"\b(?:overwhelmed|overloaded)\b",
    ),
    _rule(
        "symptom", 1.5, 1.0,
        r"\b(?:users|customers|people|players|subscribers|members)\s+(?:are\s+|were\s+|may\s+)?(?:report(?:ed|ing|s)?"
        r"|complain(?:ed|ing|s)?|experienc(?:e|ed|ing)|seeing|see|hit|affected|impacted|locked out"
        r"|have experienced)\b",
        r"\b(?:users|customers|people|players|subscribers|members)\b(?=\s+(?:unable|can't|cannot)\b)",
    ),
    _rule("symptom", 2.0, 1.5, r"\bdown ?detector\b", r"\bis it down\b"),
    _rule("symptom", 1.0, 0.5, r"\bstatus (?:page|dashboard)\b", r"\bhealth dashboard\b"),
    _rule("symptom", 1.0, 0.0, r"\berrors?\b", r"\bglitch(?:es|y)?\b"),
    _rule("symptom", 1.0, 0.0, r"\b(?:issues?|problems?|failures?)\b"),
    _rule("symptom", 1.0, 0.5, r"\b(?:delay(?:s|ed)?|slow(?:ness)?|sluggish|intermittent(?:ly)?|failing)\b"),
    # --- recovery --------------------------------------------------------------------------------
    _rule(
        "recovery", 2.0, 1.0,
        r"\b(?:is|are)\s+back\s+(?:up|online)\b",
        r"\bback online\b",
        r"\bback up and running\b",
        r"\b(?:returned|back) to normal\b",
        r"\boperating normally\b",
        r"\b(?:now|fully) operational\b",
    ),
    _rule(
        "recovery", 2.0, 1.0,
        r"\brestor(?:e|ed|es|ing)\s+(?:\w+\s){0,2}(?:service|services|access|connectivity|functionality|operations)\b",
        r"\b(?:service|services|access|connectivity)\s+(?:\w+\s){0,2}(?:restored|resumed|recovered)\b",
    ),
    _rule("recovery", 1.5, 0.5, r"\brestored\b"),
    _rule(
        "recovery", 2.0, 1.0,
        r"\b(?:has|have)\s+(?:been\s+)?resolved\b",
        r"\bresolved\s+(?:the|this)\s+(?:\w+\s)?(?:issue|incident|problem)s?\b",
        r"\b(?:fix|mitigation)\s+(?:has been|have been|is being|was|were)\s+(?:implemented|deployed|applied"
        r"|rolled out|shipped)\b",
    ),
    # --- analysis after the fact ------------------------------------------------------------------
    _rule(
        "analysis", 2.0, 1.0,
        r"\broot cause\b",
        r"\bpost-?mortem\b",
        r"\bpost[- ]incident (?:review|report)\b",
        r"\bincident report\b",
        r"\bwhat went wrong\b",
        r"\bsingle point of failure\b",
        r"\bcascad(?:ed|ing) failures?\b",
        r"\brace condition\b",
        r"\b(?:buggy|faulty|bad|botched|corrupted) (?:update|file|configuration|config|deploy(?:ment)?)\b",
        r"\bmisconfiguration\b",
    ),
    # --- status-page wording ----------------------------------------------------------------------
    _rule("status", 0.0, 1.0, r"(?:^|\n)(?:investigating|identified|monitoring|resolved|update)\s+-\s"),
    _rule(
        "status", 1.0, 1.0,
        r"\b(?:we are|we're|are)\s+(?:currently\s+|continuing to\s+)?investigating\b",
        r"\bhas been identified\b",
        r"\bthis incident\b",
        r"\bwe apologi[sz]e for (?:any|the) inconvenience\b",
    ),
    _rule("status", 1.0, 0.5, r"\bincidents?\b"),
    # --- context for the combination rules ------------------------------------------------------------
    _rule("attack", 0.0, 0.0, r"\b(?:ddos|denial[- ]of[- ]service|ransomware|cyber ?-?attacks?|botnets?)\b"),
    _rule("crash", 1.0, 0.5, r"\bcrash(?:ed|es|ing)?\b"),
    _rule(
        "widespread", 0.0, 0.0,
        r"\b(?:widespread|worldwide|global(?:ly)?|millions|airlines|airports|banks|hospitals)\b",
        r"\blarge (?:chunks|parts) of the internet\b",
    ),
    # --- other kinds of news ----------------------------------------------------------------------------
    _rule(
        "launch", -2.0, -0.5,
        r"\b(?:launch(?:es|ed|ing)?|unveil(?:s|ed|ing)?|announc(?:es|ed|ing|ement)|introduc(?:es|ed|ing)"
        r"|debut(?:s|ed)?|now available|available (?:today|now)|goes live|new features?|preview)\b",
        r"\broll(?:s|ing|ed)? out\b(?!\s+(?:a\s+|the\s+)?(?:fix|patch|mitigation))",
    ),
    _rule(
        "review", -2.0, -0.3,
        r"(?<!incident )(?<!post-incident )\breviews?\b",
        r"\bhands-on\b",
        r"\bfirst look\b",
        r"\btesting shows\b",
    ),
    _rule(
        "money", -2.0, -0.5,
        r"\b(?:earnings|revenues?|profits?|quarterly|fiscal|ipo|valuation|valued at|funding|investors?"
        r"|invest(?:s|ed|ing|ment|ments)?|acquir(?:es|ed|ing)|acquisition|merger|shareholders?|deal"
        r"|partners with|partnership)\b",
        r"\brais(?:es|ed|ing)\s+\$",
    ),
    _rule("culture", -2.0, -0.5, r"\b(?:trailer|teaser|box office|premiere|movie|film|tv series|season finale)\b"),
    _rule("advice", -2.0, 0.0, r"\b(?:how to|tips|guide|best practices|explainer)\b"),
    _rule(
        "legal", -2.0, -0.5,
        r"\b(?:lawsuits?|su(?:es|ed|ing)|court|judge|ruling|settle(?:s|d|ment)|trial|antitrust|monopoly|fined"
        r"|regulators?|fcc|ftc|injunction|plead(?:s|ed)? guilty|indict(?:ed|ment)|law|seiz(?:ed|es|ure)"
        r"|law enforcement|police|fbi|europol|arrest(?:s|ed)?)\b",
    ),
    _rule(
        "history", -2.5, -1.5,
        r"\b" + _YEAR + r"\s+" + _GAP + r"outages?\b",
        r"\boutages?\s+(?:of|in)\s+" + _YEAR + r"\b",
        r"\blast year's\s+" + _GAP + r"outages?\b",
        r"\byears ago\b",
        r"\b(?:prevent|avoid|risks? of|could cause|would cause|might cause|reduce)\s+" + _GAP + r"outages?\b",
    ),
    _rule(
        "security", -1.5, -0.5,
        r"\b(?:vulnerabilit(?:y|ies)|flaws?|cve-\d{4}-\d{3,7}|patch(?:es|ed|ing)?|zero-?days?|exploit(?:s|ed|ation)?"
        r"|rce|remote code execution|authentication bypass|malware|infostealer|phishing|spyware|backdoors?|malicious"
        r"|breach(?:ed|es)?|data leak|leaked|stolen|hack(?:s|ed)?|hackers?|compromis(?:ed|es)|ransomware"
        r"|extortion)\b",
    ),
    # --- status posts that are not outages --------------------------------------------------------------
    _rule("maintenance", -4.0, 0.0, r"\bmaintenance\b"),
    _rule(
        "maintenance", -2.0, -3.0,
        r"\b(?:scheduled|planned)\s+maintenance\b",
        r"\bmaintenance (?:window|is scheduled|will (?:be|take place|occur)|has been completed"
        r"|is (?:currently )?in progress)\b",
    ),
    _rule(
        "maintenance", -3.0, -2.0,
        r"\bno (?:customer |user |service )?(?:impact|downtime)\b",
        r"\b(?:do|does) not expect (?:any )?(?:customer |user )?impact\b",
        r"\bnot (?:expected|anticipated) to (?:impact|affect|cause)\b",
        r"\bno action (?:is )?required\b",
        r"\binformational\b",
        r"\bshould not (?:disrupt|impact|affect)\b",
    ),
    # --- something unplanned went wrong ------------------------------------------------------------------
    _rule(
        "unplanned", 1.5, 1.5,
        r"\b(?:hardware|software|network|power)\s+(?:issue|failure|fault|problem)s?\b",
        r"\bencountered an?\s+(?:\w+\s){0,2}(?:issue|problem|error|failure)\b",
        r"\breverted\b",
        r"\brolled back\b",
    ),
    # A fix under way: something is broken now ("a fix is on the way", "is working on a fix"); a fix
    # shipped ("fixes broken SSH connections") is an update story and does not match.
    _rule(
        "unplanned", 2.0, 1.0,
        r"\b(?:working on|preparing|testing|investigating|promis(?:es|ed)|rolling out)\s+(?:a |the )?fix(?:es)?\b",
        r"\bfix(?:es)?\s+(?:is |are )?(?:coming|on the way|on its way|under ?way|in the works)\b",
    ),
)

CONTEXT_GROUPS = frozenset({"attack", "widespread"})  # weightless: they only feed the combination rules
# Topic cues that count half when the title itself reports an outage ("Netflix outage on premiere night").
# Lawsuits, history and maintenance are not halved: "Delta sues CrowdStrike over outage" is a lawsuit story.
_TOPIC_GROUPS = frozenset({"launch", "review", "money", "culture", "advice"})

_TAG = re.compile(r"<[^<>]{0,500}>")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r"\n\s*")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# Extraction reads one article's fields three times (the outage model's cue features, the rule score
# among them, and the rule verdict itself): the last few cleanings and rule matches are kept.
_RECENT = 16


@lru_cache(maxsize=_RECENT)
def clean(text: str, limit: int) -> str:
    """Lower-case plain text: entities decoded, tags dropped, quotes and dashes straightened."""
    if not text:
        return ""
    text = _TAG.sub(" ", unescape(text[:RAW_CHARS]))
    text = _NEWLINES.sub("\n", _SPACE.sub(" ", text.translate(_QUOTES)))
    return text.strip().lower()[:limit]


def _shown(match: re.Match[str]) -> str:
    return " ".join(match.group(0).split())[:60]


@lru_cache(maxsize=_RECENT)
def field_hits(field: str, text: str) -> tuple[tuple[tuple[_Rule, str, float, str], ...], frozenset[str]]:
    """The rules that fire in one field, and the groups they belong to. A phrase counts once: where
    two cues of the same sign overlap ("service problems" and "problems"), only the heavier one is
    weighed (the lighter one's group still counts for the combination rules)."""
    found = []
    for rule in RULES:
        weight = rule.title if field == "title" else rule.body
        if not weight and rule.group not in CONTEXT_GROUPS:
            continue
        if rule.leads is not None and not any(map(text.__contains__, rule.leads)):
            continue
        match = rule.pattern.search(text)
        if match is None:
            continue
        where = field
        if field == "body" and match.start() >= LEAD_CHARS:
            weight, where = weight / 2, "body (later)"
        found.append((rule, where, weight, match.span(), _shown(match)))
    kept: list[tuple[_Rule, str, float, str]] = []
    taken: list[tuple[float, tuple[int, int]]] = []
    for rule, where, weight, (start, end), phrase in sorted(found, key=lambda hit: -abs(hit[2])):
        if weight and any((w > 0) == (weight > 0) and start < e and s < end for w, (s, e) in taken if w):
            continue
        taken.append((weight, (start, end)))
        kept.append((rule, where, weight, phrase))
    order = {id(rule): i for i, rule in enumerate(RULES)}
    return tuple(sorted(kept, key=lambda hit: order[id(hit[0])])), frozenset(hit[0].group for hit in found)


def assess(
    title: str, body: str, *, known_service_mentioned: bool = False, is_status_post: bool = False
) -> Relevance:
    """How likely the item reports a service outage, and why.

    `known_service_mentioned` (the item names a service from the catalogue) is a mild positive cue;
    the catalogue is not a whitelist. `is_status_post` (the item comes from a vendor's status page)
    makes the item relevant unless it is planned maintenance or a "no impact" notice.
    """
    title_text = clean(title or "", TITLE_CHARS)
    body_text = clean(body or "", BODY_CHARS)
    hits: list[tuple[_Rule, str, float, str]] = []  # rule, where, weight, matched phrase
    fired: set[str] = set()
    for field, text in (("title", title_text), ("body", body_text)):
        if text:
            found, field_groups = field_hits(field, text)
            hits.extend(found)
            fired |= field_groups
    outage_in_title = any(rule.group == "outage" and where == "title" for rule, where, _, _ in hits)

    evidence: list[str] = []
    score = 0.0

    def add(weight: float, reason: str) -> None:
        nonlocal score
        score += weight
        shown = f"{weight:+.1f}" if round(weight, 1) == weight else f"{weight:+.2f}"
        evidence.append(f"{shown} {reason}")

    if is_status_post:
        add(STATUS_POST_WEIGHT, "status post")
    if known_service_mentioned:
        add(KNOWN_SERVICE_WEIGHT, "known service mentioned")
    for rule, where, weight, phrase in hits:
        note = ""
        if rule.group == "security":
            if "outage" in fired:
                continue  # ransomware that takes systems offline is an outage story
            note = " (security story, no outage words)"
        elif rule.group in _TOPIC_GROUPS and outage_in_title:
            weight, note = weight / 2, " (halved: the title reports an outage)"
        if weight:
            add(weight, f'{where}: "{phrase}"{note}')
    if "attack" in fired and "outage" in fired:
        add(ATTACK_TAKEDOWN_WEIGHT, "rule: attack words with outage words")
    if "crash" in fired and "widespread" in fired:
        add(WIDESPREAD_CRASH_WEIGHT, "rule: widespread crashes")

    score = round(score, 2)
    return Relevance(is_outage=score >= THRESHOLD, score=score, evidence=tuple(evidence))
