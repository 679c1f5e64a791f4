from events.importer import import_events
from portal.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import learning events from a JSON Lines file. Idempotent by `id`; a bad record stops "
        "the import with file, line and field named, and nothing is written."
    )
    noun = "events"

    def import_file(self, path, *, stdout):
        return import_events(path, stdout=stdout)
