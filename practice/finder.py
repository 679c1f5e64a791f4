"""The /practice/ finder: published case studies the reader may see, filtered, sorted and
counted per filter value in the database, in the same shape search shows (portal.finder).

Each filter group is counted over the case studies matching every *other* group, as search
counts its facets, so ticking a value never hides its siblings."""

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear

from portal.finder import FacetOption, FacetResult, Finder, Item, sort_choices

# What each filter counts by: the value in the URL and its label.
COUNTED_BY = {
    "criterion": ("criteria__slug", "criteria__name"),
    "theme": ("themes__slug", "themes__name"),
    "audience": ("audiences__slug", "audiences__name"),
    "force": ("force__slug", "force__name"),
    "region": ("force__region__slug", "force__region__name"),
    "evidence": ("evidence_level__slug", "evidence_level__name"),
    "outcome": ("outcome", None),
    "stage": ("stage", None),
    "year": ("published_year", None),
}
SORTS = ("newest", "most-viewed")


class InvalidSort(ValueError):
    pass


def clean_sort(value):
    value = value or "newest"
    if value not in SORTS:
        raise InvalidSort("Sort must be Newest or Most viewed")
    return value


def sorted_practice(queryset, sort):
    if sort == "most-viewed":
        from search.models import PageViewCount

        views = PageViewCount.objects.filter(page_id=OuterRef("pk")).values("views")[:1]
        queryset = queryset.annotate(views=Coalesce(Subquery(views), Value(0)))
        return queryset.order_by(F("views").desc(), "-published_date", "-pk")
    return queryset.order_by("-published_date", "-pk")


def facet_results(form, visible):
    """[FacetResult] for every filter of a valid PracticeFilterForm, over `visible` (the case
    studies the reader may see): one query per filter."""
    model = visible.model
    results = []
    for name, field in form.fields.items():
        others = form.filter_except(visible, name)
        rows = model.objects.filter(pk__in=others.values("pk")).annotate(
            published_year=ExtractYear("published_date")
        )
        value_path, label_path = COUNTED_BY[name]
        columns = [value_path] + ([label_path] if label_path else [])
        counts = {}
        labels = {}
        for row in rows.values(*columns).annotate(n=Count("pk", distinct=True)):
            value = row[value_path]
            if value in (None, ""):
                continue
            value = str(value)
            counts[value] = row["n"]
            labels[value] = row[label_path] if label_path else value
        if not label_path and field.choices:
            labels.update({str(v): str(label) for v, label in field.choices if str(v) in counts})
        selected = dict(form.selected(name))
        for value, label in selected.items():
            labels.setdefault(value, label)
        if name == "year":
            values = sorted(labels, reverse=True)
        elif not label_path and field.choices:
            order = [str(v) for v, _label in field.choices]
            values = sorted(labels, key=order.index)
        else:
            values = sorted(labels, key=lambda v: labels[v].lower())
        options = [FacetOption(v, labels[v], counts.get(v, 0), v in selected) for v in values]
        results.append(FacetResult(name, str(field.label), options))
    return results


def listing(url, form, visible, sort, page_obj):
    """The Finder for /practice/: `form` a PracticeFilterForm, `visible` what the reader may
    see, `page_obj` the page of the filtered, sorted case studies."""
    if not form.is_valid():
        # Unknown values are explained (the error summary) and nothing is filtered.
        form = type(form)({})
        form.is_valid()
    outcomes = dict(visible.model.Outcome.choices)
    items = [
        Item(
            title=practice.title,
            url=practice.url,
            summary=practice.summary,
            force=practice.force.name,
            published_date=practice.published_date,
            outcome=outcomes.get(practice.outcome, ""),
            did_not_work=practice.outcome == visible.model.Outcome.DID_NOT_WORK,
            evidence=practice.evidence_level.name if practice.evidence_level_id else "",
        )
        for practice in page_obj
    ]
    return Finder(
        url=url,
        query="",
        facets=facet_results(form, visible),
        sorts=sort_choices(SORTS),
        sort=sort,
        count=page_obj.paginator.count,
        items=items,
        active_filters=form.active_filters(),
        filter_pairs=[(name, v) for name in form.lookups for v, _label in form.selected(name)],
        num_pages=page_obj.paginator.num_pages,
    )
