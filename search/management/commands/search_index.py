"""The search index's lifecycle (Wagtail's own update_index is a different command).

manage.py search_index create     Elasticsearch: create an index behind the alias unless
                                  there is one
manage.py search_index rebuild    every indexed backend (the configured one and the database):
                                  the new index is built aside and swapped in, so searches
                                  never come back empty meanwhile; --backend NAME for one
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from search import index
from search.backends import BACKENDS, get_backend


class Command(BaseCommand):
    help = "Create the Elasticsearch index, or rebuild the search index without downtime."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rebuild"])
        parser.add_argument(
            "--backend",
            choices=sorted(BACKENDS),
            help="rebuild this backend only (default: every backend that is indexed)",
        )

    def handle(self, *args, action, backend=None, verbosity=1, **options):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            if action == "create":
                self._create()
            else:
                out = self.stdout.write if verbosity else None
                index.rebuild([backend] if backend else None, out=out)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except (ApiError, TransportError) as error:
            raise CommandError(f"Elasticsearch: {error}") from error

    def _create(self):
        from search.backends.elasticsearch import alias

        name, created = get_backend("elasticsearch").ensure_index()
        verb = "Created" if created else "Using existing"
        self.stdout.write(f"{verb} index {name} behind alias {alias()}.")
