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


def _merged(editor_aliases: list[str], shipped: list[str]) -> list[str]:
    return list(dict.fromkeys([*shipped, *editor_aliases]))


def sync_catalogue(data: dict, vendor_model, service_model) -> SyncResult:
    result = SyncResult()
    vendors = {}
    for entry in data["vendors"]:
        vendor = vendor_model.objects.filter(slug=entry["slug"]).first()
        fields = {
            "name": entry["name"],
            "status_page_url": entry.get("status_page_url", ""),
            "description": entry.get("description", ""),
        }
        if vendor is None:
            vendor = vendor_model.objects.create(slug=entry["slug"], aliases=list(entry.get("aliases", [])), **fields)
            result.vendors_created += 1
        else:
            aliases = _merged(vendor.aliases, list(entry.get("aliases", [])))
            if any(getattr(vendor, k) != v for k, v in fields.items()) or aliases != vendor.aliases:
                vendor_model.objects.filter(pk=vendor.pk).update(aliases=aliases, **fields)
                result.vendors_updated += 1
        vendors[entry["slug"]] = vendor
    for entry in data["services"]:
        service = service_model.objects.filter(slug=entry["slug"]).first()
        fields = {
            "vendor": vendors[entry["vendor"]],
            "name": entry["name"],
            "description": entry.get("description", ""),
            "requires_vendor": entry.get("requires") == "vendor",
            "case_sensitive": bool(entry.get("case_sensitive", False)),
        }
        if service is None:
            service_model.objects.create(slug=entry["slug"], aliases=list(entry.get("aliases", [])), **fields)
            result.services_created += 1
        else:
            aliases = _merged(service.aliases, list(entry.get("aliases", [])))
            if any(getattr(service, k) != v for k, v in fields.items()) or aliases != service.aliases:
                service_model.objects.filter(pk=service.pk).update(aliases=aliases, **fields)
                result.services_updated += 1
    return result
