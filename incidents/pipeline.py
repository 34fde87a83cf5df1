"""From a stored article to its place in an incident: extract, decide, cluster, refresh.

The Django layer around the pure modules (extraction, clustering, lifecycle). Safe to run twice
or from many workers: an unchanged article is skipped, and assignment happens under one lock so
two workers never open two incidents for one event.
"""

import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from articles.items import VendorStatus
from articles.models import Article, StatusUpdate

from . import clustering, exclusions, lifecycle, regions
from .catalogue_store import current_catalogue
from .extraction import Facts, extract
from .models import (
    ArticleFacts,
    ExclusionRule,
    Incident,
    IncidentKey,
    IncidentRegion,
    Membership,
    Service,
    Vendor,
)
from .search_index import index_articles
from .summaries import mark_due

log = logging.getLogger(__name__)

# How many candidate incidents are scored for one article: the ones sharing most keys.
MAX_CANDIDATES = 20
# Any constant: the key of the PostgreSQL advisory lock that serialises assignment.
ASSIGNMENT_LOCK_ID = 0x0D7A6E


@dataclass(frozen=True)
class Outcome:
    article_id: int
    action: str  # unchanged, not_relevant, refreshed, joined, opened
    incident_id: int | None = None


# --- one article ----------------------------------------------------------------------------------


def article_time(article: Article) -> datetime | None:
    """The article's own date; None when the source gave none (undated text must not be placed in time)."""
    return None if article.published_is_fetch_time else article.published_at


def process_article(article_id: int, assume_outage: bool = False) -> Outcome:
    """0. put it in the search index  1. extract facts (skip if the article has not changed since)
    2. an article already placed refreshes its incident  3. not an outage: stop  4. otherwise join or
    open an incident.

    assume_outage skips the relevance decision (cluster_eval --all-relevant, for event data
    that is not about outages)."""
    article = (Article.objects.select_related("facts", "membership__incident", "exclusion")
               .filter(pk=article_id).first())
    if article is None:
        return Outcome(article_id, "missing")
    index_articles([article_id])  # searchable whatever follows: excluded or not about an outage too
    if getattr(article, "exclusion", None) is not None:  # an editor took it out of clustering
        return Outcome(article_id, "excluded")
    stored = getattr(article, "facts", None)
    membership = getattr(article, "membership", None)
    if stored is not None and stored.content_hash == article.content_hash and (
        membership or not _belongs_in_an_incident(article, stored.is_outage, assume_outage)
    ):
        return Outcome(article_id, "unchanged", membership.incident_id if membership else None)

    # Facts are saved in the same transaction as what follows from them: if placing the article
    # fails, it keeps no current facts, so unprocessed_articles() finds it and a later run retries it.
    facts = extract_facts(article)
    if membership is not None:
        with transaction.atomic():
            save_facts(article, facts)
            refresh_incident(Incident.objects.select_for_update().get(pk=membership.incident_id))
        return Outcome(article_id, "refreshed", membership.incident_id)
    if not _belongs_in_an_incident(article, facts.is_outage, assume_outage):
        save_facts(article, facts)
        return Outcome(article_id, "not_relevant")
    rule = matching_exclusion_rule(article, facts)
    if rule is not None:
        save_facts(article, facts, evidence=[*facts.relevance.evidence, f"excluded by editor rule #{rule.pk}: {rule}"])
        return Outcome(article_id, "excluded_by_rule")
    return assign(article, facts)


def unprocessed_articles(source_ids: list[int]) -> QuerySet[Article]:
    """The sources' articles that process_article has not handled as they now are: no facts, or
    facts of an older version (new, changed, or their processing failed). Excluded ones are done."""
    current = ArticleFacts.objects.filter(article=OuterRef("pk"), content_hash=OuterRef("content_hash"))
    return Article.objects.filter(source_id__in=source_ids, exclusion__isnull=True).exclude(Exists(current))


def matching_exclusion_rule(article: Article, facts: Facts) -> ExclusionRule | None:
    """The editor's rule (from a "not an outage") that covers this news article, if any. A vendor's
    own status post is never excluded by a rule."""
    if article.kind != Article.Kind.NEWS:
        return None
    for rule in ExclusionRule.objects.filter(active=True).select_related("vendor"):
        if exclusions.rule_matches(rule.terms, rule.vendor.slug if rule.vendor else None, article.title,
                                   set(facts.vendors)):
            return rule
    return None


def _belongs_in_an_incident(article: Article, is_outage: bool, assume_outage: bool) -> bool:
    """News must report an outage. A vendor's own status post always makes (or joins) an incident:
    planned maintenance too, shown as maintenance, since it takes services down all the same."""
    return is_outage or assume_outage or article.kind == Article.Kind.STATUS


def extract_facts(article: Article) -> Facts:
    return extract(
        article.title,
        article.body_text or article.summary_text or "\n".join(u.text for u in article.updates.all()),
        article.published_at,
        current_catalogue(),
        is_status_post=article.kind == Article.Kind.STATUS,
        source_vendor=article.vendor_name,
        known_incident_id=article.vendor_incident_id,
    )


def save_facts(article: Article, facts: Facts, evidence: list[str] | None = None) -> None:
    ArticleFacts.objects.update_or_create(article=article, defaults={
        "is_outage": facts.is_outage,
        "relevance_score": facts.relevance.score,
        "evidence": list(facts.relevance.evidence) if evidence is None else evidence,
        "vendors": list(facts.vendors),
        "services": list(facts.services),
        "incident_ids": list(facts.incident_ids),
        "error_messages": list(facts.error_messages),
        "regions": facts.region_labels,
        "times": facts.time_records,
        "status": facts.status or "",
        "impacts": [impact.label for impact in facts.impacts],
        "content_hash": article.content_hash,
        "extracted_at": timezone.now(),
    })


def signals_of(article: Article, facts: Facts | ArticleFacts) -> clustering.ArticleSignals:
    """Clustering signals from an article and its facts, fresh (Facts) or as stored (ArticleFacts)."""
    region_labels = facts.region_labels if isinstance(facts, Facts) else facts.regions
    return clustering.signals(
        str(article.pk),
        article.title,
        article.body_text or article.summary_text,
        article_time(article),
        vendors=facts.vendors,
        services=facts.services,
        incident_ids=facts.incident_ids,
        error_messages=facts.error_messages,
        regions=region_labels,
        is_status_post=article.kind == Article.Kind.STATUS,
        vendor_incident_id=article.vendor_incident_id,
    )


@contextmanager
def assignment_lock():
    """One assignment at a time. SQLite's IMMEDIATE transactions already take the write lock at
    BEGIN; PostgreSQL takes a transaction-scoped advisory lock."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK_ID])
        yield


def candidates_for(keys: set[str], when: datetime | None) -> list[Incident]:
    """Incidents sharing the most keys with the article, seen within the time window. Uses the
    (key, last_seen_at) index, so the cost does not grow with the archive."""
    if when is None:
        lookup = IncidentKey.objects.filter(key__in=keys)
    else:
        # Each kind of key has its own window: a vendor incident id is looked up further back.
        windows: dict = {}
        for key in keys:
            windows.setdefault(clustering.key_window(key), []).append(key)
        match = Q()
        for window, some_keys in windows.items():
            low, high = clustering.window_around(when, window)
            match |= Q(key__in=some_keys, last_seen_at__gte=low, last_seen_at__lte=high)
        lookup = IncidentKey.objects.filter(match)
    best = (lookup.values("incident").annotate(shared=Count("pk")).order_by("-shared", "-incident")
            .values_list("incident", flat=True)[:MAX_CANDIDATES])
    return list(Incident.objects.filter(pk__in=list(best)).only("pk", "profile"))


def assign(article: Article, facts: Facts) -> Outcome:
    signals = signals_of(article, facts)
    keys = clustering.retrieval_keys(signals)
    when = article_time(article)
    with assignment_lock():
        save_facts(article, facts)
        if Membership.objects.filter(article=article).exists():  # another worker placed it meanwhile
            return Outcome(article.pk, "unchanged")
        profiles = {c.pk: clustering.IncidentProfile.from_dict(c.profile) for c in candidates_for(keys, when)}
        decision = clustering.choose(signals, list(profiles.items()))
        if decision.incident is None:
            incident = open_incident(article, facts)
            profile, action = None, "opened"
        else:
            incident = Incident.objects.get(pk=decision.incident)
            profile, action = profiles[decision.incident], "joined"
        duplicate_of = clustering.duplicate_member(signals, profile) if profile else None
        incident.profile = clustering.absorb(profile, signals).to_dict()
        incident.save(update_fields=["profile"])
        Membership.objects.create(
            article=article, incident=incident,
            score=decision.score.total if decision.score else None,
            score_parts=decision.score.parts if decision.score else {},
            duplicate_of_id=int(duplicate_of) if duplicate_of else None,
        )
        remember_keys(incident, keys, when or timezone.now())
        refresh_incident(incident)
    return Outcome(article.pk, action, incident.pk)


def open_incident(article: Article, facts: Facts) -> Incident:
    """A new incident, keyed from the article itself when the catalogue does not know what is down."""
    when = article.published_at
    subject = "" if facts.vendors else clustering.subject_of(article.title)
    incident = Incident.objects.create(
        slug=_unique_slug(article.title, when), title=article.title[:300], subject=subject[:120],
        started_at=when, first_reported_at=when, last_activity_at=when,
    )
    return incident


def _unique_slug(title: str, when: datetime) -> str:
    base = f"{when:%Y-%m-%d}-{slugify(title)[:100]}".strip("-")
    slug, n = base, 1
    while Incident.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def remember_keys(incident: Incident, keys: set[str], when: datetime) -> None:
    existing = set(IncidentKey.objects.filter(incident=incident, key__in=keys).values_list("key", flat=True))
    IncidentKey.objects.filter(incident=incident, key__in=existing, last_seen_at__lt=when).update(last_seen_at=when)
    IncidentKey.objects.bulk_create([IncidentKey(incident=incident, key=k[:200], last_seen_at=when)
                                     for k in keys - existing])


def rebuild_from_members(incident: Incident) -> None:
    """Profile and retrieval keys again from the incident's members, after an editor moved sources
    in or out (merge, split, pin, exclude), so clustering sees the incident as it now is."""
    members = list(Membership.objects.filter(incident=incident).select_related("article__facts")
                   .order_by("article__published_at", "article_id"))
    profile, keys = None, {}
    for member in members:
        article = member.article
        stored = getattr(article, "facts", None)
        signals = signals_of(article, stored if stored is not None else extract_facts(article))
        profile = clustering.absorb(profile, signals)
        when = article_time(article) or article.first_seen_at
        for key in clustering.retrieval_keys(signals):
            keys[key[:200]] = max(keys.get(key[:200], when), when)
    incident.profile = profile.to_dict() if profile else {}
    incident.save(update_fields=["profile"])
    IncidentKey.objects.filter(incident=incident).delete()
    IncidentKey.objects.bulk_create([IncidentKey(incident=incident, key=key, last_seen_at=when)
                                     for key, when in keys.items()])
    refresh_incident(incident)


# --- the incident as a whole --------------------------------------------------------------------


def refresh_incident(incident: Incident) -> None:
    """Recompute what an incident says from all its members: lifecycle, vendor, services, regions,
    ids, error messages and source counts."""
    members = list(
        Membership.objects.filter(incident=incident)
        .select_related("article", "article__facts")
        .order_by("article__published_at")
    )
    if not members:
        return
    articles = [m.article for m in members]
    facts = [getattr(a, "facts", None) for a in articles]
    updates_by_article: dict[int, list[StatusUpdate]] = {}
    for update in StatusUpdate.objects.filter(article__in=[a for a in articles if a.kind == Article.Kind.STATUS]):
        updates_by_article.setdefault(update.article_id, []).append(update)

    posts = [
        lifecycle.StatusPost(
            published_at=a.published_at,
            status=VendorStatus(a.vendor_status) if a.vendor_status else None,
            impact=a.impact,
            started_at=a.started_at,
            resolved_at=a.resolved_at,
            updates=tuple(lifecycle.PostUpdate(u.posted_at, VendorStatus(u.status))
                          for u in updates_by_article.get(a.pk, [])),
        )
        for a in articles if a.kind == Article.Kind.STATUS
    ]
    news = [
        lifecycle.NewsReport(published_at=a.published_at, says_resolved=bool(f and f.status == "resolved"))
        for a, f in zip(articles, facts, strict=True) if a.kind == Article.Kind.NEWS
    ]
    life = lifecycle.derive(posts, news)

    vendor_votes = Counter(slug for f in facts if f for slug in f.vendors)
    status_vendors = {a.vendor_name for a in articles if a.kind == Article.Kind.STATUS and a.vendor_name}
    vendor = _pick_vendor(vendor_votes, status_vendors)
    service_slugs = {slug for f in facts if f for slug in f.services}

    # What an editor set stays as the editor set it, until the override is cleared.
    overridden = set(incident.overridden_fields)
    if "status" not in overridden:
        incident.status = life.status
    incident.started_at = life.started_at
    incident.resolved_at = life.resolved_at
    incident.first_reported_at = life.first_reported_at
    incident.vendor_acknowledged_at = life.vendor_acknowledged_at
    if "severity" not in overridden:
        incident.severity = life.severity
    incident.vendor_severity = life.vendor_severity
    if "vendor" not in overridden:
        incident.vendor = vendor
    if "regions" not in overridden:
        incident.regions = _union([f.regions for f in facts if f]
                                  + [location_labels(a.locations) for a in articles])
    incident.vendor_incident_ids = _union([f.incident_ids for f in facts if f]
                                          + [[a.vendor_incident_id] for a in articles if a.vendor_incident_id])
    incident.error_messages = _union([f.error_messages for f in facts if f])
    incident.news_count = sum(1 for m in members if m.article.kind == Article.Kind.NEWS and not m.duplicate_of_id)
    incident.status_count = len(posts)
    incident.last_activity_at = max(a.last_changed_at for a in articles)
    if posts and "title" not in overridden:  # the vendor's own title names the incident once it has posted
        incident.title = next(a for a in articles if a.kind == Article.Kind.STATUS).title[:300]
    # Only what is derived here: the summary fields belong to summaries.py and editors, and may
    # have changed since this row was read.
    incident.save(update_fields=DERIVED_FIELDS)
    if "services" not in overridden and service_slugs != set(incident.services.values_list("slug", flat=True)):
        incident.services.set(Service.objects.filter(slug__in=service_slugs))
    index_regions(incident)
    mark_due(incident.pk)


def index_regions(incident: Incident) -> None:
    """Keep IncidentRegion (the region filter's index) equal to the incident's regions and their ancestors."""
    covered = {ancestor for label in incident.regions for ancestor in regions.expand(label)}
    indexed = set(IncidentRegion.objects.filter(incident=incident).values_list("label", flat=True))
    if covered != indexed:
        IncidentRegion.objects.filter(incident=incident, label__in=indexed - covered).delete()
        IncidentRegion.objects.bulk_create([IncidentRegion(incident=incident, label=label)
                                            for label in covered - indexed])


DERIVED_FIELDS = [
    "status", "started_at", "resolved_at", "first_reported_at", "vendor_acknowledged_at", "severity",
    "vendor_severity", "vendor", "regions", "vendor_incident_ids", "error_messages", "news_count", "status_count",
    "last_activity_at", "title", "updated_at",
]


def location_labels(locations: list[str]) -> list[str]:
    """A status post's locations as the vendor wrote them ("Frankfurt (europe-west3)", "us-east-1",
    "US East (N. Virginia)"), in the one region vocabulary; names it does not know are left out."""
    return [region.label for location in locations for region in regions.find_regions(location)]


def _pick_vendor(votes: Counter, status_vendor_names: set[str]) -> Vendor | None:
    if status_vendor_names:
        named = Vendor.objects.filter(name__in=status_vendor_names).first()
        if named:
            return named
    if not votes:
        return None
    return Vendor.objects.filter(slug=votes.most_common(1)[0][0]).first()


def _union(lists) -> list:
    seen: dict = {}
    for values in lists:
        for value in values or ():
            if value:
                seen.setdefault(value, None)
    return list(seen)
