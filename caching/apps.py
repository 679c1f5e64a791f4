from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "caching"
    label = "caching"
    verbose_name = "Page caching"

    def ready(self):
        from . import signals

        signals.connect()
