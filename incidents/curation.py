"""Curation: what an editor does to incidents (merge, split, pin, exclude, hide, correct, summaries).

The Django layer under the admin. Every operation
- is atomic: it changes all it says or nothing (a merge that fails halfway leaves every incident as it was);
- runs under the pipeline's assignment lock, so no worker places an article while sources move;
- sets reviewed_at on the incidents it touches and records a Revision on each: who, when, what, the
  values before and after, and a one-line `description` readers see as the incident's history.

The machine never undoes an editor's decision:
- every source an editor moved (merge, split, pin, a hand-made incident, a hidden incident's
  sources) is pinned (Membership.assigned_by = editor): recluster keeps it where the editor put it;
- an excluded article (ArticleExclusion) is never clustered again; a "not an outage" rule stops
  news like it from opening incidents until the editor turns the rule off;
- an overridden field is left alone by refresh_incident until the override is cleared;
- a summary an editor wrote or locked is never replaced by the machine until it is unlocked.

Who may curate is Django's model permissions, checked in admin: incidents.change_incident for
operations on incidents, incidents.add_incident to create one from a tip, articles.change_article
for those started from the article list (exclude, pin, return to clustering).
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from articles.models import Article, StatusUpdate
from incidents import pipeline
from incidents.alerts import service as alerts
from incidents.clustering import exclusions, scoring
from incidents.models import (
    ArticleExclusion,
    ExclusionRule,
    Incident,
    IncidentKey,
    Membership,
    Revision,
    Service,
    Severity,
    Summary,
    Vendor,
)
from incidents.site.filters import region_label
from incidents.summaries.brief import Statement
from incidents.summaries.service import mark_due, write_summary

OVERRIDABLE = ("status", "severity", "title", "services", "regions")
# A machine assignment below the full join threshold got in only on the allowance for small incidents
# (scoring.threshold): worth an editor's look (the review queue).
LOW_CONFIDENCE_BELOW = scoring.JOIN_THRESHOLD
EDITOR = Membership.AssignedBy.EDITOR


class CurationError(ValueError):
    """An operation the editor asked for that cannot be done as asked; the message says why and what to do."""


# --- merge, split, pin, exclude -------------------------------------------------------------------


def merge(survivor: Incident, others: Iterable[Incident], editor) -> Incident:
    """Merge `others` into `survivor`.

    1. every source of every incident is in the survivor, pinned;
    2. the survivor's ids, errors, regions, counts and lifecycle are derived from all of them (its
       own overrides stand; a corrected list of regions or services becomes the union of all); it
       keeps its title (as a correction the editor can clear), which it would otherwise take from
       the earliest vendor post, perhaps another incident's;
    3. the others are hidden with merged_into = survivor (their addresses redirect there), and
       incidents merged into them earlier point at the survivor too; their revisions stay theirs.
    """
    other_ids = sorted({o.pk for o in others} - {survivor.pk})
    if not other_ids:
        raise CurationError("Choose at least one other incident to merge into the survivor.")
    with pipeline.assignment_lock():
        rows = _lock([survivor.pk, *other_ids])
        survivor, merged = rows[survivor.pk], [rows[pk] for pk in other_ids]
        for incident in (survivor, *merged):
            if incident.merged_into_id:
                raise CurationError(f"«{incident.title}» was already merged into another incident; merge that one.")
        # A list an editor corrected on any of them stays corrected on the survivor: the union of all.
        lists = {field: [value for incident in merged for value in _value(incident, field)]
                 for field in ("regions", "services")}
        corrected = {field for incident in (survivor, *merged) for field in incident.overridden_fields} & set(lists)
        title = survivor.title
        moved = Membership.objects.filter(incident_id__in=other_ids).count()
        Membership.objects.filter(incident_id__in=other_ids).update(incident=survivor)
        _pin(survivor.pk)
        Incident.objects.filter(merged_into_id__in=other_ids).update(merged_into=survivor)
        IncidentKey.objects.filter(incident_id__in=other_ids).delete()
        now = timezone.now()
        Incident.objects.filter(pk__in=other_ids).update(
            hidden=True, merged_into=survivor, profile={}, tally={}, news_count=0, status_count=0, summary_due_at=None,
            reviewed_at=now, updated_at=now)
        pipeline.rebuild_from_members(survivor)
        alerts.mark_due([survivor.pk])  # its members carry both ledgers: only what neither announced is sent
        if survivor.title != title:
            _set_override(survivor, "title", title)
        for field in corrected:
            _set_override(survivor, field, _union(_value(survivor, field), lists[field]))
        for incident in merged:
            _record(incident, editor, Revision.Action.MERGE, f"Merged into «{_short(survivor.title)}».",
                    before={"hidden": incident.hidden}, after={"merged_into": survivor.slug}, now=now)
        _record(survivor, editor, Revision.Action.MERGE,
                f"Merged with {_titles(merged)}: their sources are now listed here.",
                before={"merged": [{"slug": i.slug, "title": i.title} for i in merged]},
                after={"sources_moved": moved}, now=now)
    return survivor


def split(incident: Incident, article_ids: Iterable[int], editor, into: Incident | None = None) -> Incident:
    """Move some of an incident's sources into a new incident (into=None) or into an existing one.
    Both sides are pinned, so neither recluster nor a new article joins them back together."""
    wanted = set(article_ids)
    if not wanted:
        raise CurationError("Choose the sources to move.")
    with pipeline.assignment_lock():
        ids = [incident.pk] + ([into.pk] if into else [])
        rows = _lock(ids)
        incident = rows[incident.pk]
        if incident.merged_into_id:
            raise CurationError(f"«{incident.title}» was merged into another incident; split that one instead.")
        members = set(Membership.objects.filter(incident=incident).values_list("article_id", flat=True))
        if not wanted <= members:
            raise CurationError(f"Sources {_ids(wanted - members)} are not in «{incident.title}».")
        if wanted == members:
            raise CurationError("That is every source of the incident: merge it into the other incident instead.")
        if into is not None:
            into = rows[into.pk]
            if into.pk == incident.pk:
                raise CurationError("Choose another incident to move the sources into.")
            if into.merged_into_id:
                raise CurationError(f"«{into.title}» was merged into another incident; move the sources there.")
        else:
            into = _open_for(Article.objects.filter(pk__in=wanted).select_related("facts")
                             .order_by("published_at", "pk").first())
        _move(wanted, into)
        alerts.forget_announced(wanted)  # what they were announced in belongs to the incident they left
        _pin(incident.pk)
        _pin(into.pk)
        pipeline.rebuild_from_members(incident)
        pipeline.rebuild_from_members(into)
        alerts.mark_due([incident.pk, into.pk])
        now = timezone.now()
        count = _sources(len(wanted))
        _record(incident, editor, Revision.Action.SPLIT, f"Split: {count} moved to «{_short(into.title)}».",
                before={"articles": sorted(wanted)}, after={"into": into.slug}, now=now)
        _record(into, editor, Revision.Action.SPLIT, f"Split from «{_short(incident.title)}»: {count} moved here.",
                before={"from": incident.slug}, after={"articles": sorted(wanted)}, now=now)
    return into


def pin_articles(article_ids: Iterable[int], incident: Incident, editor) -> int:
    """Place these articles in the incident and pin them there, whatever the machine thought: from
    another incident, from nowhere, or out of an exclusion. Returns how many moved in."""
    wanted = set(article_ids)
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        if incident.merged_into_id:
            raise CurationError(f"«{incident.title}» was merged into another incident; pin the sources there.")
        _check_articles(wanted)
        already = set(Membership.objects.filter(incident=incident, article_id__in=wanted)
                      .values_list("article_id", flat=True))
        now = timezone.now()
        _bring_in(wanted, incident, editor, now)
        moved_in = len(wanted - already)
        if moved_in:
            _record(incident, editor, Revision.Action.ATTACH, f"{_sources(moved_in).capitalize()} added by an editor.",
                    after={"articles": sorted(wanted - already)}, now=now)
        else:
            _record(incident, editor, Revision.Action.PIN_ARTICLE, f"{_sources(len(wanted)).capitalize()} confirmed "
                    "by an editor.", after={"articles": sorted(wanted)}, now=now)
    return moved_in


def exclude_articles(article_ids: Iterable[int], editor, reason: str = "") -> int:
    """Take articles out of clustering: out of their incidents, and never placed again until an
    editor returns them (include_articles) or pins them. Returns how many were newly excluded."""
    wanted = set(article_ids)
    with pipeline.assignment_lock():
        existing = set(ArticleExclusion.objects.filter(article_id__in=wanted).values_list("article_id", flat=True))
        ArticleExclusion.objects.bulk_create([
            ArticleExclusion(article_id=pk, editor=editor, reason=reason[:300]) for pk in sorted(wanted - existing)])
        members = Membership.objects.filter(article_id__in=wanted)
        titles: dict[int, list[str]] = {}
        for incident_id, title in members.values_list("incident_id", "article__title"):
            titles.setdefault(incident_id, []).append(title)
        _lock(titles)
        members.delete()
        now = timezone.now()
        for donor in Incident.objects.filter(pk__in=titles).order_by("pk"):
            _unlink_copies([donor.pk])
            lost = titles[donor.pk]
            _after_losing_sources(donor, editor, Revision.Action.EXCLUDE_ARTICLE,
                                  f"excluded by an editor{': ' + reason if reason else ''}", now,
                                  example=lost[0] if len(lost) == 1 else "")
    return len(wanted - existing)


def include_articles(article_ids: Iterable[int]) -> int:
    """Undo exclusions: the articles go through the pipeline again, like new ones. Returns how many
    were excluded. (Each one the pipeline places is recorded as usual: a machine placement.)"""
    wanted = sorted(set(article_ids))
    with transaction.atomic():
        count, _ = ArticleExclusion.objects.filter(article_id__in=wanted).delete()
        for article_id in wanted:
            pipeline.process_article(article_id)
    return count


def create_incident(title: str, editor, *, vendor=None, services: Sequence[Service] = (),
                    article_ids: Iterable[int] = ()) -> Incident:
    """An incident an editor makes from a tip, with the sources they attach (pinned). Its title and
    the services given are the editor's (overrides); the rest is derived from the sources."""
    title = title.strip()
    if not title:
        raise CurationError("Give the incident a title.")
    wanted = set(article_ids)
    with pipeline.assignment_lock():
        _check_articles(wanted)
        now = timezone.now()
        when = Article.objects.filter(pk__in=wanted).order_by("published_at").values_list(
            "published_at", flat=True).first() or now
        incident = Incident.objects.create(
            slug=pipeline._unique_slug(title, when), title=title[:300], vendor=vendor, started_at=when,
            first_reported_at=when, last_activity_at=when,
            overridden_fields=["title", *(["vendor"] if vendor else []), *(["services"] if services else [])])
        incident.services.set(services)
        _bring_in(wanted, incident, editor, now)
        _record(incident, editor, Revision.Action.CREATE, "Created by an editor from a tip.",
                after={"title": incident.title, "articles": sorted(wanted)}, now=now)
    return incident


# --- publish, hide, not an outage, reviewed --------------------------------------------------------


def hide(incident: Incident, editor) -> bool:
    """Take it off pages and feeds. Its sources are pinned, so recluster cannot bring them back in a
    visible incident; new articles may still join it (and stay hidden). False if it was hidden."""
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        if incident.hidden:
            return False
        _hide(incident)
        _record(incident, editor, Revision.Action.HIDE, "Hidden by an editor.", before={"hidden": False},
                after={"hidden": True})
    return True


def publish(incident: Incident, editor) -> bool:
    """Back on pages and feeds. False if it was public already."""
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        if incident.merged_into_id:
            raise CurationError(f"«{incident.title}» was merged into another incident: publish that one.")
        if not incident.hidden:
            return False
        incident.hidden = False
        incident.save(update_fields=["hidden", "updated_at"])
        alerts.mark_due([incident.pk])  # hidden, it announced nothing
        _record(incident, editor, Revision.Action.PUBLISH, "Published by an editor.", before={"hidden": True},
                after={"hidden": False})
    return True


def not_an_outage(incident: Incident, editor) -> ExclusionRule | None:
    """Hide the incident and learn from it: an exclusion rule (its vendor, the telling words of its
    news title) stops news like it from opening incidents. Editors see the rule in admin and can turn
    it off. Returns the rule, or None when the title has no word specific enough to make one."""
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        was_hidden = incident.hidden
        _hide(incident)
        news_title = (Membership.objects.filter(incident=incident, article__kind=Article.Kind.NEWS)
                      .order_by("article__published_at").values_list("article__title", flat=True).first())
        names = tuple(incident.services.values_list("name", flat=True))
        if incident.vendor:
            names += (incident.vendor.name, *incident.vendor.aliases)
        terms = exclusions.title_terms(news_title or incident.title, names)
        rule = None
        if terms:
            rule = (ExclusionRule.objects.filter(vendor=incident.vendor, terms=terms, active=True).first()
                    or ExclusionRule.objects.create(vendor=incident.vendor, terms=terms, from_incident=incident,
                                                    created_by=editor))
        _record(incident, editor, Revision.Action.NOT_AN_OUTAGE, "Marked as not an outage by an editor.",
                before={"hidden": was_hidden},
                after={"hidden": True, "rule": rule.pk if rule else None, "terms": terms})
    return rule


def mark_reviewed(incident: Incident) -> None:
    """The editor looked and agrees: out of the review queue until the incident changes again. Not a
    revision (nothing changed); admin's own log records who did it."""
    Incident.objects.filter(pk=incident.pk).update(reviewed_at=timezone.now())


# --- corrections -----------------------------------------------------------------------------------


def override(incident: Incident, field: str, value, editor) -> bool:
    """Set a field (status, severity, title, services, regions) as the editor says; the pipeline
    leaves it alone until clear_override. Services are Service rows or ids, regions region names.
    False if the field was already overridden with this value."""
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        after = checked_value(field, value)
        before = _value(incident, field)
        if field in incident.overridden_fields and before == after:
            return False
        _set_override(incident, field, after)
        mark_due(incident.pk)  # the summary should say what the editor says
        _record(incident, editor, Revision.Action.OVERRIDE, f"{_label(field)} corrected to {_shown(field, after)}.",
                before={field: before}, after={field: after})
    return True


def clear_override(incident: Incident, field: str, editor) -> bool:
    """Let the pipeline derive the field again, now. False if it was not overridden."""
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        if field not in incident.overridden_fields:
            return False
        before = _value(incident, field)
        incident.overridden_fields = [f for f in incident.overridden_fields if f != field]
        incident.save(update_fields=["overridden_fields", "updated_at"])
        if field == "title":
            # refresh_incident names an incident after the vendor's post; without one the pipeline's
            # title is its first report's, as when the incident was opened.
            first = (Membership.objects.filter(incident=incident).order_by("article__published_at", "article_id")
                     .values_list("article__title", flat=True).first())
            if first:
                incident.title = first[:300]
                incident.save(update_fields=["title", "updated_at"])
        pipeline.refresh_incident(incident)
        after = _value(incident, field)
        _record(incident, editor, Revision.Action.CLEAR_OVERRIDE,
                f"{_label(field)} correction removed: now {_shown(field, after)}.",
                before={field: before}, after={field: after})
    return True


# --- summaries -------------------------------------------------------------------------------------


def citable_sources(incident: Incident) -> dict[str, str]:
    """What a summary of this incident may cite: each source ("article:12") and each update of a
    vendor post ("update:34"), with a line saying what it is. Two queries."""
    articles = list(Article.objects.filter(membership__incident=incident).select_related("source")
                    .only("title", "kind", "published_at", "source__name").order_by("published_at", "pk"))
    refs: dict[str, str] = {}
    posts = {a.pk: a for a in articles if a.kind == Article.Kind.STATUS}
    for article in articles:
        refs[f"article:{article.pk}"] = f"{article.source.name}: {article.title}"
    for update in StatusUpdate.objects.filter(article_id__in=posts).order_by("posted_at", "pk"):
        refs[f"update:{update.pk}"] = (f"{posts[update.article_id].source.name}, {update.posted_at:%d %b %H:%M} UTC: "
                                       f"{update.text[:80]}")
    return refs


def edit_summary(incident: Incident, why_this_matters: Sequence[Statement], takeaways: Sequence[Statement],
                 editor) -> Summary:
    """A new summary version in the editor's words, and the summary locked: the machine writes no
    new version until an editor unlocks it. Every citation must name a source of the incident (or
    one the current version already cites, such as an earlier incident's report). A statement the
    editor left as it was keeps its kind and its links to related incidents."""
    if not why_this_matters:
        raise CurationError("Write at least one sentence of “Why this matters”.")
    if any(not s.text.strip() for s in [*why_this_matters, *takeaways]):
        raise CurationError("A statement has no text.")
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        allowed = set(citable_sources(incident))
        current = Summary.objects.filter(pk=incident.summary_id).first()
        if current:
            allowed |= {ref for s in [*current.why_this_matters, *current.takeaways] for ref in s.get("citations", ())}
        unknown = sorted({ref for s in [*why_this_matters, *takeaways] for ref in s.citations} - allowed)
        if unknown:
            raise CurationError(f"Not sources of this incident: {', '.join(unknown)}.")
        kept = {s["text"]: Statement.from_json(s) for s in [*current.why_this_matters, *current.takeaways]
                } if current else {}
        why_this_matters, takeaways = ([replace(s, kind=kept[s.text].kind, links=kept[s.text].links)
                                        if s.text in kept else s for s in statements]
                                       for statements in (why_this_matters, takeaways))
        version = (incident.summaries.aggregate(v=Max("version"))["v"] or 0) + 1
        summary = Summary.objects.create(
            incident=incident, version=version, why_this_matters=[s.to_json() for s in why_this_matters],
            takeaways=[s.to_json() for s in takeaways], backend="editor", edited_by=editor)
        before = {"version": current.version if current else None, "locked": incident.summary_locked}
        incident.summary, incident.summary_locked = summary, True
        incident.save(update_fields=["summary", "summary_locked", "updated_at"])
        _record(incident, editor, Revision.Action.EDIT_SUMMARY, "Summary edited by an editor.", before=before,
                after={"version": version, "locked": True})
    return summary


def lock_summary(incident: Incident, editor) -> bool:
    """Keep the current summary: the machine writes no new version. False if it was locked."""
    return _set_lock(incident, editor, True)


def unlock_summary(incident: Incident, editor) -> bool:
    """Let the machine write again: the next change to the incident (or regenerate) gives a new version."""
    return _set_lock(incident, editor, False)


def regenerate_summary(incident: Incident, editor) -> Summary:
    """A new machine-written version now, even if nothing changed. Refused while the summary is locked.

    Not under one transaction with the revision on purpose: an LLM backend may take many seconds,
    and write_summary writes the version in its own short transaction once the text is ready."""
    current = Incident.objects.filter(pk=incident.pk).values("summary_locked", "merged_into").first() or {}
    if current.get("merged_into"):
        raise CurationError(f"«{incident.title}» was merged into another incident; regenerate that one's summary.")
    if current.get("summary_locked"):
        raise CurationError("The summary is locked by an editor: unlock it first, then regenerate it.")
    outcome = write_summary(incident.pk, force=True)
    if outcome != "written":
        raise CurationError(f"No new summary was written ({outcome}).")
    summary = Incident.objects.select_related("summary").get(pk=incident.pk).summary
    with transaction.atomic():
        _record(incident, editor, Revision.Action.REGENERATE_SUMMARY, "Summary rewritten on an editor's request.",
                after={"version": summary.version, "backend": summary.backend})
    return summary


def find_incident(reference: str) -> Incident:
    """The incident an editor names by its number, its slug or its public address."""
    reference = reference.strip().rstrip("/").rsplit("/", 1)[-1]
    found = Incident.objects.filter(pk=int(reference)) if reference.isdigit() else Incident.objects.filter(
        slug=reference)
    incident = found.first()
    if incident is None:
        raise CurationError(f"No incident {reference!r}: give its number, its slug or its address.")
    return incident


# --- helpers ---------------------------------------------------------------------------------------


def _lock(ids: Iterable[int]) -> dict[int, Incident]:
    """The incidents' current rows, locked for this transaction (in id order, so two editors'
    operations never deadlock). A row that is gone is an error the editor can act on."""
    ids = sorted(set(ids))
    rows = {i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=ids)
            .order_by("pk")}
    if len(rows) != len(ids):
        raise CurationError(f"Incidents {_ids(set(ids) - set(rows))} no longer exist.")
    return rows


def _record(incident: Incident, editor, action: str, description: str, *, before: dict | None = None,
            after: dict | None = None, now: datetime | None = None) -> Revision:
    now = now or timezone.now()
    Incident.objects.filter(pk=incident.pk).update(reviewed_at=now)
    incident.reviewed_at = now
    return Revision.objects.create(incident=incident, editor=editor, action=action, description=description[:300],
                                   before=before or {}, after=after or {}, created_at=now)


def _pin(incident_id: int) -> None:
    Membership.objects.filter(incident_id=incident_id).exclude(assigned_by=EDITOR).update(assigned_by=EDITOR)


def _hide(incident: Incident) -> None:
    _pin(incident.pk)
    incident.hidden = True
    incident.save(update_fields=["hidden", "updated_at"])


def _move(article_ids: set[int], target: Incident) -> set[int]:
    """The articles in `target`, pinned; returns the incidents they left. A copy whose original is
    now elsewhere counts as a story of its own."""
    memberships = Membership.objects.filter(article_id__in=article_ids)
    donors = set(memberships.exclude(incident=target).values_list("incident_id", flat=True))
    placed = set(memberships.values_list("article_id", flat=True))
    memberships.update(incident=target, assigned_by=EDITOR)
    Membership.objects.bulk_create([Membership(article_id=pk, incident=target, assigned_by=EDITOR)
                                    for pk in sorted(article_ids - placed)])
    _unlink_copies([target.pk, *donors])
    return donors


def _bring_in(article_ids: set[int], incident: Incident, editor, now: datetime) -> None:
    """The articles into the incident, pinned, out of any exclusion; the incidents they left are
    derived again, or hidden and pointed here when nothing is left in them."""
    ArticleExclusion.objects.filter(article_id__in=article_ids).delete()
    donors = _move(article_ids, incident)
    pipeline.rebuild_from_members(incident)
    for donor in Incident.objects.filter(pk__in=donors).order_by("pk"):
        _after_losing_sources(donor, editor, Revision.Action.PIN_ARTICLE, f"moved to «{_short(incident.title)}»",
                              now, merged_into=incident)


def _check_articles(article_ids: set[int]) -> None:
    known = set(Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True))
    if known != article_ids:
        raise CurationError(f"No articles {_ids(article_ids - known)}.")


def _unlink_copies(incident_ids: list[int]) -> None:
    (Membership.objects.filter(incident_id__in=incident_ids, duplicate_of__isnull=False)
     .exclude(duplicate_of__membership__incident=F("incident")).update(duplicate_of=None))


def _after_losing_sources(donor: Incident, editor, action: str, what: str, now: datetime, *,
                          merged_into: Incident | None = None, example: str = "") -> None:
    """An incident some sources left. With sources left it is derived again; emptied, it has
    nothing to show and is hidden (redirecting to where its sources went, when they went to one place)."""
    left = Membership.objects.filter(incident=donor).count()
    lost = f"«{_short(example)}»" if example else "Sources"
    if left:
        pipeline.rebuild_from_members(donor)
        _record(donor, editor, action, f"{lost} {what}.", now=now)
        return
    IncidentKey.objects.filter(incident=donor).delete()
    Incident.objects.filter(pk=donor.pk).update(hidden=True, merged_into=merged_into, tally={}, news_count=0,
                                                status_count=0, summary_due_at=None, updated_at=now)
    _record(donor, editor, action, f"{lost} {what}; no sources are left, so it is hidden.",
            before={"hidden": donor.hidden}, after={"hidden": True}, now=now)


def _open_for(article: Article) -> Incident:
    facts = getattr(article, "facts", None) or pipeline.extract_facts(article)
    return pipeline.open_incident(article, facts)


def checked_value(field: str, value):
    """The editor's value in the form the incident stores (services as ids), or a CurationError."""
    if field == "status":
        if value not in Incident.Status.values:
            raise CurationError(f"{value!r} is not a status; use one of {', '.join(Incident.Status.values)}.")
        return str(value)
    if field == "severity":
        if value not in Severity.values:
            raise CurationError(f"{value!r} is not a severity; use one of {', '.join(Severity.labels)}.")
        return int(value)
    if field == "title":
        title = str(value or "").strip()
        if not title:
            raise CurationError("A title cannot be empty.")
        return title[:300]
    if field == "services":
        ids = sorted({getattr(s, "pk", s) for s in value})
        found = set(Service.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if found != set(ids):
            raise CurationError(f"No services {_ids(set(ids) - found)}.")
        return ids
    if field == "regions":
        labels, unknown = [], []
        for name in value:
            label = region_label(str(name))
            (labels if label else unknown).append(label or str(name))
        if unknown:
            raise CurationError(f"Unknown regions: {', '.join(unknown)}. Use names such as Europe, Frankfurt, "
                                "us-east-1.")
        return list(dict.fromkeys(labels))
    raise CurationError(f"{field!r} cannot be corrected; these can: {', '.join(OVERRIDABLE)}.")


def _value(incident: Incident, field: str):
    if field == "vendor":  # set only from a tip; cleared like any correction
        return incident.vendor_id
    if field == "services":
        return sorted(incident.services.values_list("pk", flat=True))
    return getattr(incident, field)


def _set_override(incident: Incident, field: str, value) -> None:
    if field not in incident.overridden_fields:
        incident.overridden_fields = [*incident.overridden_fields, field]
    if field == "services":
        incident.services.set(value)
        incident.save(update_fields=["overridden_fields", "updated_at"])
        return
    setattr(incident, field, value)
    incident.save(update_fields=[field, "overridden_fields", "updated_at"])
    if field == "regions":
        pipeline.index_regions(incident)


def _shown(field: str, value) -> str:
    """A value as readers see it in the revision history."""
    if field == "status":
        return Incident.Status(value).label
    if field == "severity":
        return Severity(value).label
    if field == "title":
        return f"«{_short(value)}»"
    if field == "services":
        names = [str(s) for s in Service.objects.filter(pk__in=value).select_related("vendor")]
        return ", ".join(names) or "none"
    if field == "vendor":
        return str(Vendor.objects.filter(pk=value).first() or "none")
    return ", ".join(value) or "none"


def _label(field: str) -> str:
    return field.capitalize()


def _set_lock(incident: Incident, editor, locked: bool) -> bool:
    with pipeline.assignment_lock():
        incident = _lock([incident.pk])[incident.pk]
        if locked and incident.summary_id is None:
            raise CurationError("There is no summary to lock yet: edit the summary, or wait for the machine's.")
        if incident.summary_locked == locked:
            return False
        incident.summary_locked = locked
        incident.save(update_fields=["summary_locked", "updated_at"])
        if locked:
            _record(incident, editor, Revision.Action.LOCK_SUMMARY, "Summary locked by an editor.",
                    before={"locked": False}, after={"locked": True, "version": incident.summary.version})
        else:
            _record(incident, editor, Revision.Action.UNLOCK_SUMMARY, "Summary unlocked: it is rewritten as "
                    "sources change.", before={"locked": True}, after={"locked": False})
    return True


def _union(*lists) -> list:
    return list(dict.fromkeys(value for values in lists for value in values))


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _titles(incidents: Sequence[Incident]) -> str:
    return ", ".join(f"«{_short(i.title, 60)}»" for i in incidents)


def _sources(n: int) -> str:
    return f"{n} source{'s' if n != 1 else ''}"


def _ids(ids: set) -> str:
    return ", ".join(str(i) for i in sorted(ids))
