"""Search speed: p50/p95 latency of faceted searches at growing corpus sizes, on PostgreSQL.

Usage: python benchmarks/search_speed.py [--sizes 1000,10000] [--queries N] [--seed S]
       [--database NAME] [--reuse] [--no-stock]

The default sizes keep `make bench` within a few minutes on a 2-core machine; run 100,000 with
--sizes 100000 (about 10 minutes, most of it generating and indexing the documents).

In a scratch database (spe_bench_search_speed, or --database) it imports
sample_data/practice.jsonl, then adds synthetic case studies until the index holds each
size: titles, summaries and body text sampled from the shared corpus (sentences recombined, so
the length and vocabulary are the corpus's), with criteria, themes, audiences, forces, years,
evidence levels, outcomes and stages drawn with a realistic skew. Rows go straight into the
tables in batches, not through Wagtail's page API (creating 100,000 pages one by one takes
hours):

- wagtailcore_page and practice_practicepage rows, so Wagtail's stock search has live pages;
- search_searchdocument and search_searchfacet rows, with the same weighted tsvector the
  database backend writes (search.backends.database.DatabaseBackend.upsert), then the
  per-lexeme document frequencies recounted (DatabaseBackend.refresh_statistics);
- wagtailsearch_indexentry rows, written by Wagtail's own PostgreSQL index (add_items).

Then VACUUM and ANALYZE, and for each size it times the same query mix (1-3 words, 0-2
filters, sorted by relevance, first page with facet counts) through search.service.search() on
the database backend, next to Wagtail's stock search for the same words
(PracticePage.objects.live().search(q): first page of 20 and the count, as a results page
needs; the stock search has no facets, so it runs without the filters), and one
10,000-character query on each. "median hits" is the median count shown for the first
searches of the mix (an estimate where the count is approximate); "about" gives the share of
the timed searches whose count, and whose facet counts, were estimates from a sample. Then it
times as-you-type suggestions (service.suggest) for typed prefixes and related practice
(service.related) for random pages, as the search box and practice pages ask for them.

--reuse keeps the scratch database of an earlier run (generating 100,000 documents takes
about 7 minutes) and only adds documents: sizes below what it already holds are skipped.
"""

import argparse
import logging
import os
import random
import re
import time
import uuid
from datetime import date, timedelta

from _setup import DEFAULT_SERVER, SAMPLE_DATA, django_setup, percentile, scratch_database
from _targets import Report

# Rows per INSERT and per Wagtail add_items call: large enough to amortise round trips, small
# enough that one batch's SQL stays a few MB.
BATCH = 1000
WARM_UP = 20
RESULTS_PAGE = 20
LONG_QUERY_CHARS = 10_000
LONG_QUERY_RUNS = 5

# What people type: 1-3 words, acronyms and phrases (from benchmarks/data/queries.tsv and
# the search log of the demo). Some are rare, some match a large share of the corpus.
QUERY_WORDS = [
    "MASH",
    "CSE",
    "county lines",
    "missing children",
    "runaway",
    "PPN quality",
    "domestic abuse",
    "MARAC",
    "custody overnight",
    "appropriate adult",
    "stop and search",
    "sextortion",
    "indecent images",
    "misper",
    "return interview",
    "call handlers",
    "training",
    "FGM",
    "schools",
    "sex offender",
    "LADO",
    "trauma informed",
    "neglect",
    "trafficking",
    "voice of child",
    "strategy discussion",
    "inspection recommendations",
    "babies",
    "exploitation",
    "mental health",
    "police protection",
    "CCE",
    "looked after children",
    "body worn",
    "early help",
    "risk assessment",
    "online grooming",
    "referrals",
    "partnership",
    "audit",
]
# What people type into the search box before they finish (as-you-type suggestions), and how
# many practice pages' related practice is timed.
TYPED_PREFIXES = [
    "mas",
    "mash",
    "cus",
    "custo",
    "custody",
    "sext",
    "chi",
    "child",
    "county l",
    "trau",
    "ret",
    "return int",
    "appr",
    "domestic a",
    "neg",
    "exp",
    "expl",
    "online g",
    "lado",
    "sch",
    "voi",
    "misp",
]
RELATED_PAGES = 40
# Share of searches with 0, 1 and 2 filters ticked.
FILTER_COUNTS = [0] * 4 + [1] * 4 + [2] * 2
FILTER_FACETS = ["criterion", "theme", "audience", "force", "region", "evidence", "year"]


def server_url():
    return os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER)


def database_exists(name):
    import psycopg

    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def zipf_weights(n, s=1.0):
    return [1 / (rank**s) for rank in range(1, n + 1)]


class Generator:
    """Synthetic case studies that read like the shared corpus."""

    def __init__(self, rng, records, taxonomy):
        self.rng = rng
        split = re.compile(r"(?<=[.!?])\s+")
        self.titles = [r["title"] for r in records]
        self.summaries = [s for r in records for s in split.split(r["summary"]) if s]
        self.body = {
            name: [s for r in records for s in split.split(r.get(name, "")) if s]
            for name in ("problem", "approach", "outcomes", "implementation")
        }
        self.roles = [r["contact_role"] for r in records if r.get("contact_role")]
        self.taxonomy = taxonomy
        # A few big forces publish most of the practice, as in real life.
        forces = taxonomy["forces"][:]
        rng.shuffle(forces)
        self.forces = forces
        self.force_weights = zipf_weights(len(forces), 0.8)
        self.tag_weights = {
            name: zipf_weights(len(taxonomy[name]), 0.7)
            for name in ("criteria", "themes", "audiences")
        }

    def _sentences(self, pool, low, high):
        return " ".join(self.rng.choice(pool) for _ in range(self.rng.randint(low, high)))

    def _tags(self, name, low, high):
        values = self.taxonomy[name]
        chosen = set(
            self.rng.choices(values, self.tag_weights[name], k=self.rng.randint(low, high))
        )
        return sorted(chosen, key=lambda t: t.pk)

    def title(self):
        first, second = self.rng.sample(self.titles, 2)
        a, b = first.split(), second.split()
        return " ".join(a[: max(2, len(a) // 2)] + b[len(b) // 2 :])

    def record(self):
        rng = self.rng
        # Most practice is recent: years weighted towards the last few.
        year = rng.choices(range(2015, 2027), weights=range(1, 13))[0]
        return {
            "title": self.title(),
            "summary": self._sentences(self.summaries, 1, 2),
            "problem": self._sentences(self.body["problem"], 2, 4),
            "approach": self._sentences(self.body["approach"], 2, 5),
            "outcomes": self._sentences(self.body["outcomes"], 1, 3),
            "implementation": self._sentences(self.body["implementation"], 1, 4),
            "contact_role": rng.choice(self.roles),
            "force": rng.choices(self.forces, self.force_weights)[0],
            "criteria": self._tags("criteria", 1, 3),
            "themes": self._tags("themes", 1, 4),
            "audiences": self._tags("audiences", 1, 3),
            "evidence": rng.choices(self.taxonomy["evidence"], weights=[6, 3, 1])[0],
            "outcome": rng.choices(["worked", "promising", "did-not-work"], weights=[5, 4, 1])[0],
            "stage": rng.choices(
                ["untested", "evaluated-locally", "independently-evaluated"], weights=[5, 3, 1]
            )[0],
            "published": date(year, 1, 1) + timedelta(days=rng.randrange(365)),
        }


def allocate_page_ids(count):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('wagtailcore_page', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_batch(generator, parent, start_number, count, context):
    """Insert `count` generated case studies: pages, search documents and facets, and Wagtail's
    index entries. Returns the new page ids."""
    from django.utils import timezone
    from wagtail.models import Page

    from practice.models import PracticePage
    from search.models import SearchDocument, SearchFacet

    now = timezone.now()
    ids = allocate_page_ids(count)
    pages, documents, facets = [], [], []
    for offset, page_id in enumerate(ids):
        number = start_number + offset
        record = generator.record()
        slug = f"generated-{number}"
        page = PracticePage(
            id=page_id,
            page_ptr_id=page_id,
            title=record["title"],
            draft_title=record["title"],
            slug=slug,
            path=parent.path + Page._int2str(number).rjust(Page.steplen, "0"),
            depth=parent.depth + 1,
            numchild=0,
            url_path=f"{parent.url_path}{slug}/",
            content_type_id=context["content_type_id"],
            locale_id=parent.locale_id,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            external_id=f"gen-{number:06d}",
            summary=record["summary"],
            published_date=record["published"],
            force=record["force"],
            problem=f"<p>{record['problem']}</p>",
            approach=f"<p>{record['approach']}</p>",
            outcomes=f"<p>{record['outcomes']}</p>",
            implementation=f"<p>{record['implementation']}</p>",
            evidence_level=record["evidence"],
            outcome=record["outcome"],
            stage=record["stage"],
            contact_role=record["contact_role"],
        )
        pages.append(page)
        tags = [*record["criteria"], *record["themes"], *record["audiences"]]
        force = record["force"]
        documents.append(
            SearchDocument(
                page_id=page_id,
                external_id=page.external_id,
                title=page.title,
                summary=record["summary"],
                keywords=" ".join(t.name for t in tags),
                # As search.documents.build joins the parts: sections, then force and role.
                body="\n\n".join(
                    [
                        record["problem"],
                        record["approach"],
                        record["outcomes"],
                        record["implementation"],
                        force.name,
                        record["contact_role"],
                    ]
                ),
                url=f"/practice/{slug}/",
                force=force.name,
                published_date=record["published"],
            )
        )
        values = {
            "criterion": [t.slug for t in record["criteria"]],
            "theme": [t.slug for t in record["themes"]],
            "audience": [t.slug for t in record["audiences"]],
            "force": [force.slug],
            "region": [context["regions"][force.region_id]] if force.region_id else [],
            "evidence": [record["evidence"].slug],
            "outcome": [record["outcome"]],
            "stage": [record["stage"]],
            "year": [str(record["published"].year)],
        }
        facets.extend(
            SearchFacet(document_id=page_id, facet=name, value=value)
            for name, vals in values.items()
            for value in vals
        )
    # Page rows, then the practice rows that extend them (Django's bulk_create refuses
    # multi-table inheritance, so each table gets its own multi-row INSERT, as bulk_create
    # itself does internally).
    Page._base_manager._insert(pages, fields=Page._meta.local_concrete_fields)
    PracticePage._base_manager._insert(pages, fields=PracticePage._meta.local_concrete_fields)
    SearchDocument.objects.bulk_create(documents)
    SearchFacet.objects.bulk_create(facets)
    # Wagtail's own indexer builds the stock search's rows exactly as publishing would.
    context["wagtail_index"].add_items(PracticePage, pages)
    return ids


def grow_to(size, generator, context):
    """Add generated case studies until the search index holds `size` documents."""
    from django.db import connection, transaction

    from search.models import SearchDocument

    parent = context["parent"]
    have = SearchDocument.objects.count()
    if have >= size:
        return 0
    start = time.perf_counter()
    added = 0
    while have + added < size:
        count = min(BATCH, size - have - added)
        with transaction.atomic():
            insert_batch(generator, parent, context["next_number"], count, context)
        context["next_number"] += count
        added += count
    with connection.cursor() as cursor:
        # The same vector as DatabaseBackend.upsert: title A, summary and tags B, body C.
        cursor.execute(
            "UPDATE search_searchdocument SET search_vector = "
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(summary, '') || ' ' || "
            "coalesce(keywords, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(body, '')), 'C') "
            "WHERE search_vector IS NULL"
        )
        cursor.execute(
            "UPDATE wagtailcore_page SET numchild = %s WHERE id = %s",
            [context["next_number"] - 1, parent.pk],
        )
    refresh_statistics()
    print(f"  generated {added} case studies in {time.perf_counter() - start:.0f} s", flush=True)
    return added


def refresh_statistics(compact=True):
    """The document frequencies the backend keeps on upsert, recounted for the rows written
    here directly (and the head vector and facet values it derives, for rows without them);
    then the documents table compacted (after generating) and vacuumed, and ANALYZE.

    The bulk load writes every row three times (insert, vectors, derived columns); VACUUM
    FULL leaves the table as a rebuild of the index would, and the plain VACUUM after it
    sets the visibility map, as autovacuum does on a live site."""
    from django.db import connection

    from search.backends import get_backend

    get_backend("database").refresh_statistics()
    with connection.cursor() as cursor:
        if compact:
            cursor.execute("VACUUM (FULL) search_searchdocument")
        cursor.execute("VACUUM search_searchdocument")
        cursor.execute("ANALYZE")


def query_mix(rng, count, facet_values):
    mix = []
    for _ in range(count):
        filters = {}
        for facet in rng.sample(FILTER_FACETS, rng.choice(FILTER_COUNTS)):
            filters[facet] = [rng.choice(facet_values[facet])]
        mix.append((rng.choice(QUERY_WORDS), filters))
    return mix


def long_query(rng, generator):
    words = " ".join(generator.summaries).split()
    text = ""
    while len(text) < LONG_QUERY_CHARS:
        text += rng.choice(words) + " "
    return text[:LONG_QUERY_CHARS]


def machine_reference():
    """Milliseconds PostgreSQL takes to parse the shared corpus's 120 case studies into
    tsvectors, best of five: CPU work the portal's code does not change, printed with the
    results so that runs on machines of different speeds can be compared (the same code gave
    p95 85 ms on one machine of this kind and 40 ms on another)."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for _ in range(5):
            start = time.perf_counter()
            cursor.execute(
                "SELECT sum(length(to_tsvector('english', title || ' ' || summary || ' ' "
                "|| body))) FROM search_searchdocument WHERE external_id LIKE 'prac-%%'"
            )
            cursor.fetchone()
            timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


def time_calls(function, arguments):
    timings = []
    for args in arguments:
        start = time.perf_counter()
        function(*args)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def stock_long(timings):
    return f"{percentile(timings, 0.5):5.1f}ms" if timings else "  error"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per size")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--no-stock",
        action="store_true",
        help="skip Wagtail's stock search (at 100,000 it takes most of the run)",
    )
    parser.add_argument("--database", default="spe_bench_search_speed", help="scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the scratch database of an earlier run and only add documents",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time the searches this many times over and print each pass's p50 and p95 "
        "(this kind of machine drifts by a fifth within minutes: one pass can mislead)",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    if args.reuse and database_exists(args.database):
        os.environ["DATABASE_URL"] = f"{server_url()}/{args.database}"
    else:
        args.reuse = False
        scratch_database(args.database)
    django_setup()
    # Tasks run inline on the dev settings; their per-task log lines would bury the results.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)

    import json

    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backend

    from practice.importer import import_practice
    from practice.models import PracticeIndexPage, PracticePage
    from search import service
    from search.models import SearchDocument
    from taxonomy.models import Audience, Criterion, EvidenceLevel, Organisation, Region, Theme

    records = [json.loads(line) for line in (SAMPLE_DATA / "practice.jsonl").open()]
    have = SearchDocument.objects.count() if args.reuse else 0
    if args.reuse:
        print(f"reusing {args.database}: {have:,} documents", flush=True)
        skipped = [size for size in sizes if size < have]
        if skipped:
            print(f"  skipping sizes below that: {skipped}", flush=True)
        sizes = [size for size in sizes if size >= have]
        # Migrations may have added tables (or columns) the earlier run did not fill; the
        # table was compacted when it was generated.
        refresh_statistics(compact=False)
    else:
        import_practice(SAMPLE_DATA / "practice.jsonl")
    rng = random.Random(args.seed)
    # The 43 territorial forces of taxonomy.json (those with a region), not the fictional
    # forces of the sample file.
    forces = list(Organisation.objects.filter(kind="force", region__isnull=False).order_by("pk"))
    taxonomy = {
        "criteria": list(Criterion.objects.order_by("pk")),
        "themes": list(Theme.objects.order_by("pk")),
        "audiences": list(Audience.objects.order_by("pk")),
        "forces": forces,
        "evidence": [
            EvidenceLevel.objects.get(slug=s) for s in ("emerging", "promising", "evaluated")
        ],
    }
    generator = Generator(rng, records, taxonomy)
    parent = PracticeIndexPage.objects.get()
    last = parent.get_children().order_by("-path").first()
    context = {
        "parent": parent,
        "next_number": PracticePage._str2int(last.path[-PracticePage.steplen :]) + 1,
        "content_type_id": ContentType.objects.get_for_model(PracticePage).pk,
        "regions": dict(Region.objects.values_list("pk", "slug")),
        "wagtail_index": get_search_backend().get_index_for_model(PracticePage),
    }
    facet_values = {
        "criterion": [t.slug for t in taxonomy["criteria"]],
        "theme": [t.slug for t in taxonomy["themes"]],
        "audience": [t.slug for t in taxonomy["audiences"]],
        "force": [f.slug for f in forces],
        "region": sorted({context["regions"][f.region_id] for f in forces}),
        "evidence": ["emerging", "promising", "evaluated"],
        "year": [str(y) for y in range(2016, 2027)],
    }
    mix = query_mix(rng, args.queries, facet_values)
    long_text = long_query(rng, generator)

    def ours(text, filters):
        results = service.search(text, filters, sort="relevance", backend="database")
        return results.count, results.facets, results.count_approximate, results.facets_approximate

    def stock(text):
        if args.no_stock:
            return 0, 0
        results = PracticePage.objects.live().search(text)
        return len(results[:RESULTS_PAGE]), results.count()

    def suggest(prefix):
        return service.suggest(prefix, backend="database")

    def related(page_id):
        return service.related(page_id, backend="database")

    rows, extras = [], []
    for size in sizes:
        print(f"size {size}:", flush=True)
        grow_to(size, generator, context)
        for text, filters in mix[:WARM_UP]:
            ours(text, filters)
            stock(text)
        counts = [ours(text, filters)[0] for text, filters in mix[:WARM_UP]]
        passes = [time_calls(ours, mix) for _ in range(args.repeat)]
        ours_ms = passes[-1]
        if args.repeat > 1:
            for number, timings in enumerate(passes, start=1):
                print(
                    f"  pass {number}: p50 {percentile(timings, 0.5):.1f}ms "
                    f"p95 {percentile(timings, 0.95):.1f}ms"
                )
            p95s = sorted(percentile(timings, 0.95) for timings in passes)
            print(
                f"  p95 over {args.repeat} passes: lowest {p95s[0]:.1f}ms, median "
                f"{percentile(p95s, 0.5):.1f}ms, highest {p95s[-1]:.1f}ms "
                "(the table shows the last pass)",
                flush=True,
            )
        stock_ms = time_calls(stock, [(text,) for text, _ in mix])
        long_ours = time_calls(ours, [(long_text, {})] * LONG_QUERY_RUNS)
        # How many of the timed searches said "about" (counted again, untimed).
        flags = [ours(text, filters)[2:] for text, filters in mix]
        approximate = (
            sum(count for count, _ in flags) / len(flags),
            sum(facets for _, facets in flags) / len(flags),
        )
        try:
            long_stock = time_calls(stock, [(long_text,)] * LONG_QUERY_RUNS)
        except RecursionError:
            # Wagtail nests one expression per word; a long enough query exceeds Python's
            # recursion limit (a 500 on a site that passes user input straight through).
            long_stock = None
        for prefix in TYPED_PREFIXES[:WARM_UP]:
            suggest(prefix)
        suggest_ms = time_calls(suggest, [(prefix,) for prefix in TYPED_PREFIXES])
        pages = rng.sample(
            list(SearchDocument.objects.values_list("pk", flat=True)), RELATED_PAGES
        )
        related_ms = time_calls(related, [(pk,) for pk in pages])
        rows.append((size, ours_ms, stock_ms, long_ours, long_stock, counts, approximate))
        extras.append((size, suggest_ms, related_ms))

    print(
        f"\nmachine reference (parsing the 120 shared case studies): {machine_reference():.1f} ms"
    )
    print(
        f"{len(mix)} searches per size ({WARM_UP} warm-up first); "
        f"long query: {LONG_QUERY_CHARS:,} characters, median of {LONG_QUERY_RUNS}"
    )
    print(
        f"{'documents':>10} | {'service p50':>11} {'p95':>7} {'long':>7} | "
        f"{'stock p50':>9} {'p95':>7} {'long':>7} | {'median hits':>11} | "
        f"{'about: count':>12} {'facets':>6}"
    )
    for size, ours_ms, stock_ms, long_ours, long_stock, counts, approximate in rows:
        print(
            f"{size:>10,} | {percentile(ours_ms, 0.5):9.1f}ms {percentile(ours_ms, 0.95):5.1f}ms "
            f"{percentile(long_ours, 0.5):5.1f}ms | "
            f"{percentile(stock_ms, 0.5):7.1f}ms {percentile(stock_ms, 0.95):5.1f}ms "
            f"{stock_long(long_stock)} | {percentile(counts, 0.5):11,} | "
            f"{approximate[0]:12.0%} {approximate[1]:6.0%}"
        )
    print(
        f"\nas-you-type suggestions for {len(TYPED_PREFIXES)} typed prefixes, related practice "
        f"of {RELATED_PAGES} random pages"
    )
    print(f"{'documents':>10} | {'suggest p50':>11} {'p95':>7} | {'related p50':>11} {'p95':>7}")
    for size, suggest_ms, related_ms in extras:
        print(
            f"{size:>10,} | {percentile(suggest_ms, 0.5):9.1f}ms "
            f"{percentile(suggest_ms, 0.95):5.1f}ms | {percentile(related_ms, 0.5):9.1f}ms "
            f"{percentile(related_ms, 0.95):5.1f}ms"
        )
    report = Report("search_speed")
    for size, ours_ms, stock_ms, long_ours, _, _, _ in rows:
        at = f"at {size:,} documents"
        report.add(f"search p95 ms {at}", percentile(ours_ms, 0.95), target_name="search p95 ms")
        report.add(
            f"long query p50 ms {at}", percentile(long_ours, 0.5), target_name="long query p50 ms"
        )
        if not args.no_stock:
            report.add(f"Wagtail stock p95 ms {at}", percentile(stock_ms, 0.95), baseline=True)
    for size, suggest_ms, related_ms in extras:
        at = f"at {size:,} documents"
        report.add(
            f"suggest p95 ms {at}", percentile(suggest_ms, 0.95), target_name="suggest p95 ms"
        )
        report.add(
            f"related p95 ms {at}", percentile(related_ms, 0.95), target_name="related p95 ms"
        )
    report.finish()


if __name__ == "__main__":
    main()
