"""The catalogue in the database: the shipped file copied in (`load_catalogue`), and the matcher
the pipeline uses, rebuilt from the rows as editors left them in admin when one changes."""

import logging
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Func, IntegerField, Max, Subquery

from incidents.extraction.catalogue import Catalogue, CatalogueError
from incidents.models import Service, Vendor

log = logging.getLogger(__name__)

_catalogue_cache: dict[str, object] = {}

# The catalogue's version: how many vendors and services there are and when one last changed. An
# edit, an addition or a deletion in admin changes it.
VERSION_FIELDS = ("catalogue_vendors", "catalogue_vendors_at", "catalogue_services", "catalogue_services_at")


def scalar(queryset, function: str, field: str, output) -> Subquery:
    """`function(field)` over the rows of `queryset` (COUNT, MAX…), as a scalar subquery."""
    return Subquery(queryset.order_by().values(value=Func(field, function=function, output_field=output)))


def table_version(queryset, name: str) -> dict[str, Subquery]:
    """Annotations `<name>` and `<name>_at`: how many rows `queryset` has and when one last changed
    (its `updated_at`), as scalar subqueries to add to a query the caller runs anyway."""
    return {name: scalar(queryset, "COUNT", "pk", IntegerField()),
            f"{name}_at": scalar(queryset, "MAX", "updated_at", DateTimeField())}


def version_annotations() -> dict[str, Subquery]:
    """The catalogue's version, to read with a query the caller runs anyway (the pipeline reads it
    with the article, saving a query per article); see catalogue_version()."""
    return {**table_version(Vendor.objects.all(), "catalogue_vendors"),
            **table_version(Service.objects.all(), "catalogue_services")}


def catalogue_version(row: object | None = None) -> tuple:
    """The version read with version_annotations() from `row`, or read now."""
    if row is not None:
        return tuple(getattr(row, name) for name in VERSION_FIELDS)
    vendors = Vendor.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    services = Service.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return vendors["n"], vendors["at"], services["n"], services["at"]


def current_catalogue(version: tuple | None = None) -> Catalogue:
    """The catalogue built from the database, rebuilt when an editor changes a vendor or service.
    `version` is catalogue_version() when the caller has read it already."""
    fingerprint = catalogue_version() if version is None else version
    if _catalogue_cache.get("fingerprint") != fingerprint:
        try:
            _catalogue_cache["catalogue"] = Catalogue.from_data(catalogue_data_from_db())
        except CatalogueError as exc:
            # An editor's mistake must not stop the pipeline: keep the last good catalogue.
            log.error("the catalogue in the database is invalid (%s); fix it in admin. Using the last good one.", exc)
            _catalogue_cache.setdefault("catalogue", Catalogue.load_default())
        vendors = Vendor.objects.order_by("-name", "-pk").values_list("pk", "slug", "name")  # the first name wins
        _catalogue_cache["vendor_by_slug"] = {slug: pk for pk, slug, _ in vendors}
        _catalogue_cache["vendor_slug_by_pk"] = {pk: slug for pk, slug, _ in vendors}
        _catalogue_cache["vendor_by_name"] = {name: pk for pk, _, name in vendors}
        _catalogue_cache["service_by_slug"] = dict(Service.objects.values_list("slug", "pk"))
        _catalogue_cache["fingerprint"] = fingerprint
    return _catalogue_cache["catalogue"]


def vendor_id(*, names: list[str] | tuple[str, ...] = (), slug: str | None = None) -> int | None:
    """The vendor row of the first of `names` in the vendors' order (by name), else of `slug`, as
    the catalogue read by the last current_catalogue() stands: no query when that read is current."""
    if "fingerprint" not in _catalogue_cache:
        current_catalogue()
    by_name = _catalogue_cache["vendor_by_name"]
    named = sorted(name for name in names if name in by_name)
    if named:
        return by_name[named[0]]
    return _catalogue_cache["vendor_by_slug"].get(slug) if slug else None


def last_read_catalogue() -> Catalogue:
    """The catalogue as the last current_catalogue() read it (no query; reads it when none has)."""
    if "fingerprint" not in _catalogue_cache:
        current_catalogue()
    return _catalogue_cache["catalogue"]


def vendor_slug(vendor_pk: int | None) -> str | None:
    """The slug of a vendor row, like vendor_id(): no query when the catalogue read is current."""
    if vendor_pk is None:
        return None
    if "fingerprint" not in _catalogue_cache:
        current_catalogue()
    return _catalogue_cache["vendor_slug_by_pk"].get(vendor_pk)


def service_ids(slugs: set[str]) -> set[int]:
    """The service rows of these slugs (unknown slugs are left out), like vendor_id()."""
    if "fingerprint" not in _catalogue_cache:
        current_catalogue()
    by_slug = _catalogue_cache["service_by_slug"]
    return {by_slug[slug] for slug in slugs if slug in by_slug}


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
