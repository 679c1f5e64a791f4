"""Which documents a search matches, as SQL over the documents table (aliased d), and the
sample of a large match set."""

import math
from typing import NamedTuple

# The sample: documents whose hashed page_id falls in the first n of SAMPLE_BUCKETS buckets.
# The expression is indexed (migration 0006), so PostgreSQL ANDs it with the full-text bitmap
# and reads only the sampled rows. A page's id says nothing about its text or tags, and the
# hash spreads even a short run of ids over the buckets; ids are hashed in runs of eight, so
# the sampled rows share heap pages (rows one per page made every sampled row a page read).
SAMPLE_BUCKETS = 1024
SAMPLE_SQL = f"(hashint4(d.page_id >> 3) & {SAMPLE_BUCKETS - 1})"
# The first this many buckets (an eighth of the documents) have their own full-text indexes,
# bucket and vector in one GIN index (migration 0007): a common word's list there is an
# eighth as long, and the bucket range is applied inside the index, where ANDing the whole
# index's bitmap with the sample cost 15 to 25 ms a statement at 100,000 documents. A sample
# stays within them when that keeps at least half the rows wanted (see indexed_buckets).
SAMPLE_INDEXED_BUCKETS = 128


class FacetBits(NamedTuple):
    """The ticked facets as bits: `satisfied` (SQL over d, with `params`) sums the bit of each
    ticked facet a document satisfies; `full` is the value with every bit; `own` (SQL over
    e.value, with `own_params`) is a facet value's own facet's bit."""

    satisfied: str
    params: list
    full: int
    own: str
    own_params: list


class Matching:
    """The WHERE clauses of a search: who may see a document, the words, and the filters
    (values of one facet ORed, facets ANDed), each answered by an index (GIN on the vectors
    and on facet_values as an array)."""

    def __init__(self, restrictions, plan, filters):
        self.plan = plan
        self.filters = [
            (name, [f"{name}={value}" for value in values]) for name, values in filters.items()
        ]
        self.restrictions = list(restrictions)

    def where(self, filters, words=True, rest=True, exact=True):
        """SQL and parameters: `rest` is who may see a document and (with `filters`) the
        ticked facets, all read from the row; `words` the conditions on the TOASTed full
        vector, without the proximity check unless `exact`."""
        conditions, params = [], []
        if rest:
            conditions.append("d.restriction = ANY(%s::text[])")
            params.append(self.restrictions)
            if filters:
                for _, values in self.filters:
                    # Indexed as an array (migration 0007): answered exactly by the index,
                    # where jsonb's ?| made PostgreSQL re-check (de-TOAST) every row.
                    conditions.append("search_facet_array(d.facet_values) && %s::text[]")
                    params.append(values)
        if words and self.plan.indexed:
            # The index answers the loose query; the exact one (proximity) is checked on the
            # rows it finds, written so that the planner cannot pick it for the index.
            conditions.append("d.search_vector @@ to_tsquery('english', %s)")
            params.append(self.plan.indexed)
            if exact:
                conditions.append("coalesce(d.search_vector @@ to_tsquery('english', %s), false)")
                params.append(self.plan.positive)
        elif words and self.plan.positive:
            conditions.append("d.search_vector @@ to_tsquery('english', %s)")
            params.append(self.plan.positive)
        if words and self.plan.negative:
            conditions.append("NOT coalesce(d.search_vector @@ to_tsquery('english', %s), false)")
            params.append(self.plan.negative)
        return " AND ".join(conditions) or "true", params

    def bits(self):
        """FacetBits: a document counts in the total with every bit, and for a value of facet
        X with every bit but X's."""
        satisfied, params, own, own_params = [], [], [], []
        for bit, (name, values) in enumerate(self.filters):
            satisfied.append(f"CASE WHEN d.facet_values ?| %s::text[] THEN {1 << bit} ELSE 0 END")
            params.append(values)
            own.append(f"WHEN %s THEN {1 << bit}")
            own_params.append(name)
        ok = f"({' + '.join(satisfied)})" if satisfied else "0"
        own_sql = f"CASE split_part(e.value, '=', 1) {' '.join(own)} ELSE 0 END" if own else "0"
        return FacetBits(ok, params, (1 << len(self.filters)) - 1, own_sql, own_params)


def buckets_for(wanted, estimate):
    """How many sample buckets give about 1.5 times `wanted` rows of a set of about
    `estimate` rows (all of them when it is small)."""
    if estimate <= 1.5 * wanted:
        return SAMPLE_BUCKETS
    return indexed_buckets(math.ceil(SAMPLE_BUCKETS * 1.5 * wanted / estimate))


def indexed_buckets(buckets):
    """The number of sample buckets to read for `buckets` wanted: at most the indexed ones
    when that keeps at least half the rows wanted (a smaller sample read through the small
    indexes costs less than a larger one through the whole index's bitmaps)."""
    if buckets <= 2 * SAMPLE_INDEXED_BUCKETS:
        return max(1, min(buckets, SAMPLE_INDEXED_BUCKETS))
    return min(buckets, SAMPLE_BUCKETS)
