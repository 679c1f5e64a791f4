"""The Elasticsearch backend, for deployments too large for PostgreSQL's ranking to keep up.

Searches go to an alias (settings.ELASTICSEARCH_ALIAS, "spe-practice" by default) that points at
one timestamped index; `manage.py search_index rebuild` loads a new index and swaps the alias
atomically, so searches never see a half-built index. The mapping is in search/es_documents.py.

Queries are built from the parsed clauses (search.query), never from the raw text, so no input
can reach Elasticsearch's query syntax. BM25 gives the inverse document frequency the database
backend has to compute itself.
"""

import time
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from elasticsearch import ConnectionError as ElasticsearchConnectionError
from elasticsearch import ConnectionTimeout, Elasticsearch, NotFoundError
from elasticsearch.dsl import FacetedSearch, Q, TermsFacet
from elasticsearch.helpers import streaming_bulk

from ... import facets as facet_defs
from ...es_documents import PracticeDocument, context_of
from ...models import PageViewCount
from ...query import NEAR, adjacent_words
from ...vocabulary import MIN_CORRECTABLE
from ..base import MARK_END, MARK_START, SORTS, BackendResult, Hit, SearchBackend

DEFAULT_ALIAS = "spe-practice"
# Title matches count most, then the summary and tag names, then the body (as the database
# backend's A/B/C weights).
FIELDS = ["title^3", "summary^2", "keywords^2", "body"]
# More buckets than any facet has values (43 forces), so no value's count is cut off.
FACET_SIZE = 200
# Documents per bulk request in a rebuild: a few MB of JSON per request, well under
# Elasticsearch's 100 MB limit, and few enough that one slow batch does not time out.
BULK_BATCH = 500
# Pages read from the database per batch while building documents for a rebuild.
READ_BATCH = 200
# "Most viewed" ranks this many of the most-viewed pages by their live counts (the view counter
# is a database table updated on every view, so it is read at query time rather than copied
# into the index, where it would always be stale). Pages below them rank as unviewed; a terms
# filter this long is still far under Elasticsearch's 65,536-term limit.
MOST_VIEWED_LIMIT = 10_000
# Closest words the term suggester offers for a typo, checked against what the user may see.
CORRECTION_CANDIDATES = 5
HIGHLIGHT_FRAGMENTS = 2
# Typo tolerance: words under five letters match exactly (a one-letter change of "CSE" or
# "kids" finds "case" and "kits"), then one edit, and two from eight letters. Measured on the
# judged set (benchmarks/relevance.py): nDCG@10 0.72 with Elasticsearch's default AUTO (one
# edit from three letters), 0.74 with this.
FUZZINESS = "AUTO:5,8"
# A typed pair found as a phrase adds about as much as one more matching word would.
PHRASE_BOOST = 1.0
# What each matched clause adds besides its score (see text_query). Measured on the judged set:
# nDCG@10 0.74 without, 0.77 with 1, 0.80 with 3, 0.83 from 10 (matched clauses first).
CLAUSE_MATCHED = 10.0
HIGHLIGHT_FRAGMENT_CHARS = 160

_clients = {}


def alias():
    return getattr(settings, "ELASTICSEARCH_ALIAS", DEFAULT_ALIAS)


def building_alias():
    """Points at an index while a rebuild loads it, so live index updates reach it too."""
    return alias() + "-building"


def get_client():
    """One client per URL and options, reused across requests for its connection pool.
    settings.ELASTICSEARCH_CLIENT_OPTIONS are passed to the client (tests use it to talk to a
    test server); production uses the plain client."""
    url = settings.ELASTICSEARCH_URL
    if not url:
        raise ImproperlyConfigured("Set ELASTICSEARCH_URL to use the elasticsearch backend")
    options = getattr(settings, "ELASTICSEARCH_CLIENT_OPTIONS", {})
    key = (url, tuple(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _clients:
        _clients[key] = Elasticsearch(url, **{"request_timeout": 10, **options})
    return _clients[key]


def _clause_query(clause):
    """Any one of the clause's alternatives, a document's fields scored together (most_fields:
    a word in the title and the body counts for both, as the database backend's weighted
    vector does). Single unquoted words of five letters or more are typo-tolerant; phrases
    match as phrases, those the reader did not quote with their words near each other (as on
    the database backend); the as-you-type last word also matches as a prefix."""
    alternatives = []
    for i, words in enumerate(clause.alternatives):
        text = " ".join(words)
        if len(words) > 1:
            slop = 0 if clause.quoted else NEAR
            alternatives.append(
                Q("multi_match", query=text, type="phrase", slop=slop, fields=FIELDS)
            )
        elif clause.quoted:
            alternatives.append(Q("multi_match", query=text, fields=FIELDS, type="most_fields"))
        else:
            alternatives.append(
                Q(
                    "multi_match",
                    query=text,
                    fields=FIELDS,
                    type="most_fields",
                    fuzziness=FUZZINESS,
                    prefix_length=1,
                )
            )
        if clause.prefix and i == 0:
            alternatives.append(Q("multi_match", query=text, type="phrase_prefix", fields=FIELDS))
    return alternatives[0] if len(alternatives) == 1 else Q("dis_max", queries=alternatives)


def text_query(parsed):
    """Clauses ORed (each matching clause adds to the score, and pages matching more clauses
    rank first), negated clauses excluded; typed words found together as a phrase add a bonus
    (as on the database backend)."""
    positive = [_clause_query(c) for c in parsed.positive]
    negative = [_clause_query(c) for c in parsed.negative]
    if not positive and not negative:
        return Q("match_all")
    phrases = [
        # Stop words between the typed words keep their positions in the index (the english
        # analyser leaves a gap): "voice of the child" is "voice" and "child" three apart.
        Q(
            "multi_match",
            query=f"{first} {second}",
            type="phrase",
            slop=distance - 1,
            fields=FIELDS,
            boost=PHRASE_BOOST,
        )
        for first, second, distance, _prefix in adjacent_words(parsed)
    ]
    # Each matched clause also adds a constant worth more than a clause's usual score (its
    # BM25 over the fields, a few points), so pages matching more of what was typed rank
    # first, and the scores order pages matching as much: the database backend's
    # coordination. Without it, a word repeated in every field of a page outscored pages
    # with all three words ("safeguarding hub referrals" ranked pages about referring first).
    matched = [Q("constant_score", filter=c, boost=CLAUSE_MATCHED) for c in positive]
    return Q(
        "bool",
        should=positive + phrases + (matched if len(positive) > 1 else []),
        minimum_should_match=1 if positive else 0,
        must_not=negative,
        **({} if positive else {"must": [Q("match_all")]}),
    )


def most_viewed(query):
    """Score = views + 1 for viewed pages (1 for the rest), read from the live counter."""
    counts = list(
        PageViewCount.objects.filter(views__gt=0)
        .order_by("-views", "-page_id")
        .values_list("page_id", "views")[:MOST_VIEWED_LIMIT]
    )
    by_views = {}
    for page_id, views in counts:
        by_views.setdefault(views, []).append(page_id)
    functions = [
        {"filter": Q("terms", page_id=ids), "weight": views + 1} for views, ids in by_views.items()
    ]
    if not functions:
        return query
    return Q(
        "function_score",
        query=query,
        functions=functions,
        score_mode="max",
        boost_mode="replace",
    )


class PracticeSearch(FacetedSearch):
    """Facets whose counts ignore their own selection but respect every other one:
    FacetedSearch filters the hits with post_filter and each facet's aggregation with the other
    facets' filters."""

    doc_types = [PracticeDocument]
    facets = {
        name: TermsFacet(field=f"facets.{name}", size=FACET_SIZE)
        for name in facet_defs.FACET_NAMES
    }

    def __init__(self, request, using):
        self.request = request
        self.using = using
        self.index = alias()
        sort = request.sort
        if sort == "relevance" and not request.query.positive:
            sort = "newest"
        self.sort_name = sort
        super().__init__(request.query, request.filters, [])

    def search(self):
        s = super().search()
        # Exact totals: the count shown and the number of pages depend on it.
        s = s.extra(track_total_hits=True)
        return s.filter("terms", restriction=self.request.restrictions).source(
            excludes=["body", "vocabulary", "suggest", "keywords"]
        )

    def query(self, search, query):
        # FacetedSearch's default is a multi_match without fuzziness or prefixes.
        built = text_query(query)
        if self.sort_name == "most-viewed":
            built = most_viewed(built)
        return search.query(built)

    def highlight(self, search):
        return search.highlight(
            "summary",
            "body",
            number_of_fragments=HIGHLIGHT_FRAGMENTS,
            fragment_size=HIGHLIGHT_FRAGMENT_CHARS,
        ).highlight_options(pre_tags=[MARK_START], post_tags=[MARK_END], encoder="default")

    def build_search(self):
        s = super().build_search()
        if self.request.query.positive:
            s = self.highlight(s)
        return s

    def sort(self, search):
        newest = [{"published_date": "desc"}, {"page_id": "desc"}]
        if self.sort_name == "newest":
            return search.sort(*newest)
        return search.sort("_score", *newest)


def _repair(fragment):
    """A marker pair for every match: the test server (osmem) drops the start marker of a
    match at the very start of a field, which would leave an unpaired end marker."""
    if fragment.count(MARK_END) > fragment.count(MARK_START) and not fragment.startswith(
        MARK_START
    ):
        return MARK_START + fragment
    return fragment


def _highlight(hit):
    parts = getattr(hit.meta, "highlight", None)
    if parts is None:
        return ""
    fragments = [_repair(f) for name in ("summary", "body") for f in getattr(parts, name, [])]
    text = " … ".join(fragments)
    return text if MARK_START in text else ""


def _hit(source, score=0.0, highlight=""):
    published = source["published_date"]
    if isinstance(published, str):
        published = date.fromisoformat(published[:10])
    elif isinstance(published, datetime):
        published = published.date()
    return Hit(
        page_id=int(source["page_id"]),
        external_id=source.get("external_id", ""),
        title=source["title"],
        url=source.get("url", ""),
        summary=source.get("summary", ""),
        force=source.get("force", ""),
        published_date=published,
        highlight=highlight,
        score=float(score or 0.0),
    )


class ElasticsearchBackend(SearchBackend):
    # Unreachable or timing out: searches are answered from the database meanwhile.
    unavailable_errors = (ElasticsearchConnectionError, ConnectionTimeout)

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = get_client()
        return self._client

    # Index lifecycle

    def new_index_name(self):
        return f"{alias()}-{timezone.now():%Y%m%d%H%M%S%f}"

    def create_index(self, name=None, aliases=()):
        name = name or self.new_index_name()
        index = PracticeDocument._index.clone(name)
        index.aliases(**{a: {} for a in aliases})
        index.create(using=self.client)
        return name

    def aliased(self):
        """{index name: set of its aliases} for this site's indices (named after the alias)."""
        try:
            body = self.client.indices.get_alias(index=f"{alias()}-*").body
        except NotFoundError:
            return {}
        return {name: set(value.get("aliases", {})) for name, value in body.items()}

    def indices_of(self, name, aliased=None):
        aliased = self.aliased() if aliased is None else aliased
        return sorted(index for index, names in aliased.items() if name in names)

    def ensure_index(self):
        """Create an index behind the alias unless there is one. Returns (index, created)."""
        existing = self.indices_of(alias())
        if existing:
            return existing[0], False
        return self.create_index(aliases=[alias()]), True

    def rebuild(self, page_ids, build, out=None):
        """New index, bulk load, atomic alias swap, old index deleted. Searches use the old
        index until the swap; live updates during the load go to both (see _write_targets)."""
        old = self.indices_of(alias())
        new = self.create_index(aliases=[building_alias()])
        loaded = 0
        started = time.monotonic()

        def actions():
            for start in range(0, len(page_ids), READ_BATCH):
                for page_id in page_ids[start : start + READ_BATCH]:
                    document = build(page_id)
                    if document is not None:
                        yield self._action(document, new)

        bulk_client = self.client.options(request_timeout=120)
        # raise_on_error: a refused document stops the rebuild before the swap, so the alias
        # never points at an index missing pages.
        for _ok, _item in streaming_bulk(
            bulk_client, actions(), chunk_size=BULK_BATCH, raise_on_error=True
        ):
            loaded += 1
            if out and loaded % BULK_BATCH == 0:
                out(f"  {loaded} documents loaded ({time.monotonic() - started:.1f}s)")
        self.client.indices.refresh(index=new)
        actions_ = [{"remove": {"index": name, "alias": alias()}} for name in old]
        actions_ += [
            {"add": {"index": new, "alias": alias()}},
            {"remove": {"index": new, "alias": building_alias()}},
        ]
        self.client.indices.update_aliases(actions=actions_)
        for name in old:
            self.client.indices.delete(index=name)
        if out:
            out(f"Loaded {loaded} document(s) into {new}; alias now points at it.")
            if old:
                out(f"Deleted old index {', '.join(old)}.")
        return loaded

    # Indexing

    def _action(self, document, index):
        return {
            "_op_type": "index",
            "_index": index,
            "_id": document.page_id,
            "_source": PracticeDocument.from_document(document).to_dict(),
        }

    def _write_targets(self):
        """The live index, and the one a rebuild is loading (if any), so that the rebuilt
        index does not miss a page published while it loads."""
        aliased = self.aliased()
        targets = self.indices_of(alias(), aliased) + self.indices_of(building_alias(), aliased)
        if not targets:
            targets = [self.ensure_index()[0]]
        return targets

    def _bulk(self, actions):
        # wait_for: the index update is visible to searches when the task finishes, so a
        # published page is findable right after its task, without forcing a refresh.
        response = self.client.bulk(operations=actions, refresh="wait_for")
        errors = [
            item
            for item in response["items"]
            for op, result in item.items()
            if result.get("status", 200) >= 300
            and not (op == "delete" and result.get("status") == 404)
        ]
        if errors:
            raise RuntimeError(f"Elasticsearch refused index updates: {errors[:3]}")

    def upsert(self, documents):
        documents = list(documents)
        if not documents:
            return
        operations = []
        for index in self._write_targets():
            for doc in documents:
                operations.append({"index": {"_index": index, "_id": doc.page_id}})
                operations.append(PracticeDocument.from_document(doc).to_dict())
        self._bulk(operations)

    def delete(self, page_ids):
        page_ids = list(page_ids)
        if not page_ids:
            return
        operations = [
            {"delete": {"_index": index, "_id": page_id}}
            for index in self._write_targets()
            for page_id in page_ids
        ]
        self._bulk(operations)

    def clear(self):
        self.ensure_index()
        self.client.delete_by_query(
            index=alias(), query={"match_all": {}}, refresh=True, conflicts="proceed"
        )

    # Searching

    def search(self, request):
        if request.sort not in SORTS:
            raise ValueError(f"Unknown sort {request.sort!r}")
        faceted = PracticeSearch(request, self.client)
        faceted = faceted[request.offset : request.offset + request.limit]
        response = faceted.execute()
        counts = {}
        for name in facet_defs.FACET_NAMES:
            buckets = response.aggregations[f"_filter_{name}"][name].buckets
            counts[name] = {b.key: b.doc_count for b in buckets if b.doc_count}
        hits = [_hit(hit.to_dict(), hit.meta.score, _highlight(hit)) for hit in response.hits]
        return BackendResult(response.hits.total.value, hits, counts)

    def suggest(self, prefix, restrictions, limit):
        prefix = " ".join(prefix.split())[:100]
        if not prefix:
            return []
        response = self.client.search(
            index=alias(),
            source=["title", "url", "page_id"],
            suggest={
                "titles": {
                    "prefix": prefix,
                    "completion": {
                        "field": "suggest",
                        # A few spare: one page can complete through several of its words.
                        "size": limit * 2,
                        "contexts": {"restriction": [context_of(r) for r in restrictions]},
                    },
                }
            },
        )
        seen, results = set(), []
        for option in response["suggest"]["titles"][0]["options"]:
            source = option["_source"]
            if source["page_id"] not in seen:
                seen.add(source["page_id"])
                results.append({"title": source["title"], "url": source["url"]})
        return results[:limit]

    def related(self, page_id, restrictions, limit):
        try:
            source = self.client.get(index=alias(), id=page_id)["_source"]
        except NotFoundError:
            return []
        facets = source.get("facets", {})
        shared = [
            Q("terms", **{f"facets.{name}": facets[name]}, boost=2 if name == "theme" else 1)
            for name in ("criterion", "theme", "audience")
            if facets.get(name)
        ]
        if not shared:
            return []
        like = Q(
            "more_like_this",
            fields=["title", "summary", "keywords"],
            like=[{"_index": alias(), "_id": str(page_id)}],
            min_term_freq=1,
            min_doc_freq=1,
        )
        # Sharing tags is required (as in the database backend); more_like_this then ranks
        # the pages whose words are most alike.
        query = Q(
            "bool",
            must=[Q("bool", should=shared, minimum_should_match=1)],
            should=[like],
            filter=[Q("terms", restriction=restrictions)],
            must_not=[Q("ids", values=[str(page_id)])],
        )
        response = self.client.search(
            index=alias(),
            query=query.to_dict(),
            sort=["_score", {"published_date": "desc"}, {"page_id": "desc"}],
            size=limit,
            source={"excludes": ["body", "vocabulary", "suggest"]},
        )
        return [_hit(h["_source"], h.get("_score")) for h in response["hits"]["hits"]]

    def corrections(self, words, restrictions):
        candidates = [w for w in dict.fromkeys(words) if len(w) >= MIN_CORRECTABLE and w.isalpha()]
        if not candidates:
            return {}
        visible = {"terms": {"restriction": list(restrictions)}}

        def in_visible(condition):
            return {"filter": {"bool": {"filter": [condition, visible]}}}

        # First: whether each word begins a word of a document the user may see (unfinished
        # as-you-type words are not typos), and the term suggester's closest words. The
        # suggester reads the whole index, whoever may see it, and a deleted document's words
        # linger in it until its segment merges: its options are only candidates.
        response = self.client.search(
            index=alias(),
            size=0,
            aggs={
                f"prefix{i}": in_visible({"prefix": {"vocabulary": word}})
                for i, word in enumerate(candidates)
            },
            suggest={
                "text": " ".join(candidates),
                "words": {
                    "term": {
                        "field": "vocabulary",
                        "suggest_mode": "always",
                        "min_word_length": MIN_CORRECTABLE,
                        "prefix_length": 1,
                        "size": CORRECTION_CANDIDATES,
                    }
                },
            },
        )
        known_prefixes = {
            word
            for i, word in enumerate(candidates)
            if response["aggregations"][f"prefix{i}"]["doc_count"]
        }
        options = {}
        for entry in response["suggest"]["words"]:
            word = entry["text"]
            if word in candidates and word not in known_prefixes:
                options[word] = [o["text"] for o in entry["options"] if o["text"] != word]
        wanted = sorted({option for found in options.values() for option in found})
        if not wanted:
            return {}
        # Then: which candidates a live document the user may see holds now.
        response = self.client.search(
            index=alias(),
            size=0,
            aggs={
                f"word{i}": in_visible({"term": {"vocabulary": option}})
                for i, option in enumerate(wanted)
            },
        )
        held = {
            option
            for i, option in enumerate(wanted)
            if response["aggregations"][f"word{i}"]["doc_count"]
        }
        corrected = {}
        for word, found in options.items():
            best = next((option for option in found if option in held), None)
            if best:
                corrected[word] = best
        return corrected
