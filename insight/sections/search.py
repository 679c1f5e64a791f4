"""Search demand: top searches and searches that found nothing, grouped by the criterion each
most likely belongs to; which of those later found something; a way to add one to the
glossary."""

from django.db.models.functions import Lower

from search.models import GlossaryTerm

from .. import reading
from ..classify import CriterionGuesser
from ..suppression import number, percent
from ..tables import Table
from .common import Section, headline_table, time_table

TOP_QUERIES = 20
UNCLASSIFIED = "No clear criterion"


def _zero_share(figures):
    searches = figures.total("search.searches")
    return 100 * figures.total("search.zero") / searches if searches else None


def build(context):
    section = Section(
        "search",
        "Search demand",
        "Searches on the site and through the API, with personal data taken out before they "
        "were stored. Each search is put under the NCPI criterion whose words, and whose case "
        "studies' titles and summaries, it shares most; some fit none.",
    )
    section.tables.append(
        headline_table(
            "search-headlines",
            "Search at a glance",
            context,
            [
                ("Searches", "search.searches"),
                ("Searches that found nothing", "search.zero"),
                ("Share that found nothing (%)", _zero_share, 1),
            ],
        )
    )
    section.tables.append(
        time_table(
            "search-over-time",
            "Searches and searches that found nothing over time",
            context,
            [("Searches", "search.searches"), ("Found nothing", "search.zero")],
        )
    )
    criteria = Table(
        "search-criteria",
        "By the criterion searches most likely belong to",
        ["Criterion", "Searches", "Found nothing", "Share that found nothing"],
        chart_columns=(1, 2),
    )
    for slug, name in [*context.criteria, ("", UNCLASSIFIED)]:
        searches = context.now.total("search.searches", f"criterion:{slug}")
        zero = context.now.total("search.zero", f"criterion:{slug}")
        criteria.rows.append([name, number(searches), number(zero), percent(zero, searches)])
    section.tables.append(criteria)
    section.tables.extend(_queries(context))
    return section


def _queries(context):
    period = context.period
    guess = CriterionGuesser()
    names = dict(context.criteria)
    top = reading.ranked_queries(period, "search.query", TOP_QUERIES)
    top_zero = reading.query_totals(period, "search.query_zero", [q for q, _ in top])
    top_table = Table(
        "search-top-queries",
        "Top searches",
        ["Search", "Likely criterion", "Searches", "Found nothing"],
        chart_columns=(2,),
    )
    for query, searches in top:
        top_table.rows.append(
            [
                query,
                names.get(guess(query), UNCLASSIFIED),
                number(searches),
                number(top_zero.get(query, 0)),
            ]
        )
    zero = reading.ranked_queries(period, "search.query_zero", TOP_QUERIES)
    answered = reading.found_after(period, [q for q, _ in zero], context.today)
    in_glossary = _in_glossary([q for q, _ in zero])
    zero_table = Table(
        "search-zero-results",
        "Searches that found nothing",
        ["Search", "Likely criterion", "Times it found nothing", "Later found something"],
        chart_columns=(2,),
        description="“Later found something” gives the first day the same words found a "
        "result after first finding nothing in the period: new content or a glossary entry "
        "answered them.",
        actions=[],
    )
    for query, times in zero:
        later = answered.get(query)
        zero_table.rows.append(
            [
                query,
                names.get(guess(query), UNCLASSIFIED),
                number(times),
                f"Yes, from {later:%-d %B %Y}" if later else "Not yet",
            ]
        )
        zero_table.actions.append({"query": query, "in_glossary": query.lower() in in_glossary})
    return [top_table, zero_table]


def _in_glossary(queries):
    terms = GlossaryTerm.objects.annotate(lowered=Lower("term")).filter(
        lowered__in=[q[:64] for q in queries]
    )
    return set(terms.values_list("lowered", flat=True))
