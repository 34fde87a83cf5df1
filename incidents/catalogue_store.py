"""The catalogue as editors left it in admin: the matcher the pipeline uses, rebuilt from the
database when a vendor or service row changes."""

import logging

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
