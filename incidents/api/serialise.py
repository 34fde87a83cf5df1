"""The JSON the API answers with: model rows and plain values in, dicts out. Pure: no query, no
reverse() (the views pass `Links`, addresses made once per request), so every shape is tested on its
own and the OpenAPI document (openapi.py) describes exactly these.

Times are ISO 8601 in UTC; an absent value is null, an absent list [].
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from incidents.site.board import BoardRow
from incidents.site.filters import SEVERITIES
from incidents.site.timeline import web_link
from incidents.summaries.brief import Statement

# The filter's words by level (models.Severity), and 0 for a severity nobody stated.
SEVERITY_WORDS = {0: "unknown", **{level: word for word, level in SEVERITIES.items()}}


@dataclass(frozen=True)
class Links:
    """Absolute addresses by slug: the API's own and the site's pages."""

    incident: Callable[[str], str]
    incident_page: Callable[[str], str]
    vendor: Callable[[str], str]
    vendor_page: Callable[[str], str]
    service_page: Callable[[str], str]


def moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def vendor_ref(vendor, links: Links) -> dict | None:
    if vendor is None:
        return None
    return {"slug": vendor.slug, "name": vendor.name, "url": links.vendor(vendor.slug),
            "html_url": links.vendor_page(vendor.slug)}


def service_item(service, links: Links, vendor=None) -> dict:
    """A service; with its vendor when `vendor` is given (the list of all services)."""
    item = {"slug": service.slug, "name": service.name, "description": service.description,
            "html_url": links.service_page(service.slug)}
    if vendor is not None:
        item["vendor"] = {"slug": vendor.slug, "name": vendor.name}
    return item


def incident_item(incident, services: Iterable, links: Links) -> dict:
    """An incident as every list shows it."""
    return {
        "id": incident.pk,
        "slug": incident.slug,
        "url": links.incident(incident.slug),
        "html_url": links.incident_page(incident.slug),
        "title": incident.title,
        "status": incident.status,
        "ongoing": incident.is_ongoing,
        "severity": SEVERITY_WORDS.get(incident.severity, "unknown"),
        "vendor_severity": incident.vendor_severity,
        "vendor": vendor_ref(incident.vendor, links),
        "subject": incident.subject,
        "services": [{"slug": s.slug, "name": s.name} for s in services],
        "regions": list(incident.regions),
        "started_at": moment(incident.started_at),
        "resolved_at": moment(incident.resolved_at),
        "acknowledged_at": moment(incident.vendor_acknowledged_at),
        "first_reported_at": moment(incident.first_reported_at),
        "last_activity_at": moment(incident.last_activity_at),
        "updated_at": moment(incident.updated_at),
        "news_count": incident.news_count,
        "status_count": incident.status_count,
    }


def statement(said: Statement, citations: dict, links: Links) -> dict:
    """A sentence of the summary, its citations resolved: each with the source's name and its link
    (null where the original is not a web link) and, for a source of this incident, its id in
    `sources` or `updates`. `citations` are incidents.site.views.Citation by reference."""
    item = {"text": said.text, "citations": [
        {"ref": ref, "source": citations[ref].label, "url": citations[ref].url or None}
        for ref in said.citations if ref in citations]}
    if said.kind:
        item["kind"] = said.kind
    if said.links:
        item["incidents"] = [{"title": title, "url": links.incident(slug)} for title, slug in said.links]
    return item


def summary_item(summary, why: list[Statement], takeaways: list[Statement], citations: dict,
                 links: Links) -> dict | None:
    if summary is None:
        return None
    return {
        "version": summary.version,
        "written_at": moment(summary.created_at),
        "written_by": "editor" if summary.backend == "editor" else summary.backend.partition(":")[0],
        "why_this_matters": [statement(s, citations, links) for s in why],
        "takeaways": [statement(s, citations, links) for s in takeaways],
    }


def source_item(article) -> dict:
    """One of the incident's sources: a news article or a vendor's status post."""
    return {"id": article.pk, "kind": article.kind, "outlet": article.source.name, "title": article.title,
            "url": web_link(article.url) or None, "published_at": moment(article.published_at),
            "ref": f"article:{article.pk}"}


def update_item(update) -> dict:
    """One update of a vendor's status post (its `post` is the article)."""
    return {"id": update.pk, "posted_at": moment(update.posted_at), "status": update.status,
            "vendor_status": update.vendor_status, "text": update.text, "source": update.post.source.name,
            "url": web_link(update.post.url) or None, "ref": f"update:{update.pk}"}


def incident_detail(incident, services: list, summary: dict | None, sources: list, updates: list,
                    links: Links) -> dict:
    """One incident whole: the list's fields, its summary, the vendor's updates and every source."""
    report = next((a for a in sources if a.pk == incident.post_incident_report_id), None)
    acknowledged_in = next((a for a in sources if a.pk == incident.acknowledged_in_id), None)
    caused_by = incident.caused_by if incident.caused_by_id and not incident.caused_by.hidden else None
    return {
        **incident_item(incident, services, links),
        "vendor_incident_ids": list(incident.vendor_incident_ids),
        "error_messages": list(incident.error_messages),
        "acknowledged": incident.vendor_acknowledged_at is not None,
        "acknowledged_in": acknowledged_in.pk if acknowledged_in else None,
        "post_incident_report": {"title": report.title, "url": web_link(report.url) or None,
                                 "published_at": moment(report.published_at)} if report else None,
        "post_incident_report_promised": incident.post_incident_report_promised,
        "caused_by": {"slug": caused_by.slug, "title": caused_by.title, "url": links.incident(caused_by.slug)}
        if caused_by else None,
        "also_affected": list(incident.also_affected),
        "summary": summary,
        "updates": [update_item(u) for u in updates],
        "sources": [source_item(a) for a in sources],
    }


def vendor_item(vendor, links: Links) -> dict:
    return {**vendor_ref(vendor, links), "description": vendor.description,
            "status_page_url": web_link(vendor.status_page_url) or None}


def board_item(row: BoardRow, links: Links) -> dict:
    """A row of the status board (incidents.site.board)."""
    return {
        "name": row.name,
        "vendor": {"slug": row.slug, "url": links.vendor(row.slug), "html_url": links.vendor_page(row.slug)}
        if row.slug else None,
        "state": row.own_state.value,
        "state_reason": row.own_words,
        "press_reports_outage": row.press_reports,
        "press_outlets": row.press_outlets,
        "disagree": row.disagree,
        "sources": [{"name": s.name, "health": s.health, "failing": s.failing, "checked_at": moment(s.checked_at),
                     "page_state": s.page_state or None} for s in row.sources],
        "incidents": [{"slug": i.slug, "title": i.title, "url": links.incident(i.slug),
                       "severity": SEVERITY_WORDS.get(i.severity, "unknown"), "vendor_posted": i.vendor_posted,
                       "outlets": i.outlets, "started_at": moment(i.started_at)} for i in row.incidents],
    }
