"""The vocabulary is counted per restriction level, and counted again from the indexed
documents: it held every word public documents ever had, including those of pages since
restricted or unpublished."""

from collections import Counter

from django.db import migrations, models

from search.query import words_of


def recount(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchWord = apps.get_model("search", "SearchWord")
    SearchWord.objects.all().delete()
    counts = Counter()
    rows = SearchDocument.objects.values_list(
        "restriction", "title", "summary", "keywords", "body"
    ).order_by("pk")
    for restriction, *texts in rows.iterator(chunk_size=1000):
        words = {w for w in words_of(" ".join(texts)) if len(w) >= 3 and w.isalpha()}
        counts.update((word, restriction) for word in words)
    SearchWord.objects.bulk_create(
        (SearchWord(word=w, restriction=r, documents=n) for (w, r), n in counts.items()),
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0009_add_daily_search_totals_and_redact_log'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchword',
            name='documents',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='searchword',
            name='restriction',
            field=models.CharField(blank=True, choices=[('', 'Everyone'), ('login', 'Signed-in users'), ('police', 'Police users'), ('hidden', 'Nobody (not listed anywhere)')], default='', max_length=16),
        ),
        migrations.AlterField(
            model_name='searchdocument',
            name='restriction',
            field=models.CharField(blank=True, choices=[('', 'Everyone'), ('login', 'Signed-in users'), ('police', 'Police users'), ('hidden', 'Nobody (not listed anywhere)')], default='', max_length=16),
        ),
        migrations.AlterField(
            model_name='searchword',
            name='word',
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name='searchword',
            index=models.Index(fields=['word'], name='search_word_prefix', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddConstraint(
            model_name='searchword',
            constraint=models.UniqueConstraint(fields=('word', 'restriction'), name='search_word_per_restriction'),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
