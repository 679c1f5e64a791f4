"""What a finder page (GOV.UK finder-frontend style) shows, whoever computes it: filter groups
whose values carry counts, and the sort orders. /practice/ counts in the database
(practice.finder) and /search/ asks the search backend (search.service); both render
portal/_finder.html."""

from dataclasses import dataclass

from django.utils.http import urlencode

SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "most-viewed": "Most viewed"}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetResult:
    name: str
    label: str
    options: list[FacetOption]

    @property
    def any_selected(self):
        return any(option.selected for option in self.options)


def sort_choices(names):
    return [(name, SORT_LABELS[name]) for name in names]


@dataclass
class Item:
    """One case study in a finder's results."""

    title: str
    url: str
    summary: str
    force: str
    published_date: object
    outcome: str = ""  # its label, e.g. "Didn't work"
    did_not_work: bool = False
    evidence: str = ""
    highlight: str = ""  # safe HTML with <mark>, when words were searched for


@dataclass
class Finder:
    """Everything portal/_finder.html shows."""

    url: str
    query: str
    facets: list
    sorts: list
    sort: str
    count: int
    items: list
    active_filters: list  # (filter label, value label, querystring without it)
    filter_pairs: list  # [(name, value)] of the filters applied
    num_pages: int = 1
    count_approximate: bool = False
    facets_approximate: bool = False
    suggestion: str = ""

    def _pairs(self, with_query=True, with_sort=True):
        pairs = [("q", self.query)] if with_query and self.query else []
        pairs += self.filter_pairs
        if with_sort and self.sort != self.sorts[0][0]:
            pairs.append(("sort", self.sort))
        return pairs

    @property
    def feed_query(self):
        return urlencode(self._pairs(with_sort=False))

    @property
    def clear_query(self):
        return urlencode([("q", self.query)]) if self.query else ""

    @property
    def first_page_query(self):
        return urlencode(self._pairs())

    @property
    def suggestion_query(self):
        return urlencode([("q", self.suggestion)])

    @property
    def subscribe_query(self):
        """For "Subscribe to this search": the practice listing's filters (emails match what
        /practice/ would list with them); empty when nothing is filtered."""
        if not self.filter_pairs:
            return ""
        return urlencode([("listing", "practice"), ("search", urlencode(self.filter_pairs))])
