from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from anymail.signals import tracking
        from wagtail.signals import page_published

        from events.models import EventPage
        from practice.models import PracticePage

        from . import checks  # noqa: F401 - registers the system checks
        from .alerts import on_page_published, on_tracking_event

        # dispatch_uid: connecting twice (tests, autoreload) must not send two alerts.
        for model in (PracticePage, EventPage):
            page_published.connect(
                on_page_published,
                sender=model,
                dispatch_uid=f"newsletters-alert-{model._meta.label_lower}",
            )
        tracking.connect(on_tracking_event, dispatch_uid="newsletters-tracking")

        from celery.signals import worker_init, worker_ready

        from .recovery import on_worker_init, on_worker_ready

        # A restarted mailer resumes what its previous run was sending at once (recovery.py).
        worker_init.connect(on_worker_init, dispatch_uid="newsletters-worker-init")
        worker_ready.connect(on_worker_ready, dispatch_uid="newsletters-worker-ready")
