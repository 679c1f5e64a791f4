from portal.importing import ImportCommand
from practice.importer import import_practice


class Command(ImportCommand):
    help = (
        "Import practice case studies from a JSON Lines file. Idempotent by `id`; a bad record "
        "stops the import with file, line and field named, and nothing is written."
    )
    noun = "case studies"

    def import_file(self, path, *, stdout):
        return import_practice(path, stdout=stdout)
