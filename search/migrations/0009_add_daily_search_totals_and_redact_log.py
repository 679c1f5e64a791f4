"""Daily search totals (what the search log becomes after SEARCH_LOG_KEEP_DAYS), and the
entries logged before personal data was taken out of them: redacted in place, as new entries
are (search.analytics.normalise)."""

from django.db import migrations, models

from portal.redaction import personal_data

BATCH = 1000


def redact_logged_queries(apps, schema_editor):
    SearchQuery = apps.get_model("search", "SearchQuery")
    last = 0
    while True:
        batch = list(
            SearchQuery.objects.filter(pk__gt=last).exclude(query="").order_by("pk")[:BATCH]
        )
        if not batch:
            return
        changed = []
        for entry in batch:
            redacted = personal_data(entry.query)[:255]
            if redacted != entry.query:
                entry.query = redacted
                changed.append(entry)
        SearchQuery.objects.bulk_update(changed, ["query"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0008_newest_and_most_viewed_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchQueryDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('query', models.CharField(blank=True, max_length=255)),
                ('source', models.CharField(choices=[('web', 'Search page'), ('api', 'API')], max_length=8)),
                ('searches', models.PositiveIntegerField()),
                ('zero_results', models.PositiveIntegerField(default=0)),
                ('filtered', models.PositiveIntegerField(default=0)),
                ('filters', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name': 'daily search total',
                'indexes': [models.Index(condition=models.Q(('zero_results__gt', 0)), fields=['day', 'query'], name='search_query_day_zero')],
                'constraints': [models.UniqueConstraint(fields=('day', 'query', 'source'), name='search_query_day_unique')],
            },
        ),
        migrations.RunPython(redact_logged_queries, migrations.RunPython.noop),
    ]
