from inspections.importer import import_reports
from portal.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import inspection reports with their findings and recommendations from a JSON Lines "
        "file (format: inspections/IMPORT.md). Idempotent by `id`; a bad record stops the import "
        "with file, line and field named, and nothing is written."
    )
    noun = "inspection reports"

    def import_file(self, path, *, stdout):
        return import_reports(path, stdout=stdout)

    def summary(self, result):
        return f" with {result.recommendations} recommendations"
