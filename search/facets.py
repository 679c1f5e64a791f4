"""The facets search narrows by: their URL names, labels and where their values come from.

Values are slugs (or codes, or years) so that filtered URLs are readable and stable.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter
    label: str
    model: str | None = None  # a taxonomy model whose slugs are the values
    choices: str | None = None  # or a PracticePage choices class
    kind: str | None = None  # Organisation.kind, for forces


FACETS = [
    Facet("criterion", "NCPI criterion", model="taxonomy.Criterion"),
    Facet("theme", "Theme", model="taxonomy.Theme"),
    Facet("audience", "Audience", model="taxonomy.Audience"),
    Facet("force", "Force", model="taxonomy.Organisation", kind="force"),
    Facet("region", "Region", model="taxonomy.Region"),
    Facet("evidence", "Evidence level", model="taxonomy.EvidenceLevel"),
    Facet("outcome", "Outcome", choices="Outcome"),
    Facet("stage", "Stage", choices="Stage"),
    Facet("year", "Year published"),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
FACET_NAMES = list(FACETS_BY_NAME)
# More values than anyone ticks; bounds the SQL a crafted URL can cause.
MAX_VALUES_PER_FACET = 50
# ASCII digits only (\d would take "٢٠٢٤"); also the API schema's pattern for years.
YEAR_PATTERN = "^(19|20)[0-9]{2}$"
_YEAR = re.compile(YEAR_PATTERN)
# Every search reads the labels (to check filters and name facet values): one small query per
# taxonomy model was about 2.5 ms of a search at 100,000 documents. Cached, and dropped when a
# taxonomy row changes (search.signals); the timeout bounds a missed invalidation.
LABELS_CACHE_KEY = "search:facet-labels:v1"
LABELS_CACHE_SECONDS = 10 * 60


class InvalidFilter(ValueError):
    """A filter value that does not exist; the message says which, in plain words."""

    def __init__(self, facet, message):
        super().__init__(message)
        self.facet = facet


def labels():
    """{facet name: {value: label}} for every facet with a fixed vocabulary (years are
    labelled by themselves), from the cache."""
    return cache.get_or_set(LABELS_CACHE_KEY, _load_labels, LABELS_CACHE_SECONDS)


def invalidate_labels():
    cache.delete(LABELS_CACHE_KEY)


def taxonomy_models():
    """The models whose rows are facet values (their names are the labels)."""
    return {apps.get_model(facet.model) for facet in FACETS if facet.model}


def _load_labels():
    """One small query per taxonomy model."""
    from practice.models import PracticePage

    result = {}
    for facet in FACETS:
        if facet.model:
            queryset = apps.get_model(facet.model).objects.all()
            if facet.kind:
                queryset = queryset.filter(kind=facet.kind)
            result[facet.name] = dict(queryset.values_list("slug", "name"))
        elif facet.choices:
            result[facet.name] = dict(getattr(PracticePage, facet.choices).choices)
    return result


def clean_filters(raw, known_labels=None):
    """Check {facet: [values]} against what exists. Returns {facet: [values]} without empty
    facets or repeated values; raises InvalidFilter naming the first bad value."""
    known = known_labels if known_labels is not None else labels()
    cleaned = {}
    for name, values in raw.items():
        if name not in FACETS_BY_NAME:
            raise InvalidFilter(name, f"'{name}' is not a filter")
        facet = FACETS_BY_NAME[name]
        values = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if len(values) > MAX_VALUES_PER_FACET:
            raise InvalidFilter(
                name, f"{facet.label}: choose {MAX_VALUES_PER_FACET} values or fewer"
            )
        for value in values:
            if name == "year":
                if not _YEAR.fullmatch(value):
                    raise InvalidFilter(name, f"Year published: '{value}' is not a year")
            elif value not in known[name]:
                raise InvalidFilter(name, f"{facet.label}: '{value}' does not exist")
        if values:
            cleaned[name] = values
    return cleaned


def values_of(page):
    """{facet: [values]} of a practice page, for the index."""
    values = {
        "criterion": [t.slug for t in page.criteria.all()],
        "theme": [t.slug for t in page.themes.all()],
        "audience": [t.slug for t in page.audiences.all()],
        "force": [page.force.slug],
        "region": [page.force.region.slug] if page.force.region_id else [],
        "evidence": [page.evidence_level.slug] if page.evidence_level_id else [],
        "outcome": [page.outcome] if page.outcome else [],
        "stage": [page.stage] if page.stage else [],
        "year": [str(page.published_date.year)],
    }
    return {name: vals for name, vals in values.items() if vals}
