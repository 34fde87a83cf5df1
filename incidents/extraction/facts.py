"""Every fact OutageHub reads from one article, and whether it reports an outage. Pure.

Each kind of fact has its own module (identifiers, errors, regions, times, status_words,
catalogue, relevance); this one runs them all over an article and assembles the result.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from incidents.extraction.catalogue import Catalogue
from incidents.extraction.error_messages import find_error_messages
from incidents.extraction.identifiers import find_incident_ids
from incidents.extraction.mentions import ImpactMention, RegionMention, TimeMention
from incidents.extraction.regions import find_regions
from incidents.extraction.relevance import Relevance, assess
from incidents.extraction.status_words import find_impacts, find_status
from incidents.extraction.times import find_times

# Extraction reads the start of the title and of the body: an article states its facts early, and a
# 1 MB body (or title: a feed may put its whole text there) must not cost more than a normal one. A
# title is stored with at most 1,000 characters (Article.title); past that it is no headline.
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 20_000


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
    matched_text = f"{source_vendor}\n{text}" if source_vendor else text
    vendor_slugs = catalogue.vendors_in(matched_text)
    service_slugs = catalogue.services_in(matched_text)
    ids = find_incident_ids(text)
    if known_incident_id and known_incident_id not in ids:
        ids = [known_incident_id, *ids]
    relevance = assess(title, body, known_service_mentioned=bool(vendor_slugs or service_slugs),
                       is_status_post=is_status_post)
    return Facts(
        vendors=tuple(vendor_slugs),
        services=tuple(service_slugs),
        incident_ids=tuple(ids),
        error_messages=tuple(find_error_messages(text)),
        regions=tuple(find_regions(text)),
        times=tuple(find_times(text, published_at)),
        status=find_status(text),
        impacts=tuple(find_impacts(text)),
        relevance=relevance,
        vendor_names=tuple(catalogue.vendor(slug).name for slug in vendor_slugs),
        service_names=tuple(catalogue.service(slug).name for slug in service_slugs),
    )


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
    }
