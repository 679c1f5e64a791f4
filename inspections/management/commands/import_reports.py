from django.core.management.base import BaseCommand, CommandError

from inspections.importer import import_reports
from portal.importing import ImportFailed


class Command(BaseCommand):
    help = (
        "Import inspection reports with their findings and recommendations from a JSON Lines "
        "file (format: inspections/IMPORT.md). Idempotent by `id`; a bad record stops the import "
        "with file, line and field named, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .jsonl file")

    def handle(self, *args, file, **options):
        self.stdout.write(f"Importing inspection reports from {file}")
        try:
            result = import_reports(file, stdout=self.stdout)
        except ImportFailed as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(result.created) + len(result.updated)} reports "
                f"({len(result.created)} new, {len(result.updated)} updated) with "
                f"{result.recommendations} recommendations."
            )
        )
