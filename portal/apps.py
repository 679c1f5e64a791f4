from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    label = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import navigation
        from .links import sync_default_site

        navigation.connect()

        post_migrate.connect(sync_default_site, sender=self, dispatch_uid="portal-sync-site")
