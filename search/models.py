"""The search app's tables: the database backend's index, the view counter, the query log and
the glossary of synonyms and acronyms."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from portal.visibility import Restriction


class SearchDocument(models.Model):
    """One row per live practice page: what the database backend searches and facets.

    Denormalised on purpose: a search reads this table (and SearchFacet) only, never the page
    tree, so a query costs the same whatever the page models look like.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    external_id = models.CharField(max_length=64, blank=True)
    title = models.TextField()
    summary = models.TextField(blank=True)
    # Tag names (criteria, themes, audiences): weighted like the summary.
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=2048)
    force = models.CharField(max_length=255, blank=True)
    published_date = models.DateField()
    restriction = models.CharField(
        max_length=16, choices=Restriction.choices, blank=True, default=Restriction.PUBLIC
    )
    # PostgreSQL only (NULL on SQLite): title A, summary and tags B, body C. Its GIN index and
    # the trigram index on title are created in migration 0002, which skips them on SQLite.
    search_vector = SearchVectorField(null=True, blank=True)
    # PostgreSQL only (NULL on SQLite): title A, summary and tags B, without the body. Small
    # enough to stay in the row (search_vector is TOASTed), so a large match set can be ranked
    # roughly from it to pick the candidates that get the full score. GIN index in 0006.
    head_vector = SearchVectorField(null=True, blank=True)
    # Every facet value as "facet=value" (the rows of SearchFacet, denormalised): filters and
    # facet counts read the row itself instead of joining SearchFacet (GIN index in 0006,
    # PostgreSQL only; SQLite filters and counts through SearchFacet).
    facet_values = models.JSONField(default=list, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Newest first (the empty query, and sort=newest) is read from this index in order,
            # stopping at the page: the tiebreak on page_id is in it too, and restriction is
            # not, since a filter on "any of these restrictions" cannot use an ordered index
            # (an index on both made PostgreSQL sort all 100,000 rows for the first page).
            models.Index(fields=["-published_date", "-page"], name="search_doc_newest_first"),
        ]

    def __str__(self):
        return self.title


class SearchFacet(models.Model):
    """One facet value of a document (criterion "initial-contact", year "2024", ...).

    A row per value rather than array columns so that filtering (EXISTS) and counting
    (GROUP BY value) are the same SQL on PostgreSQL and SQLite, and use the one index below.
    """

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "facet", "value"], name="search_facet_unique"
            )
        ]
        indexes = [
            models.Index(fields=["facet", "value", "document"], name="search_facet_lookup"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class SearchLexeme(models.Model):
    """How many documents' tsvectors hold each lexeme (PostgreSQL only; empty on SQLite).

    The document frequencies for IDF, read at query time: counting the matches of each query
    word took a pass over every matching row (about 300 ms a word at 100,000 documents).
    DatabaseBackend keeps the counts in step as it indexes and deletes (upsert subtracts a
    document's old lexemes and adds its new ones, so repeating it changes nothing), and
    refresh_statistics() recounts them from ts_stat after a bulk load.
    """

    lexeme = models.CharField(max_length=255, primary_key=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.lexeme}: {self.documents}"


class SearchWord(models.Model):
    """The vocabulary for typo correction and "did you mean": each word of the indexed
    documents, per restriction level, with how many documents of that level hold it.

    Corrections for a person come only from the levels they may see (search/vocabulary.py),
    and a word leaves the vocabulary with the last document that held it (unpublished,
    deleted, restricted or edited away), so a suggestion never reveals what someone may not
    see or what is no longer published.
    """

    word = models.CharField(max_length=64)
    restriction = models.CharField(
        max_length=16, choices=Restriction.choices, blank=True, default=Restriction.PUBLIC
    )
    documents = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["word", "restriction"], name="search_word_per_restriction"
            )
        ]
        indexes = [
            # "Does a known word begin with this?" is a LIKE 'abc%' lookup; the trigram index
            # for the closest word is PostgreSQL-only (migration 0002).
            models.Index(
                fields=["word"], name="search_word_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self):
        return f"{self.word} ({self.restriction or 'public'}): {self.documents}"


class PageViewCount(models.Model):
    """How often a practice page was viewed, for "most viewed". Counted here, one UPDATE per
    view, rather than on the page model, so a view never creates a page revision."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [
            # Most viewed first, read in order down to the page of results.
            models.Index(fields=["-views", "page"], name="search_views_most_first"),
        ]

    def __str__(self):
        return f"{self.page_id}: {self.views}"


class PageViewVisit(models.Model):
    """That someone viewed a page on a day, so each visitor counts once a day in PageViewCount.

    The visitor is a keyed hash of their address and browser (or account) with a key that
    changes every day, so it cannot be linked across days or back to a person without the
    key; rows are deleted once their day is over (search.tasks.forget_page_view_visits)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "day", "visitor"], name="search_one_view_per_visitor_a_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="search_view_visit_day")]

    def __str__(self):
        return f"{self.page_id} on {self.day}"


class SearchQuery(models.Model):
    """One search, for the NCPI team's report: what was asked and how many results it found.

    No user, IP address or session; email addresses, phone numbers, postcodes and long
    numbers are replaced by markers before the words are stored (search.analytics.normalise).
    Kept for SEARCH_LOG_KEEP_DAYS, then folded into SearchQueryDay and deleted."""

    class Source(models.TextChoices):
        WEB = "web", "Search page"
        API = "api", "API"

    query = models.CharField(max_length=255, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=16, blank=True)
    result_count = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "search queries"
        ordering = ["-created_at"]

    def __str__(self):
        return self.query or "(no words)"


class SearchQueryDay(models.Model):
    """How often one query was searched from one source on one (UK) day: what the search log
    becomes once its entries are older than SEARCH_LOG_KEEP_DAYS (search.analytics.roll_up).

    Each search is counted in exactly one place, a SearchQuery row or one of these, so reports
    and the insight dashboards add the two (search.analytics) and get the same totals before
    and after the roll-up."""

    day = models.DateField()
    query = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=8, choices=SearchQuery.Source.choices)
    searches = models.PositiveIntegerField()
    zero_results = models.PositiveIntegerField(default=0)
    # Searches that used at least one filter, and how often each filter value was used, as
    # {"theme=training": 3}.
    filtered = models.PositiveIntegerField(default=0)
    filters = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "daily search total"
        constraints = [
            # Its index, led by day then query, serves "top queries in a period".
            models.UniqueConstraint(
                fields=["day", "query", "source"], name="search_query_day_unique"
            ),
        ]
        indexes = [
            # "Queries that found nothing in a period" reads only the days' rows with some.
            models.Index(
                fields=["day", "query"],
                condition=models.Q(zero_results__gt=0),
                name="search_query_day_zero",
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.query or '(no words)'} ({self.searches})"


class GlossaryTerm(index.Indexed, models.Model):
    """A term and the words that mean the same: used to expand searches (both ways) and, for
    acronyms, to explain them on practice pages and on the glossary page."""

    term = models.CharField(
        max_length=64, unique=True, help_text='The acronym or word, e.g. "MASH" or "missing".'
    )
    meaning = models.CharField(
        max_length=255,
        blank=True,
        help_text='What it stands for or means, e.g. "Multi-Agency Safeguarding Hub".',
    )
    synonyms = models.TextField(
        blank=True,
        help_text=(
            "Other words or phrases that mean the same in a search, separated by commas, "
            'e.g. "runaway, absent" for "missing".'
        ),
    )
    description = models.TextField(blank=True, help_text="Shown on the glossary page.")
    is_acronym = models.BooleanField(
        default=True,
        help_text="Acronyms are explained where they appear on practice pages.",
    )

    panels = [
        FieldPanel("term"),
        FieldPanel("meaning"),
        FieldPanel("synonyms"),
        FieldPanel("description"),
        FieldPanel("is_acronym"),
    ]
    search_fields = [index.SearchField("term"), index.SearchField("meaning")]

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def names(self):
        """Every way of saying this term, lower-cased: the term, its meaning, its synonyms."""
        names = [self.term, self.meaning, *self.synonyms.split(",")]
        return [n.strip().lower() for n in names if n.strip()]
