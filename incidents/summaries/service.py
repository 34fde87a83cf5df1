"""Incident summaries, the Django side: build an incident's brief from the database, write its
summary with the configured backend, check it, and keep every version.

The LLM backend's answer is used only when faithfulness.py finds every claim in the cited sources
or the facts; otherwise the offline backend writes it and the reason is logged and kept on the
version. A summary an editor has locked is never replaced. Changes to an incident mark its summary
due (debounced); beat hands due incidents to workers (tasks.py), and `fetch_sources --sync` writes
them before it returns.
"""

import hashlib
import logging
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from articles.models import Article, Source, StatusUpdate
from incidents.catalogue_store import current_catalogue
from incidents.clustering.signals import window_around
from incidents.models import Incident, Membership, Severity, Summary
from incidents.summaries import offline
from incidents.summaries.brief import (
    RELATED_WINDOW_DAYS,
    IncidentBrief,
    RelatedIncident,
    ServiceInfo,
    SourceDoc,
    Statement,
    missing_parts,
)
from incidents.summaries.brief import Summary as WrittenSummary
from incidents.summaries.faithfulness import unsupported_claims
from incidents.summaries.llm import LLMConfig, LLMError, LLMSummariser
from incidents.summaries.timing import summary_due_at

log = logging.getLogger(__name__)

MAX_RELATED = 5

# --- the brief: an incident as the summary backends see it ----------------------------------------


def brief_for(incident: Incident, now: datetime | None = None) -> IncidentBrief:
    """The incident's facts and every citable source, in a fixed number of queries."""
    now = now or timezone.now()
    members = list(
        Membership.objects.filter(incident=incident)
        .select_related("article__facts", "article__source")
        .order_by("article__published_at", "article_id")
    )
    status_ids = [m.article_id for m in members if m.article.kind == Article.Kind.STATUS]
    updates: dict[int, list[StatusUpdate]] = {}
    for update in StatusUpdate.objects.filter(article_id__in=status_ids).order_by("posted_at", "id"):
        updates.setdefault(update.article_id, []).append(update)

    services = list(incident.services.select_related("vendor"))
    service_names = {service.slug: service.name for service in services}
    sources: list[SourceDoc] = []
    for member in members:
        sources += _docs_of(member, updates.get(member.article_id, []), service_names)
    sources.sort(key=lambda s: s.published_at)

    vendor = incident.vendor
    news_times = [s.published_at for s in sources if s.kind == "news"]
    related, related_count = _related(incident, services)
    first_press = min(news_times, default=None)
    return IncidentBrief(
        title=incident.title,
        status=incident.status,
        severity=incident.get_severity_display(),
        vendor_severity=incident.vendor_severity,
        started_at=incident.started_at,
        first_reported_at=incident.first_reported_at,
        resolved_at=incident.resolved_at,
        vendor_acknowledged_at=incident.vendor_acknowledged_at,
        acknowledged_in=f"article:{incident.acknowledged_in_id}" if incident.acknowledged_in_id else "",
        post_incident_report=f"article:{incident.post_incident_report_id}" if incident.post_incident_report_id else "",
        first_press_at=first_press,
        as_of=now,
        vendor=vendor.name if vendor else "",
        vendor_description=vendor.description if vendor else "",
        # The incident's own subject is a headline's salient word, kept for incidents of no known vendor.
        subject=_named_subject(members) or ("" if vendor else incident.subject),
        services=tuple(ServiceInfo(s.name, s.description, s.vendor.name) for s in services),
        region_labels=tuple(incident.regions),
        vendor_incident_ids=tuple(incident.vendor_incident_ids),
        error_messages=tuple(incident.error_messages),
        vendor_status_page_watched=bool(
            vendor and first_press and not incident.vendor_acknowledged_at
            and Source.objects.filter(vendor_name=vendor.name, enabled=True, last_success_at__gt=first_press).exists()
        ),
        related=tuple(related),
        related_count=related_count,
        sources=tuple(sources),
    )


def _named_subject(members: list[Membership]) -> str:
    """What most of the reports say is down when it is a name the catalogue does not know ("Chromecast"
    in reports that also name Google): the affected thing, rather than its whole vendor. "" otherwise."""
    said = Counter((facts.subject, facts.subject_name) for m in members
                   if (facts := getattr(m.article, "facts", None)) is not None and facts.subject)
    if not said:
        return ""
    (subject, name), count = said.most_common(1)[0]
    return name if subject.startswith("name:") and count * 2 > sum(said.values()) else ""


def _docs_of(member: Membership, updates: list[StatusUpdate], service_names: dict[str, str]) -> list[SourceDoc]:
    """A news article is one source; a status post is one, and each of its updates another. Each
    carries what extraction found in it, services by name (`service_names`: slug → name)."""
    article = member.article
    facts = getattr(article, "facts", None)
    found = {
        "incident_ids": tuple(facts.incident_ids) if facts else (),
        "error_messages": tuple(facts.error_messages) if facts else (),
        "region_labels": tuple(facts.regions) if facts else (),
        "service_names": tuple(service_names[slug] for slug in facts.services if slug in service_names)
        if facts else (),
        "vendor_names": (article.vendor_name,) if article.vendor_name else (),
    }
    kind = "news" if article.kind == Article.Kind.NEWS else "status"
    status = article.vendor_status if kind == "status" else (facts.status if facts else "")
    doc = SourceDoc(
        ref=f"article:{article.pk}", kind=kind, publisher=article.source.name, title=article.title,
        text=article.body_text or article.summary_text, published_at=article.published_at,
        url=article.url, status=status or "", is_copy=member.duplicate_of_id is not None, **found,
    )
    docs = [doc]
    for update in updates:
        docs.append(SourceDoc(
            ref=f"update:{update.pk}", kind="update", publisher=article.source.name, title=article.title,
            text=update.text, published_at=update.posted_at, url=article.url, status=update.status,
            incident_ids=tuple(i for i in found["incident_ids"] if i in update.text or i == article.vendor_incident_id),
            error_messages=tuple(e for e in found["error_messages"] if e in update.text),
            vendor_names=found["vendor_names"],
        ))
    return docs


def _related(incident: Incident, services: list) -> tuple[list[RelatedIncident], int]:
    """The most recent earlier incidents of the same service (of the vendor, when several services
    are down) within the window, each with one source to cite, and how many there are in all."""
    window_start, _ = window_around(incident.started_at, timedelta(days=RELATED_WINDOW_DAYS))  # year 1 too
    earlier = Incident.objects.exclude(pk=incident.pk).exclude(severity=Severity.MAINTENANCE).filter(
        started_at__gte=window_start, started_at__lt=incident.started_at)
    if len(services) == 1:
        earlier = earlier.filter(services=services[0])
    elif incident.vendor_id:
        earlier = earlier.filter(vendor_id=incident.vendor_id)
    else:
        return [], 0
    first_source = (Membership.objects.filter(incident=OuterRef("pk"))
                    .order_by("article__published_at").values("article_id")[:1])
    count = earlier.count()
    rows = list(earlier.annotate(source_id=Subquery(first_source))
                .order_by("-started_at").values("slug", "title", "started_at", "resolved_at", "source_id")
                [:MAX_RELATED]) if count else []
    articles = Article.objects.only("title", "body_text", "summary_text").in_bulk(
        [r["source_id"] for r in rows if r["source_id"]])
    related = []
    for row in rows:
        article = articles.get(row["source_id"])
        if article is None:
            continue
        related.append(RelatedIncident(
            slug=row["slug"], title=row["title"], started_at=row["started_at"], resolved_at=row["resolved_at"],
            ref=f"article:{article.pk}", ref_text=f"{article.title}\n{article.body_text or article.summary_text}",
        ))
    return related, count


def fingerprint(brief: IncidentBrief) -> str:
    """What the summary was written from, without the moment it was written."""
    stable = replace(brief, as_of=datetime(2000, 1, 1, tzinfo=UTC))
    return hashlib.sha256(repr(stable).encode()).hexdigest()


# --- writing -------------------------------------------------------------------------------------------


def llm_backend() -> LLMSummariser | None:
    if settings.OUTAGEHUB_SUMMARY_BACKEND != "llm":
        return None
    return LLMSummariser(LLMConfig(
        base_url=settings.OUTAGEHUB_LLM_BASE_URL, model=settings.OUTAGEHUB_LLM_MODEL,
        api_key=settings.OUTAGEHUB_LLM_API_KEY, timeout_seconds=settings.OUTAGEHUB_LLM_TIMEOUT,
    ))


def compose(brief: IncidentBrief, incident_label: str = "") -> WrittenSummary:
    """The configured backend's summary if it checks out, else the offline one, with the reason."""
    catalogue = current_catalogue()
    notes: list[str] = []
    llm = llm_backend()
    if llm is not None:
        try:
            answer = llm.summarise(brief)
        except LLMError as exc:
            notes.append(f"LLM answer not used: {exc}")
        else:
            problems = missing_parts(answer) + [str(c) for c in unsupported_claims(answer, brief, catalogue)]
            if not problems:
                return answer
            notes.append("LLM answer not used, it failed the faithfulness check: " + "; ".join(problems[:5]))
        log.warning("summary of %s: %s. Writing the offline summary instead.", incident_label, notes[-1])
    summary = offline.summarise(brief)
    unsupported = unsupported_claims(summary, brief, catalogue)
    if unsupported:  # a defect of the offline writer: check_summaries reports it too
        log.error("offline summary of %s has unsupported claims: %s", incident_label,
                  "; ".join(str(c) for c in unsupported))
    return replace(summary, notes=tuple(notes))


def write_summary(incident_id: int, *, force: bool = False, now: datetime | None = None) -> str:
    """Write a new version of the incident's summary: written, unchanged (same facts and sources),
    locked (an editor's), missing, or empty (no sources left: a fragment merged into another)."""
    incident = Incident.objects.select_related("vendor", "summary").filter(pk=incident_id).first()
    if incident is None:
        return "missing"
    if incident.summary_locked:
        return "locked"
    brief = brief_for(incident, now)
    if not brief.sources:
        return "empty"
    brief_hash = fingerprint(brief)
    if not force and incident.summary and incident.summary.brief_fingerprint == brief_hash:
        return "unchanged"
    summary = compose(brief, f"incident {incident.slug}")  # outside the transaction: an LLM may be slow
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if incident.summary_locked:  # an editor locked it while we were writing
            return "locked"
        version = (incident.summaries.aggregate(v=Max("version"))["v"] or 0) + 1
        incident.summary = Summary.objects.create(
            incident=incident, version=version,
            why_this_matters=[s.to_json() for s in summary.why_this_matters],
            takeaways=[s.to_json() for s in summary.takeaways],
            enough_information=summary.enough_information, backend=summary.backend,
            notes=list(summary.notes), brief_fingerprint=brief_hash, created_at=brief.as_of,
        )
        incident.save(update_fields=["summary", "updated_at"])
    return "written"


def stored_summary(row: Summary) -> WrittenSummary:
    return WrittenSummary(
        why_this_matters=tuple(Statement.from_json(s) for s in row.why_this_matters),
        takeaways=tuple(Statement.from_json(s) for s in row.takeaways),
        enough_information=row.enough_information, backend=row.backend, notes=tuple(row.notes),
    )


# --- when: debounced marks, leased to workers ------------------------------------------------------------


def due_time(now: datetime | None = None, last_written: datetime | None = None) -> datetime:
    """When the summary of an incident changed `now`, whose current version was written at
    `last_written` (None: it has none), falls due (timing.summary_due_at)."""
    return summary_due_at(now or timezone.now(), last_written, timedelta(seconds=settings.OUTAGEHUB_SUMMARY_DEBOUNCE))


def mark_due(incident_id: int, now: datetime | None = None) -> None:
    """The incident changed: rewrite its summary soon, at most once per debounce (timing.py). An
    earlier due time stands, so a stream of changes still gets a summary within one delay of the first."""
    last_written = Summary.objects.filter(pk=Subquery(Incident.objects.filter(pk=incident_id).values("summary_id"))
                                          ).values_list("created_at", flat=True).first()
    due = due_time(now, last_written)
    (Incident.objects.filter(pk=incident_id)
     .filter(Q(summary_due_at__isnull=True) | Q(summary_due_at__gt=due))
     .update(summary_due_at=due))


def due_after_change(due: datetime) -> Case:
    """What mark_due sets, given its due time (due_time), as an expression for summary_due_at in an
    UPDATE the caller runs anyway (the pipeline saves the incident it changed with it: one query fewer
    per article)."""
    return Case(When(Q(summary_due_at__isnull=True) | Q(summary_due_at__gt=due),
                     then=Value(due, output_field=DateTimeField())), default=F("summary_due_at"))


def lease_due(limit: int = 200, now: datetime | None = None) -> list[tuple[int, datetime]]:
    """Incidents whose summary is due, each leased by a conditional UPDATE so no two workers (or two
    beats) take it; a lease that is never finished falls due again when it runs out."""
    now = now or timezone.now()
    # A lease outlives any write (OUTAGEHUB_REDELIVER_AFTER > the task time limit): a lost message is
    # taken again once it runs out, a running write never is.
    lease_until = now + timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER)
    leased = []
    for pk, due in Incident.objects.filter(summary_due_at__lte=now).order_by("summary_due_at")[:limit].values_list(
            "pk", "summary_due_at"):
        if Incident.objects.filter(pk=pk, summary_due_at=due).update(summary_due_at=lease_until):
            leased.append((pk, lease_until))
    return leased


def finish_due(incident_id: int, lease: datetime | None) -> None:
    """Clear the due mark, unless a change arrived meanwhile (then the mark moved and stays)."""
    Incident.objects.filter(pk=incident_id, summary_due_at=lease).update(summary_due_at=None)


def write_due_summary(incident_id: int, lease: datetime | None) -> str:
    outcome = write_summary(incident_id)
    finish_due(incident_id, lease)
    return outcome


def write_all_due(now: datetime | None = None) -> Counter:
    """Write every due summary now, whatever its debounce (fetch_sources --sync)."""
    outcomes: Counter = Counter()
    horizon = (now or timezone.now()) + timedelta(seconds=settings.OUTAGEHUB_SUMMARY_DEBOUNCE + 1)
    for pk, lease in lease_due(limit=100_000, now=horizon):
        outcomes[write_due_summary(pk, lease)] += 1
    return outcomes
