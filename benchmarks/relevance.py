"""Search relevance: nDCG@10 and recall@20 of each search backend on a judged set of queries.

Usage: python benchmarks/relevance.py [--queries Q] [--qrels R] [--verbose]

Imports sample_data/practice.jsonl into a scratch database (spe_bench_relevance), builds the
search index, then runs every query in Q (TREC topics: "qid<TAB>query text") and scores the
ranking against the judgements in R (TREC qrels: "qid 0 external_id grade", grades 0-3):

- database: the search API (GET /api/v1/search) on the PostgreSQL backend;
- elasticsearch: the same API on the Elasticsearch backend, served by osmem-server (an in-memory
  OpenSearch-compatible server) when the osmem-server package is installed;
- wagtail-stock: Wagtail's own page search, PracticePage.objects.live().search(q), as called by
  default, on Wagtail's default database backend.

nDCG@10 uses the grades as linear gains (as trec_eval's ndcg_cut does) and log2 discounts, the
ideal ranking being every judged document in grade order; recall@20 is the share of documents
graded 1 or more that appear in the first 20 results. Queries with no relevant documents are
skipped. --verbose adds one line per query and backend.

The judged queries are split in two halves, reported separately: the tuning half (odd-numbered
queries, q01, q03, ...) is the one to look at when tuning the ranking, the glossary or the
Elasticsearch constants; the held-out half (even-numbered) is not, so that a gain that only
holds on the queries it was tuned on shows as a gap between the two. Every figure is printed
against its target in benchmarks/targets.toml; the script exits non-zero when one is past it,
or when a system asked for cannot be measured.
"""

import argparse
import logging
import math
import sys
from collections import defaultdict
from pathlib import Path

from _setup import ROOT, SAMPLE_DATA, django_setup, scratch_database
from _targets import Report

HERE = Path(__file__).resolve().parent
CUTOFF_NDCG = 10
CUTOFF_RECALL = 20
HALVES = ("tuning", "held-out")


def half_of(qid):
    """The tuning half holds the odd-numbered queries, the held-out half the even ones."""
    digits = "".join(ch for ch in qid if ch.isdigit())
    return HALVES[int(digits) % 2 == 0] if digits else HALVES[1]


def read_queries(path):
    queries = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        qid, sep, text = line.partition("\t")
        if not sep or not text.strip():
            sys.exit(f"{path}:{number}: expected 'qid<TAB>query text'")
        queries[qid.strip()] = text.strip()
    return queries


def read_qrels(path):
    qrels = defaultdict(dict)
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            sys.exit(f"{path}:{number}: expected 'qid 0 external_id grade'")
        qrels[parts[0]][parts[2]] = int(parts[3])
    return qrels


def ndcg(ranking, judged, k=CUTOFF_NDCG):
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    best = sum(grade / math.log2(i + 2) for i, grade in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranking, judged, k=CUTOFF_RECALL):
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def api_ranking(client, query):
    """External ids of the first page (20 results) of GET /api/v1/search?q=query."""
    response = client.get("/api/v1/search", {"q": query})
    if response.status_code != 200:
        sys.exit(f"/api/v1/search?q={query!r} answered {response.status_code}: {response.content}")
    return [hit["external_id"] for hit in response.json()["results"]]


def stock_ranking(query):
    from practice.models import PracticePage

    results = PracticePage.objects.live().search(query)[:CUTOFF_RECALL]
    return [page.external_id for page in results]


def start_elasticsearch():
    """Point the elasticsearch backend at a fresh osmem-server and load the index into it.
    Returns (server, None), or (None, why it could not start)."""
    from django.conf import settings

    try:
        from osmem_server import OsmemError, OsmemServer
    except ImportError:
        return None, "osmem-server is not installed"
    try:
        server = OsmemServer.start(japanese=False)
    except (OsmemError, OSError) as error:
        return None, f"osmem-server could not start: {error}"
    # The same test-only transport as tests/search: osmem refuses the 8.x client's
    # "compatible-with" media types. tests/search is not a package, so load it by path.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "es_transport", ROOT / "tests" / "search" / "es_transport.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The client logs every request at INFO; the benchmark prints its own summary.
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    settings.ELASTICSEARCH_URL = server.url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": module.CompatNode}
    from io import StringIO

    from django.core.management import call_command

    call_command("search_index", "rebuild", "--backend", "elasticsearch", stdout=StringIO())
    return server, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=HERE / "data" / "queries.tsv")
    parser.add_argument("--qrels", default=HERE / "data" / "qrels.txt")
    parser.add_argument("--verbose", action="store_true", help="print per-query scores")
    parser.add_argument(
        "--systems",
        default="database,elasticsearch,wagtail-stock",
        help="comma-separated systems to measure (default: all three)",
    )
    args = parser.parse_args()
    queries = read_queries(args.queries)
    qrels = read_qrels(args.qrels)
    unjudged = sorted(set(queries) - set(qrels))
    if unjudged:
        print(f"Skipping queries with no relevant documents: {', '.join(unjudged)}")
    queries = {qid: text for qid, text in queries.items() if qid in qrels}

    scratch_database("spe_bench_relevance")
    django_setup()
    # Tasks run inline on the dev settings; their per-task log lines would bury the results.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)

    from django.test import Client, override_settings
    from wagtail.search.models import IndexEntry

    from practice.importer import import_practice
    from practice.models import PracticePage
    from search import index
    from search.models import SearchDocument

    import_practice(SAMPLE_DATA / "practice.jsonl")
    # Publishing already indexed each page (eager Celery on the dev settings); rebuilding makes
    # sure the benchmark measures a complete index whatever the settings.
    index.rebuild(["database"])
    pages = PracticePage.objects.live().count()
    print(
        f"{pages} practice pages; {SearchDocument.objects.count()} search documents; "
        f"{IndexEntry.objects.count()} Wagtail search index entries"
    )

    # The API's rate limit (300 a minute per address) is for machines paging through results;
    # the benchmark is one address asking a few hundred questions quickly.
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1")
    wanted = set(args.systems.split(","))
    systems = {}
    if "database" in wanted:
        with override_settings(SEARCH_BACKEND="database", RATELIMIT_ENABLE=False):
            systems["database"] = {qid: api_ranking(client, q) for qid, q in queries.items()}
    server = None
    if "elasticsearch" in wanted:
        server, why_not = start_elasticsearch()
        if server is None:
            sys.exit(f"elasticsearch cannot be measured: {why_not} (--systems leaves it out)")
    if server is not None:
        try:
            with override_settings(SEARCH_BACKEND="elasticsearch", RATELIMIT_ENABLE=False):
                systems["elasticsearch"] = {
                    qid: api_ranking(client, q) for qid, q in queries.items()
                }
        finally:
            server.close()
    if "wagtail-stock" in wanted:
        systems["wagtail-stock"] = {qid: stock_ranking(q) for qid, q in queries.items()}

    scores = {
        name: {
            qid: (ndcg(ranking, qrels[qid]), recall(ranking, qrels[qid]), len(ranking))
            for qid, ranking in rankings.items()
        }
        for name, rankings in systems.items()
    }
    if args.verbose:
        names = list(systems)
        header = "".join(f" | {name[:14]:14} nDCG  rec" for name in names)
        print(f"\n{'qid':5} {'query':38}{header}")
        for qid, text in queries.items():
            cells = "".join(
                f" | {'':14} {scores[n][qid][0]:4.2f} {scores[n][qid][1]:4.2f}" for n in names
            )
            print(f"{qid:5} {text[:38]:38}{cells}")

    counts = {half: sum(1 for qid in queries if half_of(qid) == half) for half in HALVES}
    print(
        f"\n{len(queries)} queries ({counts['tuning']} tuning, {counts['held-out']} held out), "
        f"{sum(len(j) for j in qrels.values())} judgements"
    )
    print(f"{'system':16} {'half':9} {'nDCG@10':>8} {'recall@20':>10} {'no results':>11}")
    report = Report("relevance")
    for name, per_query in scores.items():
        for half in HALVES:
            values = [v for qid, v in per_query.items() if half_of(qid) == half]
            figures = {
                "nDCG@10": sum(v[0] for v in values) / len(values),
                "recall@20": sum(v[1] for v in values) / len(values),
            }
            print(
                f"{name:16} {half:9} {figures['nDCG@10']:8.3f} {figures['recall@20']:10.3f} "
                f"{sum(1 for v in values if v[2] == 0):11d}"
            )
            for figure, value in figures.items():
                report.add(f"{name} {figure} {half}", value, baseline=name == "wagtail-stock")
        no_results = sum(1 for v in per_query.values() if v[2] == 0)
        report.add(f"{name} queries with no results", no_results, baseline=name == "wagtail-stock")
    report.finish()


if __name__ == "__main__":
    main()
