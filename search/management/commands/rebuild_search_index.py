from django.core.management.base import BaseCommand

from search import index


class Command(BaseCommand):
    help = "Index every live practice page again (search app; Wagtail's update_index is separate)."

    def handle(self, *args, **options):
        count = index.rebuild()
        self.stdout.write(f"Indexed {count} practice page(s).")
