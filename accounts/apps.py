from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Who a person is and what they belong to: accounts verified by work email or a force's
    single sign-on, two-factor for the NCPI team, memberships of forces and partners."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
