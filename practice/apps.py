from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    label = "practice"
    verbose_name = "Notable practice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .moderation import connect_signals

        connect_signals()
