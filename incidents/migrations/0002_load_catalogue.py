"""Load the shipped vendor and service catalogue (incidents/data/catalogue.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from incidents.catalogue import Catalogue
    from incidents.catalogue_sync import sync_catalogue

    sync_catalogue(Catalogue.read_data(), apps.get_model("incidents", "Vendor"), apps.get_model("incidents", "Service"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
