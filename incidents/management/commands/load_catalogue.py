from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incidents.catalogue_store import sync_catalogue
from incidents.extraction.catalogue import Catalogue, CatalogueError


class Command(BaseCommand):
    help = "Load or refresh the vendor and service catalogue from incidents/data/catalogue.json."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Another catalogue file in the same format.")

    def handle(self, *args, file, **options):
        try:
            data = Catalogue.read_data(file) if file else Catalogue.read_data()
        except (OSError, CatalogueError) as exc:
            raise CommandError(f"cannot load the catalogue: {exc}") from exc
        with transaction.atomic():
            result = sync_catalogue(data)
        self.stdout.write(
            f"catalogue: {len(data['vendors'])} vendors ({result.vendors_created} created, "
            f"{result.vendors_updated} updated), {len(data['services'])} services ({result.services_created} created, "
            f"{result.services_updated} updated)"
        )
