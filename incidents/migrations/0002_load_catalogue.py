"""Load the shipped vendor and service catalogue (incidents/data/catalogue.json).

The code is a frozen copy of incidents/catalogue_sync.py as it was when this migration was written,
so a later change to the app cannot break a fresh `migrate`. `load_catalogue` uses the live one.
"""

import json
from pathlib import Path

from django.db import migrations

CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "data" / "catalogue.json"


def _upsert(model, entry, fields):
    row = model.objects.filter(slug=entry["slug"]).first()
    shipped_aliases = list(entry.get("aliases", []))
    if row is None:
        return model.objects.create(slug=entry["slug"], aliases=shipped_aliases, **fields)
    aliases = list(dict.fromkeys([*shipped_aliases, *row.aliases]))
    model.objects.filter(pk=row.pk).update(aliases=aliases, **fields)
    return row


def load(apps, schema_editor):
    Vendor, Service = apps.get_model("incidents", "Vendor"), apps.get_model("incidents", "Service")
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    vendors = {}
    for entry in data["vendors"]:
        vendors[entry["slug"]] = _upsert(Vendor, entry, {
            "name": entry["name"],
            "status_page_url": entry.get("status_page_url", ""),
            "description": entry.get("description", ""),
        })
    for entry in data["services"]:
        _upsert(Service, entry, {
            "vendor": vendors[entry["vendor"]],
            "name": entry["name"],
            "description": entry.get("description", ""),
            "requires_vendor": entry.get("requires") == "vendor",
            "case_sensitive": bool(entry.get("case_sensitive", False)),
        })


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
