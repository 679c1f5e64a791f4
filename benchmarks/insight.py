"""Insight dashboard: p50/p95 latency and query count of the dashboard page at scale.

Usage: python benchmarks/insight.py [--scale 1.0] [--repeat 20] [--reuse]
       [--database spe_bench_insight]

In a scratch database it generates, with plain INSERT ... SELECT FROM generate_series (bulk,
not through the ORM one row at a time):

- 1,000,000 search log rows over the last 90 days (SEARCH_LOG_KEEP_DAYS: older searches are
  daily totals), from 400 queries with a Zipf-like skew, 8% finding nothing;
- 200,000 registrations for 200 events over the past year and the next month, from the 43
  forces and partners, with attendance, no-shows, waitlists and feedback;
- 100,000 subscribers (confirmed over the year, some unsubscribed or suppressed) with one
  criterion topic each; and 80 case studies with a month of views.

--scale multiplies the three row counts (0.1 for a quick run). Then it builds the rollups
(`rebuild_insight --days 400`, timed) and renders /admin/insight/?period=year (the widest
preset) --repeat times through Django's full stack as a signed-in NCPI team member, after one
warm-up, and reports p95 and the query count against benchmarks/targets.toml [insight] (exits
non-zero when one is past its target).
"""

import argparse
import os
import sys
import time

from _setup import DEFAULT_SERVER, ROOT, django_setup, percentile, scratch_database
from _targets import Report

SEARCHES = 1_000_000
REGISTRATIONS = 200_000
SUBSCRIBERS = 100_000
EVENTS = 200
PRACTICE = 80
QUERIES = 400


def generate(scale):
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Site

    from events.models import EventIndexPage, EventPage
    from practice.models import PracticeIndexPage, PracticePage
    from taxonomy.models import Criterion, EventFormat, Organisation, Region

    home = Site.objects.get(is_default_site=True).root_page
    forces = list(Organisation.objects.filter(territorial=True))
    for force in forces:
        force.email_domains = f"{force.slug}.police.uk"
        force.save(update_fields=["email_domains"])
    Organisation.objects.bulk_create(
        Organisation(name=f"Partner {n}", slug=f"partner-{n}", kind="partner") for n in range(20)
    )
    criteria = list(Criterion.objects.all())
    now = timezone.now()
    events_index = home.add_child(instance=EventIndexPage(title="Events", slug="events"))
    for n in range(EVENTS):
        start = now + timezone.timedelta(days=30 - n * 395 // EVENTS)
        event = EventPage(
            title=f"Event {n}",
            summary="A learning event.",
            description="<p>Talks.</p>",
            start=start,
            end=start + timezone.timedelta(hours=2),
            format=EventFormat.objects.first(),
            region=Region.objects.first(),
            capacity=800,
        )
        events_index.add_child(instance=event)
        event.criteria.set(criteria[n % len(criteria) : n % len(criteria) + 2])
    practice_index = home.add_child(instance=PracticeIndexPage(title="Practice", slug="practice"))
    for n in range(PRACTICE):
        page = PracticePage(
            title=f"Case study {n}",
            summary="Practice worth copying.",
            force=forces[n % 30],
            problem="<p>A problem.</p>",
            approach="<p>An approach.</p>",
            outcomes="<p>Outcomes.</p>",
            implementation="<p>How.</p>",
        )
        practice_index.add_child(instance=page)
        page.criteria.set([criteria[n % len(criteria)]])

    with connection.cursor() as cursor:
        cursor.execute(SUBSCRIBERS_SQL, [int(SUBSCRIBERS * scale)])
        cursor.execute(SUBSCRIPTIONS_SQL, [])
        cursor.execute(REGISTRATIONS_SQL, [int(REGISTRATIONS * scale)])
        cursor.execute(FEEDBACK_SQL, [])
        cursor.execute(SEARCHES_SQL, [QUERIES, int(SEARCHES * scale)])
        cursor.execute(VIEWS_SQL, [])
        cursor.execute("ANALYZE")
    user = User.objects.create_user("bench-analyst")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


# Forces' staff (two thirds) at their force's domain, the rest at partners.
SUBSCRIBERS_SQL = """
INSERT INTO newsletters_subscriber (email, organisation_type, status, token, created_at,
    confirmed_at, unsubscribed_at, suppressed_reason)
SELECT 's' || n || '@' || CASE WHEN n %% 3 = 0 THEN 'council' || (n %% 50) || '.gov.uk'
        ELSE (SELECT slug FROM taxonomy_organisation WHERE territorial
              ORDER BY id OFFSET (n * 7 %% 43) LIMIT 1) || '.police.uk' END,
    CASE WHEN n %% 3 = 0 THEN 'partner' ELSE 'force' END,
    CASE WHEN n %% 10 = 0 THEN 'unsubscribed' WHEN n %% 37 = 0 THEN 'suppressed' ELSE 'active' END,
    md5(n::text || random()::text), now() - (n %% 365) * interval '1 day',
    now() - (n %% 365) * interval '1 day' + interval '1 hour',
    CASE WHEN n %% 10 = 0 THEN now() - (n %% 180) * interval '1 day' END, ''
FROM generate_series(1, %s) AS n
"""
SUBSCRIPTIONS_SQL = """
INSERT INTO newsletters_subscription (subscriber_id, kind, criterion_id, listing, querystring,
    frequency, active, created_at)
SELECT s.id, 'criterion', (SELECT id FROM taxonomy_criterion ORDER BY id
        OFFSET (s.id %% 8) LIMIT 1), '', '', 'weekly', true, s.created_at
FROM newsletters_subscriber s
"""
REGISTRATIONS_SQL = """
WITH events AS (SELECT page_ptr_id AS id, start, row_number() OVER (ORDER BY page_ptr_id) AS k
                FROM events_eventpage),
     orgs AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM taxonomy_organisation),
     roles AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM taxonomy_audience)
INSERT INTO events_registration (event_id, name, email, organisation_id, role_id, answers,
    consent_to_contact, status, attended, created_at)
SELECT e.id, 'Person ' || n, 'r' || n || '@example.org', o.id, r.id, '[]', false,
    CASE WHEN n %% 9 = 0 THEN 'waitlisted' WHEN n %% 13 = 0 THEN 'cancelled' ELSE 'confirmed' END,
    CASE WHEN e.start < now() AND n %% 9 <> 0 AND n %% 13 <> 0 THEN n %% 5 <> 0 END,
    e.start - (n %% 40) * interval '1 day'
FROM generate_series(1, %s) AS n
JOIN events e ON e.k = 1 + n %% (SELECT count(*) FROM events)
JOIN orgs o ON o.k = 1 + (n * 7) %% (SELECT count(*) FROM orgs)
JOIN roles r ON r.k = 1 + n %% (SELECT count(*) FROM roles)
"""
FEEDBACK_SQL = """
INSERT INTO events_feedback (registration_id, usefulness, will_change, comments, created_at)
SELECT r.id, 1 + r.id %% 5, '', '', e.start + interval '2 days'
FROM events_registration r JOIN events_eventpage e ON e.page_ptr_id = r.event_id
WHERE r.attended AND r.id %% 3 = 0 AND e.start < now() - interval '2 days'
"""
SEARCHES_SQL = """
INSERT INTO search_searchquery (query, filters, sort, result_count, source, created_at)
SELECT 'query ' || floor(%s * power(random(), 3))::int, '{}', '',
    CASE WHEN random() < 0.08 THEN 0 ELSE 12 END, 'web',
    now() - random() * interval '89 days'
FROM generate_series(1, %s)
"""
VIEWS_SQL = """
INSERT INTO search_pageviewvisit (page_id, day, visitor)
SELECT p.page_ptr_id, current_date - d, md5(p.page_ptr_id || '-' || d || '-' || v)
FROM practice_practicepage p, generate_series(0, 29) AS d, generate_series(1, 20) AS v
WHERE (p.page_ptr_id + v) %% 3 = 0
"""


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", default="spe_bench_insight")
    parser.add_argument(
        "--reuse", action="store_true", help="time the data and rollups of an earlier run"
    )
    args = parser.parse_args()

    if args.reuse:
        os.environ["DATABASE_URL"] = (
            f"{os.environ.get('BENCH_POSTGRES', DEFAULT_SERVER)}/{args.database}"
        )
    else:
        scratch_database(args.database)
    # The settings put the working directory first on the path: from benchmarks/, this file
    # would shadow the insight app.
    os.chdir(ROOT)
    django_setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from insight.models import DailyMetric

    if args.reuse:
        user = User.objects.get(username="bench-analyst")
    else:
        started = time.perf_counter()
        user = generate(args.scale)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        call_command("rebuild_insight", days=400, stdout=open(os.devnull, "w"))
        rebuilt = time.perf_counter() - started
        print(
            f"scale {args.scale}: generated in {generated:.0f} s; rollups rebuilt in "
            f"{rebuilt:.0f} s"
        )
    print(f"{DailyMetric.objects.count():,} daily figures")
    from django.conf import settings

    # The benchmark times the dashboard, not signing in: the admin's second-factor check
    # (accounts.middleware) would send this session to set up an authenticator first.
    settings.ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR = False
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = "/admin/insight/?period=year"
    first = client.get(url)
    assert first.status_code == 200, (first.status_code, first.get("Location"))
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        client.get(url)
    timings, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    # Python's own CPU time per request (PostgreSQL's is not included): what other load on a
    # shared machine disturbs least.
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'queries':>8} ")
    print(
        f"{'dashboard, last 12 months':28} {p50:8.1f} {p95:8.1f} {percentile(cpu, 0.5):8.1f} "
        f"{queries.count:8d}"
    )
    report = Report("insight")
    report.add("dashboard p50 ms", p50, baseline=True)
    report.add("dashboard p95 ms", p95)
    report.add("dashboard queries", queries.count)
    report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
