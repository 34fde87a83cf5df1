"""The catalogue in the database: the shipped file copied in (`load_catalogue`), and the matcher
the pipeline uses, rebuilt from the rows as editors left them in admin when one changes."""

import logging
from dataclasses import dataclass

from django.db.models import Count, Max

from incidents.extraction.catalogue import Catalogue, CatalogueError
from incidents.models import Service, Vendor

log = logging.getLogger(__name__)

_catalogue_cache: dict[str, object] = {}


def current_catalogue() -> Catalogue:
    """The catalogue built from the database, rebuilt when an editor changes a vendor or service."""
    fingerprint = (
        Vendor.objects.aggregate(n=Count("pk"), at=Max("updated_at")),
        Service.objects.aggregate(n=Count("pk"), at=Max("updated_at")),
    )
    if _catalogue_cache.get("fingerprint") != fingerprint:
        try:
            _catalogue_cache["catalogue"] = Catalogue.from_data(catalogue_data_from_db())
        except CatalogueError as exc:
            # An editor's mistake must not stop the pipeline: keep the last good catalogue.
            log.error("the catalogue in the database is invalid (%s); fix it in admin. Using the last good one.", exc)
            _catalogue_cache.setdefault("catalogue", Catalogue.load_default())
        _catalogue_cache["fingerprint"] = fingerprint
    return _catalogue_cache["catalogue"]


def catalogue_data_from_db() -> dict:
    return {
        "vendors": [
            {"slug": v.slug, "name": v.name, "aliases": v.aliases, "status_page_url": v.status_page_url,
             "description": v.description}
            for v in Vendor.objects.all()
        ],
        "services": [
            {"slug": s.slug, "vendor": s.vendor.slug, "name": s.name, "aliases": s.aliases,
             "description": s.description,
             **({"requires": "vendor"} if s.requires_vendor else {}),
             **({"case_sensitive": True} if s.case_sensitive else {})}
            for s in Service.objects.select_related("vendor")
        ],
    }


@dataclass
class SyncResult:
    vendors_created: int = 0
    vendors_updated: int = 0
    services_created: int = 0
    services_updated: int = 0


def _upsert(model, entry: dict, fields: dict) -> tuple[object, str]:
    """Create or update one row by slug; returns the row and "created", "updated" or "unchanged"."""
    shipped_aliases = list(entry.get("aliases", []))
    row = model.objects.filter(slug=entry["slug"]).first()
    if row is None:
        return model.objects.create(slug=entry["slug"], aliases=shipped_aliases, **fields), "created"
    aliases = list(dict.fromkeys([*shipped_aliases, *row.aliases]))
    if aliases == row.aliases and all(getattr(row, name) == value for name, value in fields.items()):
        return row, "unchanged"
    model.objects.filter(pk=row.pk).update(aliases=aliases, **fields)
    return row, "updated"


def sync_catalogue(data: dict) -> SyncResult:
    """Copy the shipped catalogue's data into the database. The file is the source of truth for the
    fields it has; aliases an editor added in admin are kept (merged with the shipped ones, never dropped)."""
    result = SyncResult()
    vendors = {}
    for entry in data["vendors"]:
        vendors[entry["slug"]], action = _upsert(Vendor, entry, {
            "name": entry["name"],
            "status_page_url": entry.get("status_page_url", ""),
            "description": entry.get("description", ""),
        })
        result.vendors_created += action == "created"
        result.vendors_updated += action == "updated"
    for entry in data["services"]:
        _, action = _upsert(Service, entry, {
            "vendor": vendors[entry["vendor"]],
            "name": entry["name"],
            "description": entry.get("description", ""),
            "requires_vendor": entry.get("requires") == "vendor",
            "case_sensitive": bool(entry.get("case_sensitive", False)),
        })
        result.services_created += action == "created"
        result.services_updated += action == "updated"
    return result
