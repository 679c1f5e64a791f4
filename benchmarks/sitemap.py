"""Sitemap speed: the time to serve the sitemap index and each of its parts, on PostgreSQL,
against its target in benchmarks/targets.toml (1 second each); exits non-zero when any is
slower.

Usage: python benchmarks/sitemap.py [--size 100000] [--police-share 0.05] [--repeat 3]
       [--database NAME] [--reuse]

In a scratch database (spe_bench_sitemap, or --database) it imports
sample_data/practice.jsonl and sample_data/events.jsonl, then adds generated case studies until
the practice listing holds --size of them, a share of them police-only (a view restriction
each, as the NCPI team sets them). Rows go straight into the page tables in batches, as
benchmarks/search_speed.py does (creating 100,000 pages through Wagtail's API takes hours).
Each URL is fetched through Django's whole request stack (test client), best of --repeat.
--reuse keeps the pages of an earlier run.
"""

import argparse
import math
import sys
import time
import uuid

from _setup import DEFAULT_SERVER, SAMPLE_DATA, django_setup, scratch_database
from _targets import Report

# Rows per INSERT: large enough to amortise round trips, small enough to keep SQL modest.
BATCH = 2000


def generate(size, police_share):
    """Add generated case studies under the practice listing until it holds `size`."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page, PageViewRestriction

    from practice.models import PracticeIndexPage, PracticePage
    from search.documents import POLICE_GROUP
    from taxonomy.models import EvidenceLevel, Organisation

    parent = PracticeIndexPage.objects.get()
    have = parent.get_children().count()
    last = parent.get_children().order_by("-path").first()
    number = PracticePage._str2int(last.path[-PracticePage.steplen :]) + 1
    forces = list(Organisation.objects.filter(kind="force", region__isnull=False))
    evidence = EvidenceLevel.objects.get(slug="promising")
    content_type = ContentType.objects.get_for_model(PracticePage)
    police = Group.objects.get_or_create(name=POLICE_GROUP)[0]
    every = max(1, round(1 / police_share)) if police_share else 0
    now = timezone.now()
    start = time.perf_counter()
    while have < size:
        count = min(BATCH, size - have)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('wagtailcore_page', 'id')) "
                "FROM generate_series(1, %s)",
                [count],
            )
            ids = [row[0] for row in cursor.fetchall()]
        pages = []
        for page_id in ids:
            slug = f"generated-{number}"
            pages.append(
                PracticePage(
                    id=page_id,
                    page_ptr_id=page_id,
                    title=f"Generated case study {number}",
                    draft_title=f"Generated case study {number}",
                    slug=slug,
                    path=parent.path + Page._int2str(number).rjust(Page.steplen, "0"),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{slug}/",
                    content_type_id=content_type.pk,
                    locale_id=parent.locale_id,
                    translation_key=uuid.uuid4(),
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    external_id=f"gen-{number:06d}",
                    summary="A generated case study.",
                    published_date=now.date(),
                    force=forces[number % len(forces)],
                    problem="<p>Problem.</p>",
                    approach="<p>Approach.</p>",
                    outcomes="<p>Outcomes.</p>",
                    implementation="<p>Implementation.</p>",
                    evidence_level=evidence,
                )
            )
            number += 1
        with transaction.atomic():
            Page._base_manager._insert(pages, fields=Page._meta.local_concrete_fields)
            PracticePage._base_manager._insert(
                pages, fields=PracticePage._meta.local_concrete_fields
            )
            if every:
                restricted = [
                    PageViewRestriction(page_id=page.pk, restriction_type="groups")
                    for page in pages[::every]
                ]
                PageViewRestriction.objects.bulk_create(restricted)
                PageViewRestriction.groups.through.objects.bulk_create(
                    PageViewRestriction.groups.through(
                        pageviewrestriction_id=r.pk, group_id=police.pk
                    )
                    for r in restricted
                )
        have += count
    Page.objects.filter(pk=parent.pk).update(numchild=have)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def fetch_seconds(client, url, repeat):
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        best = min(best, elapsed)
    return best, response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="case studies")
    parser.add_argument("--police-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default="spe_bench_sitemap")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    if args.reuse:
        import os

        os.environ["DATABASE_URL"] = f"{DEFAULT_SERVER}/{args.database}"
    else:
        scratch_database(args.database)
    django_setup()

    from django.test import Client
    from lxml import etree

    from events.importer import import_events
    from portal import sitemap
    from practice.importer import import_practice
    from practice.models import PracticePage

    if not args.reuse:
        import_practice(SAMPLE_DATA / "practice.jsonl")
        import_events(SAMPLE_DATA / "events.jsonl")
    seconds = generate(args.size, args.police_share)
    print(
        f"{PracticePage.objects.count():,} case studies "
        f"({args.police_share:.0%} police-only), generated in {seconds:.0f} s",
        flush=True,
    )

    client = Client()
    rows = []
    index_seconds, index = fetch_seconds(client, "/sitemap.xml", args.repeat)
    rows.append(("index", index_seconds, None))
    parts = etree.fromstring(index.content).xpath(
        "//s:loc/text()", namespaces={"s": sitemap.NAMESPACE}
    )
    base = sitemap.public_url("/")
    by_section = {}
    for part in parts:
        path = "/" + part.removeprefix(base)
        section = path.split("/")[2]
        elapsed, response = fetch_seconds(client, path, args.repeat)
        urls = response.content.count(b"<url>")
        previous = by_section.get(section, (0, 0.0, 0))
        by_section[section] = (previous[0] + 1, max(previous[1], elapsed), previous[2] + urls)
    for section, (count, slowest, urls) in sorted(by_section.items()):
        rows.append((f"{section} ({count} parts, {urls:,} URLs)", slowest, urls))

    report = Report("sitemap")
    for name, elapsed, _ in rows:
        report.add(f"{name} slowest s", elapsed, target_name="slowest response s")
    report.finish()


if __name__ == "__main__":
    main()
