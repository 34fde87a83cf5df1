"""Copy the shipped catalogue (incidents/data/catalogue.json) into the database.

Takes the model classes as arguments so the data migration can pass its historical models. The
file is the source of truth for the fields it has; aliases an editor added in admin are kept
(merged with the shipped ones, never dropped).
"""

from dataclasses import dataclass


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


def sync_catalogue(data: dict, vendor_model, service_model) -> SyncResult:
    result = SyncResult()
    vendors = {}
    for entry in data["vendors"]:
        vendors[entry["slug"]], action = _upsert(vendor_model, entry, {
            "name": entry["name"],
            "status_page_url": entry.get("status_page_url", ""),
            "description": entry.get("description", ""),
        })
        result.vendors_created += action == "created"
        result.vendors_updated += action == "updated"
    for entry in data["services"]:
        _, action = _upsert(service_model, entry, {
            "vendor": vendors[entry["vendor"]],
            "name": entry["name"],
            "description": entry.get("description", ""),
            "requires_vendor": entry.get("requires") == "vendor",
            "case_sensitive": bool(entry.get("case_sensitive", False)),
        })
        result.services_created += action == "created"
        result.services_updated += action == "updated"
    return result
