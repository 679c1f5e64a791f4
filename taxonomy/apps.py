from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    label = "taxonomy"
    verbose_name = "Taxonomy"
    default_auto_field = "django.db.models.BigAutoField"
