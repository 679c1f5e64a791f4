"""Elasticsearch index lifecycle (Wagtail already has a command called update_index).

manage.py search_index create    create an index behind the alias unless there is one
manage.py search_index rebuild   new index, bulk load, atomic alias swap, old index deleted
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from search import documents
from search.backends import get_backend


class Command(BaseCommand):
    help = "Create or rebuild the Elasticsearch search index (without downtime)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rebuild"])

    def handle(self, *args, action, **options):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        from practice.models import PracticePage
        from search.backends.elasticsearch import alias

        backend = get_backend("elasticsearch")
        try:
            if action == "create":
                name, created = backend.ensure_index()
                verb = "Created" if created else "Using existing"
                self.stdout.write(f"{verb} index {name} behind alias {alias()}.")
                return
            ids = list(PracticePage.objects.live().order_by("pk").values_list("pk", flat=True))
            self.stdout.write(f"Rebuilding: {len(ids)} live practice page(s) to load.")
            new, loaded, old = backend.rebuild(ids, documents.build, out=self.stdout.write)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except (ApiError, TransportError) as error:
            raise CommandError(f"Elasticsearch: {error}") from error
        self.stdout.write(f"Loaded {loaded} document(s) into {new}; alias now points at it.")
        if old:
            self.stdout.write(f"Deleted old index {', '.join(old)}.")
