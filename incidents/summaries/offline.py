"""The default summary backend: offline and deterministic. Pure: an IncidentBrief in, a Summary out.

It writes only what the brief holds. Facts (times, durations, counts, ids, regions, errors) are
written with summary.py's renderers; the vendor's and the press's own words are quoted verbatim,
chosen by sentences.py. Every statement cites the sources that state what it says, so a reader can
check each one and faithfulness.py can too.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta
from functools import cached_property

from incidents.clustering.text_features import words
from incidents.extraction import status_words
from incidents.extraction.identifiers import find_incident_ids
from incidents.summaries import sentences
from incidents.summaries.brief import (
    MAX_REGIONS_LISTED,
    MAX_REGIONS_NAMED,
    MAX_SERVICES_LISTED,
    RELATED_WINDOW_DAYS,
    TAKEAWAYS,
    IncidentBrief,
    SourceDoc,
    Statement,
    Summary,
    format_duration,
    format_span,
    format_time,
    join_words,
    ordinal,
)

NAME = "offline"
MAX_CITATIONS = 3  # per statement: enough to check it, few enough to read
MAX_ERRORS_QUOTED = 2
IMPACT_QUOTES = 2
COVERAGE_PUBLISHERS = 5
VENDOR_WORDS_WEIGHT = 1.5  # the vendor's own account of impact is preferred to the press's
# Each of cause, window, scale and workaround a sentence gives multiplies its weight by this much
# more, so the vendor's closing report ("caused by…, between 14:02 and 15:40, 25% of requests")
# wins over "We are continuing to monitor".
SUBSTANCE_WEIGHT = 1.0
CLOSING_STATUSES = {"resolved", "completed", "postmortem"}
# A brief written within a day of its latest source describes a live incident; an older one (a
# recluster, the demo's recorded data) must not say "as of now, 400 days after the first report".
LIVE_WITHIN = timedelta(days=1)
MIN_KNOWN_DURATION = timedelta(minutes=1)
# Field labels of status posts ("Diagnosis: Customers may …"): the quote starts after them.
FIELD_LABEL = re.compile(r"^(?:Summary|Description|Diagnosis|Workaround|Update|Impact|Details?|Status)\s*:\s*", re.I)
LEFT_SINGLE_QUOTE, RIGHT_SINGLE_QUOTE = "\u2018", "\u2019"
TITLE_OVERLAP = 0.7  # a sentence this much made of its source's title words repeats the headline


def summarise(brief: IncidentBrief) -> Summary:
    writer = _Writer(brief)
    return Summary(
        why_this_matters=tuple(writer.one_citation_per_source(s) for s in writer.why_this_matters()),
        takeaways=tuple(writer.one_citation_per_source(s) for s in writer.takeaways()),
        enough_information=writer.enough_information,
        backend=NAME,
    )


class _Writer:
    def __init__(self, brief: IncidentBrief) -> None:
        self.brief = brief
        self.quoted: set[str] = set()  # sentences already quoted, so no takeaway repeats another
        # The names of what is down: a sentence that says nothing else is not worth quoting.
        self.names = [brief.vendor, brief.subject, *(s.name for s in brief.services), *brief.region_names]

    # --- what the sources say, and which of them say it ------------------------------------------

    @property
    def enough_information(self) -> bool:
        """Something more than headlines: a vendor post, or a report with a body."""
        b = self.brief
        return bool(b.vendor_posts or any(s.text.strip() for s in b.sources))

    def one_citation_per_source(self, statement: Statement) -> Statement:
        """The statement citing each document once: a status post and its updates are one source,
        so a reader sees one chip for it, not one per update (the first update cited stands for it)."""
        kept: dict[str, SourceDoc | str] = {}
        for ref in statement.citations:
            doc = self.brief.source(ref)
            key = doc.origin if doc else ref
            held = kept.get(key)
            # The update that states the fact is a better chip than the post that holds it.
            if held is None or (doc and isinstance(held, SourceDoc) and held.kind == "status" and doc.kind == "update"):
                kept[key] = doc or ref
        return replace(statement, citations=tuple(v.ref if isinstance(v, SourceDoc) else v for v in kept.values()))

    def cite(self, matches: Callable[[SourceDoc], bool], fallback: Iterable[SourceDoc] = ()) -> tuple[str, ...]:
        """Refs of the sources that state something: vendor posts first, then the earliest news."""
        chosen = [s for s in self._by_authority() if matches(s)] or list(fallback)
        return tuple(dict.fromkeys(s.ref for s in chosen))[:MAX_CITATIONS]

    def _by_authority(self) -> list[SourceDoc]:
        b = self.brief
        return [*b.vendor_posts, *(s for s in b.news if not s.is_copy), *(s for s in b.news if s.is_copy)]

    def _first_sources(self) -> list[SourceDoc]:
        return self._by_authority()[:1]

    def _mentions(self, name: str) -> Callable[[SourceDoc], bool]:
        folded = name.casefold()
        return lambda s: name in s.service_names or name in s.vendor_names or folded in _folded(s)

    def scope_refs(self) -> tuple[str, ...]:
        names = [s.name for s in self.brief.services] or [self.brief.vendor or self.brief.subject]
        if self.brief.vendor and self.brief.own_services != self.brief.services:
            names.append(self.brief.vendor)
        return self.cite(lambda s: any(self._mentions(n)(s) for n in names if n), self._first_sources())

    def region_refs(self) -> tuple[str, ...]:
        labels = set(self.brief.region_labels)
        return self.cite(lambda s: bool(labels & set(s.region_labels)))

    def start_refs(self) -> tuple[str, ...]:
        """The source that gives the start: the vendor's first post, else the first report."""
        b = self.brief
        earliest = min(b.vendor_posts or b.sources, key=lambda s: s.published_at, default=None)
        return (earliest.ref,) if earliest else ()

    def error_refs(self, message: str) -> tuple[str, ...]:
        folded = message.casefold()
        return self.cite(lambda s: message in s.error_messages or folded in _folded(s))

    def closing_refs(self) -> tuple[str, ...]:
        return self.cite(lambda s: s.status in CLOSING_STATUSES)

    @property
    def knows_duration(self) -> bool:
        """False when the start and the end are one moment: one report's publication time, which says
        when it was written, not how long the incident lasted."""
        b = self.brief
        return b.resolved_at is None or b.resolved_at - b.started_at >= MIN_KNOWN_DURATION

    @property
    def is_live(self) -> bool:
        """The brief is written while sources still arrive, so "as of now" statements mean something."""
        latest = max(s.published_at for s in self.brief.sources)
        return self.brief.as_of - latest <= LIVE_WITHIN

    @cached_property
    def vendor_in_press(self) -> tuple[SourceDoc, str] | None:
        """The first news sentence reporting the vendor speaking about the problem ("Cloudflare's
        status page said …"): then the vendor has not been silent, whatever our own polling saw."""
        b = self.brief
        if not b.vendor:
            return None
        first_word = b.vendor.split()[0]
        names = [b.vendor, *([first_word] if len(first_word) >= 4 and first_word != b.vendor else [])]
        for doc in b.news:
            for sentence in sentences.split_sentences(sentences.plain_text(doc.text)):
                if any(status_words.says_vendor_acknowledged(sentence, name) for name in names):
                    return doc, sentence
        return None

    @cached_property
    def press_says_resolved(self) -> tuple[SourceDoc, str] | None:
        """The first news sentence saying the incident is over, for an incident only the press reports."""
        for doc in self.brief.news:
            for sentence in sentences.split_sentences(sentences.plain_text(doc.text)):
                if sentences.says_resolved(sentence):
                    return doc, sentence
        return None

    def first_press(self) -> SourceDoc | None:
        return min(self.brief.news, key=lambda s: s.published_at, default=None)

    def visible_ids(self) -> list[str]:
        """The vendor's incident ids its readers know (MO502273, an Azure tracking id), not a status
        API's internal key (Statuspage's "w7wlzstc8wss")."""
        written = {i for s in self.brief.sources for i in find_incident_ids(f"{s.title}\n{s.text}")}
        return [i for i in self.brief.vendor_incident_ids if i in written][:2]

    def latest_update(self) -> SourceDoc | None:
        posts = self.brief.updates or [s for s in self.brief.vendor_posts if s.text.strip()]
        return max(posts, key=lambda s: s.published_at, default=None)

    # --- Why this matters --------------------------------------------------------------------------

    def why_this_matters(self) -> list[Statement]:
        b = self.brief
        if not self.enough_information:
            return self._headline_only_why()
        why = [self._what_and_where(), self._how_bad()]
        if b.related and not b.is_maintenance:
            refs = tuple(r.ref for r in b.related)[:MAX_CITATIONS]
            why.append(Statement(f"It is the {ordinal(b.related_count + 1)} {b.history_subject} incident in "
                                 f"{RELATED_WINDOW_DAYS} days.", refs))
        acknowledgement = self._acknowledgement_gap()
        if acknowledgement:
            why.append(acknowledgement)
        return why[:4]

    def _headline_only_why(self) -> list[Statement]:
        b = self.brief
        first = b.sources[0]
        when = format_time(first.published_at, b.as_of)
        what = f"{b.affected} was" if b.affected else "A possible outage was"
        return [
            Statement(f"{what} reported down by {first.publisher} at {when}: “{first.title}”.", (first.ref,)),
            Statement("Not enough information yet: the reports so far are headlines, with no details of scope, "
                      "cause or errors.", tuple(s.ref for s in b.sources)[:MAX_CITATIONS]),
        ]

    def _what_and_where(self) -> Statement:
        b = self.brief
        subject = b.affected or "A service"
        has = "have" if len(b.own_services) > 1 else "has"
        # No catalogue description here: it is the same for every incident of the service, and
        # the reader has it on the service's page; the paragraph is about this incident.
        where = _where(b, MAX_REGIONS_NAMED)
        start = format_time(b.started_at, b.as_of)
        if b.is_maintenance:
            text = (f"{subject} had planned maintenance{where} {format_span(b.started_at, b.resolved_at, b.as_of)}."
                    if b.resolved_at else f"{subject} had planned maintenance{where} from {start}."
                    if b.is_over else f"{subject} has planned maintenance{where} from {start}.")
        elif b.resolved_at and not self.knows_duration:
            text = f"{subject} had problems{where}, resolved by {format_time(b.resolved_at, b.as_of)}."
        elif b.resolved_at:
            text = (f"{subject} had problems{where} for {format_duration(b.resolved_at - b.started_at)}, "
                    f"{format_span(b.started_at, b.resolved_at, b.as_of)}.")
        elif b.is_over:  # over, and no source gives its end
            text = f"{subject} had problems{where} from {start}; the sources say it is over but not when it ended."
        elif b.status == "quiet":
            was = "were" if len(b.own_services) > 1 else "was"
            latest = max(b.sources, key=lambda s: s.published_at, default=None)
            if latest is not None and latest.published_at > b.started_at:
                text = (f"{subject} {was} reported down{where} from {start}; the last report, by {latest.publisher} "
                        f"at {format_time(latest.published_at, b.as_of)}, did not say it was over, and none "
                        "has come since.")
                refs = tuple(dict.fromkeys([*self.scope_refs(), *self.start_refs(), latest.ref]))
                return Statement(text, refs[:MAX_CITATIONS + 1])
            text = f"{subject} {was} reported down{where} at {start}; no source has reported on it since."
        elif b.status == "reported" and self.press_says_resolved:
            doc, _ = self.press_says_resolved
            was = "were" if len(b.own_services) > 1 else "was"
            text = f"{subject} {was} reported down{where} at {start}; {doc.publisher} has since reported it resolved."
            refs = tuple(dict.fromkeys([*self.scope_refs(), doc.ref]))
            return Statement(text, refs[:MAX_CITATIONS + 1])
        elif b.status == "reported" and self.vendor_in_press:
            text = f"{subject} {has} been reported down{where} since {start}."
        elif b.status == "reported":
            text = f"{subject} {has} been reported down{where} since {start}; the vendor has not confirmed it."
        else:
            text = f"{subject} {has} been having problems{where} since {start}."
        refs = tuple(dict.fromkeys([*self.scope_refs(), *self.region_refs(), *self.start_refs()]))
        return Statement(text, refs[:MAX_CITATIONS + 1])

    def _how_bad(self) -> Statement:
        """How bad it is, from what the sources state: the errors users see, else the impact in
        figures (users, reports, error rates) in a source's words, else the vendor's rating, else
        (nothing said of the impact) how widely it is reported."""
        b = self.brief
        if b.error_messages:
            message = b.error_messages[0]
            return Statement(f"Users see errors such as “{message}”.", self.error_refs(message))
        figure = self._impact_figure()
        if figure:
            doc, sentence = figure
            self.quoted.add(sentence)
            return Statement(f"Impact: {_quoted(sentence)} ({doc.publisher})", (doc.ref,))
        parts = []
        if b.news:
            reports, outlets = len(b.news), b.news_outlets
            parts.append(f"{_count(outlets, 'news outlet')} {'reports' if outlets == 1 else 'report'} it" if
                         reports == outlets else f"{_count(reports, 'news report')} from {_count(outlets, 'outlet')} "
                         f"cover it")
        if b.updates:
            count = len(b.updates)
            who = b.vendor or "The vendor"
            parts.append(f"{who} has posted {count} status {'update' if count == 1 else 'updates'}")
        elif b.vendor_posts:
            parts.append(f"{b.vendor or 'the vendor'} has posted about it on its status page")
        text = join_words(parts) + "."
        text = text[0].upper() + text[1:]
        if b.vendor_severity and not b.is_maintenance:
            text = f"{text[:-1]}; the vendor rates its impact as {b.vendor_severity}."
        return Statement(text, self.cite(lambda s: not s.is_copy, self._first_sources()))

    def _impact_figure(self) -> tuple[SourceDoc, str] | None:
        """The first sentence stating impact as a figure, the vendor's words first."""
        for doc in self._by_authority():
            if doc.is_copy:
                continue
            for sentence in self.quotable(doc):
                if sentences.states_impact_figure(sentence):
                    return doc, sentence
        return None

    def _acknowledgement_gap(self) -> Statement | None:
        b, first = self.brief, self.first_press()
        if first is None or not b.vendor:
            return None
        if b.vendor_acknowledged_at and b.vendor_acknowledged_at > first.published_at:
            gap = format_duration(b.vendor_acknowledged_at - first.published_at)
            return Statement(f"{b.vendor} acknowledged it {gap} after the first press report.",
                             (first.ref, *self.start_refs()))
        silent = not b.vendor_acknowledged_at and not self.vendor_in_press
        if silent and b.vendor_status_page_watched and self.is_live:
            return Statement(f"As of {format_time(b.as_of, b.as_of)}, {b.vendor}'s status page still shows "
                             f"operational while the press reports an outage.", (first.ref,))
        return None

    # --- Key takeaways -----------------------------------------------------------------------------

    def takeaways(self) -> list[Statement]:
        b = self.brief
        scope, acknowledgement, errors = self._scope(), self._acknowledgement(), self._errors()
        workaround = self._workaround()  # first, so the latest update and the impact quotes do not take its sentence
        where_it_stands = [self._resolution(), self._root_cause(), self._closing()] if b.is_over else [self._latest()]
        ordered = [scope, acknowledgement, errors, *where_it_stands, workaround, self._history(), *self._impact()]
        chosen = [t for t in ordered if t is not None][:TAKEAWAYS[1]]
        if len(chosen) < TAKEAWAYS[0]:
            chosen.append(self._coverage())
        return chosen

    def _scope(self) -> Statement:
        b = self.brief
        if b.own_services:
            what = b.services_named(MAX_SERVICES_LISTED)
            if b.vendor:
                what = f"{what} ({b.vendor})"
        else:
            what = b.affected
        if not what:
            return Statement("Affected: not yet clear from the sources.", self.cite(lambda s: True))
        where = _where(b, MAX_REGIONS_LISTED) or "; no region named yet"
        # Other vendors' services hit by this one's outage are victims, named as such.
        victims = [s.name for s in b.other_services][:MAX_SERVICES_LISTED]
        also = f" Also affected: {join_words(victims)}." if victims else ""
        refs = tuple(dict.fromkeys([*self.scope_refs(), *self.region_refs()]))
        return Statement(f"Affected: {what}{where}.{also}", refs[:MAX_CITATIONS + 1], kind="scope")

    def _acknowledgement(self) -> Statement:
        b, first = self.brief, self.first_press()
        if b.vendor_acknowledged_at:
            shown = self.visible_ids()
            ids = f" as {join_words(shown)}" if shown else ""
            when = format_time(b.vendor_acknowledged_at, b.as_of)
            text = f"{b.vendor or 'The vendor'} acknowledged it{ids} at {when}"
            refs = list(self.start_refs())
            reporter = next((s for s in b.sources if s.ref == b.acknowledged_in), None)
            if reporter is not None:  # known from the press, not from a post of the vendor's
                text += f", as {reporter.publisher} reports"
                refs = [reporter.ref]
            if first and first.published_at < b.vendor_acknowledged_at:
                gap = format_duration(b.vendor_acknowledged_at - first.published_at)
                text += f", {gap} after the first press report ({first.publisher})"
                refs.append(first.ref)
            ids_refs = self.cite(lambda s: any(i in s.incident_ids for i in shown))
            return Statement(text + ".", tuple(dict.fromkeys([*refs, *ids_refs]))[:MAX_CITATIONS + 1],
                             kind="acknowledgement")
        spoke = self.vendor_in_press
        if spoke:
            doc, sentence = spoke
            self.quoted.add(sentence)
            return Statement(f"{b.vendor} has spoken about it, as {doc.publisher} reports: {_quoted(sentence)}",
                             (doc.ref,), kind="acknowledgement")
        first = first or self.brief.sources[0]
        who = b.vendor or "the vendor"
        reported = f"by {first.publisher} at {format_time(first.published_at, b.as_of)}"
        if not self.is_live:
            text = f"No acknowledgement from {who} among the sources; first reported {reported}."
            return Statement(text, (first.ref,), kind="acknowledgement")
        since = format_duration(b.as_of - first.published_at)
        text = (f"Not yet acknowledged by {who} as of {format_time(b.as_of, b.as_of)}, {since} after it was first "
                f"reported {reported}.")
        if b.vendor and b.vendor_status_page_watched:
            text += f" {b.vendor}'s status page still shows operational."
        return Statement(text, (first.ref,), kind="acknowledgement")

    def _errors(self) -> Statement | None:
        messages = self.brief.error_messages[:MAX_ERRORS_QUOTED]
        if not messages:
            return None
        refs = tuple(dict.fromkeys(ref for m in messages for ref in self.error_refs(m)))
        label = "Error users see" if len(messages) == 1 else "Errors users see"
        return Statement(f"{label}: " + "; ".join(f"“{m}”" for m in messages) + ".", refs[:MAX_CITATIONS],
                         kind="errors")

    def _latest(self) -> Statement | None:
        b, latest = self.brief, self.latest_update()
        if latest is None:
            return None
        said = self._quote_from(latest)
        next_update = sentences.find_next_update(latest.text)
        status = f"{latest.status}, " if latest.status else ""
        text = f"Latest from {b.vendor or latest.publisher} ({status}{format_time(latest.published_at, b.as_of)})"
        text += f": {_quoted(said)}" if said else ""
        if next_update and next_update != said:
            self.quoted.add(next_update)
            text += f" Next update: {_quoted(next_update)}"
        if not text.endswith(("”", RIGHT_SINGLE_QUOTE, ".")):
            text += "."
        return Statement(text, (latest.ref,), kind="latest")

    def quotable(self, doc: SourceDoc) -> list[str]:
        """The sentences of a source fit to quote, without a status post's field labels and without
        the ones that only repeat its headline or were quoted already."""
        title_words = set(words(doc.title.casefold()))
        found = []
        for sentence in sentences.split_sentences(sentences.plain_text(doc.text)):
            sentence = FIELD_LABEL.sub("", sentence)
            sentence_words = words(sentence.casefold())
            if not sentences.is_quotable(sentence) or sentence in self.quoted:
                continue
            if sentences.says_nothing(sentence, self.names):
                continue  # "We are experiencing an issue with Google BigQuery."
            if sentences.is_about_earlier_incidents(sentence):
                continue  # history, for the earlier-incidents line: never a fact of this incident
            if sentence_words and sum(w in title_words for w in sentence_words) >= TITLE_OVERLAP * len(sentence_words):
                continue
            found.append(sentence)
        return found

    def _quote_from(self, doc: SourceDoc) -> str | None:
        """The source's quotable sentence with the most substance (cause, window, scale,
        workaround), the most central among equals, marked as quoted."""
        candidates = [sentences.Candidate(doc.ref, s, _with_substance(1.0, s)) for s in self.quotable(doc)]
        best = sentences.central_sentences(candidates, 1)
        if not best:
            return None
        self.quoted.add(best[0].text)
        return best[0].text

    def _resolution(self) -> Statement | None:
        b = self.brief
        if not b.is_over:
            return None
        # No source closing it: a post-incident report, written once it was over, is what says so.
        report = (b.post_incident_report,) if b.post_incident_report else ()
        refs = self.closing_refs() or report or self.start_refs()
        word = "Completed" if b.is_maintenance else "Resolved"
        if not b.resolved_at:
            return Statement(f"{word}; the sources give no time for its end.", refs, kind="resolution")
        if not self.knows_duration:
            return Statement(f"{word} at {format_time(b.resolved_at, b.as_of)}; the sources give no start, so how "
                             f"long it lasted is not known.", refs, kind="resolution")
        return Statement(f"{word} at {format_time(b.resolved_at, b.as_of)}, "
                         f"{format_duration(b.resolved_at - b.started_at)} after it began.", refs, kind="resolution")

    def _root_cause(self) -> Statement | None:
        """What its post-incident report says caused it: the report's sentence that names a cause."""
        b = self.brief
        report = b.source(b.post_incident_report) if b.post_incident_report else None
        if report is None:
            return None
        causes = [sentence for sentence in self.quotable(report) if ROOT_CAUSE_WORDS.search(sentence)]
        if not causes:
            return None
        said = causes[0]
        self.quoted.add(said)
        return Statement(f"Root cause, in the post-incident report ({report.publisher}): {_quoted(said)}",
                         (report.ref,), kind="root_cause")

    def _closing(self) -> Statement | None:
        """The vendor's closing words (its resolved or post-incident update): the cause, the real
        window, the scale, when it gives them."""
        b = self.brief
        closing = [s for s in (b.updates or b.vendor_posts) if s.status in CLOSING_STATUSES and s.text.strip()]
        for doc in sorted(closing, key=lambda s: s.published_at, reverse=True):
            said = self._quote_from(doc)
            if said and sentences.substance(said):
                whose = f"{b.vendor}'s closing report" if b.vendor else "The vendor's closing report"
                return Statement(f"{whose} ({doc.status}, {format_time(doc.published_at, b.as_of)}): {_quoted(said)}",
                                 (doc.ref,), kind="closing")
            if said:
                self.quoted.discard(said)  # no substance: leave it for the impact quotes to weigh
        return None

    def _impact(self) -> list[Statement]:
        candidates = []
        for doc in self._by_authority():
            if doc.is_copy or (doc.kind == "status" and self.brief.updates):
                continue  # a post's own text repeats its updates
            weight = VENDOR_WORDS_WEIGHT if doc.kind != "news" else 1.0
            candidates += [sentences.Candidate(doc.ref, s, _with_substance(weight, s)) for s in self.quotable(doc)]
        picked = sentences.central_sentences(candidates, IMPACT_QUOTES)
        statements = []
        for candidate in picked:
            self.quoted.add(candidate.text)
            doc = self.brief.source(candidate.ref)
            statements.append(Statement(f"{_quoted(candidate.text)} ({doc.publisher})", (candidate.ref,),
                                        kind="impact"))
        return statements

    def _workaround(self) -> Statement | None:
        for doc in self._by_authority():
            found = sentences.find_workaround(sentences.plain_text(doc.text))
            if found:
                found = FIELD_LABEL.sub("", found)
            if found and found not in self.quoted:
                self.quoted.add(found)
                return Statement(f"Workaround: {_quoted(found)} ({doc.publisher})", (doc.ref,), kind="workaround")
        return None

    def _history(self) -> Statement | None:
        b = self.brief
        if not b.related:
            return self._history_in_sources()
        described = []
        for related in b.related[:3]:
            length = f", {format_duration(related.resolved_at - related.started_at)}" if related.resolved_at else ""
            described.append(f"{_shortened(related.title)} ({format_time(related.started_at, b.as_of)}{length})")
        text = f"Earlier {b.history_subject} incidents in the last {RELATED_WINDOW_DAYS} days: {'; '.join(described)}."
        return Statement(text, tuple(r.ref for r in b.related[:3]), kind="history",
                         links=tuple((r.title, r.slug) for r in b.related[:3]))

    def _history_in_sources(self) -> Statement | None:
        """Earlier incidents as a source recounts them ("In April it also went down"), when we
        hold none of our own: the earlier-incidents line, never a takeaway about this one."""
        for doc in self._by_authority():
            if doc.is_copy:
                continue
            for sentence in sentences.split_sentences(sentences.plain_text(doc.text)):
                if (sentences.is_about_earlier_incidents(sentence) and sentences.names_an_outage(sentence)
                        and sentences.is_quotable(sentence) and sentence not in self.quoted):
                    self.quoted.add(sentence)
                    return Statement(f"Earlier incidents, as {doc.publisher} recounts: {_quoted(sentence)}",
                                     (doc.ref,), kind="history")
        return None

    def _coverage(self) -> Statement:
        b = self.brief
        # One source per publisher named, so each name is backed by a source it published.
        by_publisher = {}
        for doc in b.sources:
            if not doc.is_copy:
                by_publisher.setdefault(doc.outlet, doc)
        named = list(by_publisher.values())[:COVERAGE_PUBLISHERS]
        first = min(b.sources, key=lambda s: s.published_at)
        text = (f"Sources so far: {join_words([d.publisher for d in named])}; first report at "
                f"{format_time(first.published_at, b.as_of)} ({first.publisher}).")
        return Statement(text, tuple(dict.fromkeys([first.ref, *(d.ref for d in named)])), kind="coverage")


def _with_substance(weight: float, sentence: str) -> float:
    return weight * (1 + SUBSTANCE_WEIGHT * sentences.substance(sentence))


def _where(brief: IncidentBrief, limit: int) -> str:
    """" in Frankfurt and Paris", " worldwide", or nothing when no region is known."""
    named = brief.regions_named(limit)
    if not named:
        return ""
    return f" {named}" if brief.is_global else f" in {named}"


# A sentence that names what caused an outage.
ROOT_CAUSE_WORDS = re.compile(
    r"\b(?:root cause|caused by|was caused|the cause|triggered by|was triggered|due to|result of|because of|"
    r"(?:a|the) (?:bug|defect|misconfiguration|configuration change|faulty|failure in))\b", re.IGNORECASE)


def _quoted(sentence: str) -> str:
    """In double quotes, or single ones when the sentence quotes someone itself."""
    if any(mark in sentence for mark in '"“”'):
        return f"{LEFT_SINGLE_QUOTE}{sentence}{RIGHT_SINGLE_QUOTE}"
    return f"“{sentence}”"


def _shortened(title: str, limit: int = 100) -> str:
    """A long title cut at a word, so a list of them stays readable."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _folded(doc: SourceDoc) -> str:
    return f"{doc.title}\n{doc.text}".casefold()
