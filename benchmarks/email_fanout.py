"""Email fan-out: one newsletter issue to N subscribers through a real Celery worker, against a
plain smtplib loop into the same SMTP sink.

Usage: python benchmarks/email_fanout.py [--subscribers 2000] [--concurrency 2]
       [--mailer-pool threads] [--mailer-concurrency 8] [--lanes 8] [--rate 100000]
       [--broker-db 8] [--cache-db 9]

Creates a scratch database (spe_bench_fanout), migrates it, bulk-creates N active synthetic
subscribers and one issue (text and six practice case studies from sample_data/), and starts:

- an SMTP sink (aiosmtpd in a process of its own) that only counts messages and bytes;
- two real workers as docker-compose.yml runs them: `celery -A portal worker` on the default
  queue (prefork, --concurrency processes), which prepares the delivery rows, and the mailer on
  the "mail" queue (a pool of --mailer-concurrency threads), which sends the chunks; both with
  benchmarks/bench_fanout_settings.py: the dev settings on PostgreSQL, a Redis broker and
  cache, and Django's SMTP backend pointed at the sink.

Then it sends the issue as the admin's "Send now" does (newsletters.tasks.start_sending) and
times from that call to the last delivery row marked sent (the latest `sent_at`): preparing
the rows, claiming, rendering, sending and marking are all inside the time. The global send
rate (a token bucket in Redis, 50/s by default in production) is raised to --rate, far above
what a run reaches, so the bucket is still consulted and its cost measured, but never waits.

Then, in the same run and into the same sink, the baseline: one smtplib connection sending N
messages of the issue's rendered size, one recipient each. ratio = portal emails/s divided by
baseline emails/s. peak_rss_mb is the sum of VmHWM (peak resident set) over both workers' main
and pool processes: an upper bound, since pages shared after fork count in each.

Checks (the script fails if one does not hold): every row sent, and the sink received exactly
N messages from the worker and N from the baseline. The last line printed is
`emails/s=<x> limit/s=<y> ratio=<r> peak_rss_mb=<m>`.

Redis databases --broker-db and --cache-db are flushed at the start and the end.
"""

import argparse
import itertools
import multiprocessing
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import REDIS, ROOT, SAMPLE_DATA, django_setup, flush_redis, free_port, scratch_database
from _targets import Report

HERE = ROOT / "benchmarks"
DATABASE = "spe_bench_fanout"
# Subscribers per INSERT: large enough that 100,000 take seconds, small enough to keep the
# statement and the objects in memory modest.
SUBSCRIBER_BATCH = 5000
# Practice case studies featured in the issue, so it is the size of a real one.
FEATURED_PAGES = 6
WORKER_START_TIMEOUT = 60
POLL_SECONDS = 0.5


# The sink ---------------------------------------------------------------------------------


class CountingHandler:
    """Accepts every message and keeps only counts: nothing is parsed or stored."""

    def __init__(self, messages, size):
        self.messages, self.size = messages, size

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        # One writer (the sink's event loop), so the shared counters need no lock.
        self.messages.value += 1
        self.size.value += len(envelope.original_content)
        return "250 OK"


def run_sink(port, messages, size, ready, stop):
    """In its own process, so the sink never competes with the benchmark for the GIL."""
    from aiosmtpd.controller import Controller

    controller = Controller(CountingHandler(messages, size), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self._messages = context.RawValue("q", 0)
        self._size = context.RawValue("q", 0)
        self._stop = context.Event()
        ready = context.Event()
        self.process = context.Process(
            target=run_sink,
            args=(self.port, self._messages, self._size, ready, self._stop),
            daemon=True,
        )
        self.process.start()
        if not ready.wait(30):
            sys.exit("The SMTP sink did not start")

    def counts(self):
        return self._messages.value, self._size.value

    def stop(self):
        self._stop.set()
        self.process.join(10)


# The worker -------------------------------------------------------------------------------


def start_worker(name, queue, pool, concurrency, log):
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        f"--hostname={name}@%h",
        f"--queues={queue}",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
    ]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_workers(workers):
    from portal.celery import app

    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.poll() is not None:
                sys.exit(f"A worker exited with code {worker.returncode}")
        if len(app.control.ping(timeout=0.5)) >= len(workers):
            return
    sys.exit(f"The workers did not answer a ping within {WORKER_START_TIMEOUT} s")


def process_tree(pid):
    """pid and its children, from /proc."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids):
    """CPU time (user + system) used so far by these processes. Less disturbed than wall time
    by other work on the machine; PostgreSQL's and Redis's shares are not in it."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    """{pid: VmHWM in MB} for the worker and its pool processes."""
    peaks = {}
    for each in process_tree(pid):
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[each] = int(line.split()[1]) / 1024
    return peaks


# Data -------------------------------------------------------------------------------------


def make_subscribers(count):
    from django.utils import timezone

    from newsletters.models import Subscriber

    now = timezone.now()
    numbers = iter(range(count))
    while batch := list(itertools.islice(numbers, SUBSCRIBER_BATCH)):
        Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n:06d}@force{n % 43:02d}.police.example",
                organisation_type=Subscriber.OrganisationType.FORCE,
                status=Subscriber.Status.ACTIVE,
                confirmed_at=now,
            )
            for n in batch
        )


def make_issue():
    from newsletters.models import NewsletterIssue
    from practice.importer import import_practice
    from practice.models import PracticePage

    lines = (SAMPLE_DATA / "practice.jsonl").read_text().splitlines()[:FEATURED_PAGES]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as sample:
        sample.write("\n".join(lines) + "\n")
        sample.flush()
        import_practice(Path(sample.name))
    pages = list(PracticePage.objects.live().order_by("pk"))
    return NewsletterIssue.objects.create(
        title="November newsletter: missing children and first contact",
        summary="New practice on missing children, and what forces learnt at NCPI events.",
        body=[
            (
                "text",
                "<p>This month six forces shared practice on children who go missing from "
                "care, on the first call a force takes about a child, and on working with "
                "partners at the front door. Each case study sets out the problem, what the "
                "force did, what changed and how to make it work elsewhere.</p>"
                "<p>Tell us about practice of your own through the portal: the NCPI team "
                "reads every submission.</p>",
            ),
            ("featured", {"heading": "New notable practice", "pages": pages}),
        ],
    )


def sample_message(mailing):
    """One recipient's message exactly as the worker builds it, as bytes on the wire."""
    from newsletters import message_builder
    from newsletters.models import Delivery

    row = Delivery.objects.select_related("subscriber").filter(mailing=mailing).first()
    builder = message_builder.MessageBuilder(mailing, wire=True)
    wire = builder.build_wire(row)
    if wire:
        return wire[0], wire[2]
    message = builder.build(row)
    # As Django's SMTP backend sends it: CRLF line ends.
    return message.from_email, message.message().as_bytes(linesep="\r\n")


# Measurements -----------------------------------------------------------------------------


def send_through_portal(issue, count, timeout):
    """Seconds from "Send now" to the last row marked sent, and the mailing."""
    from django.db.models import Max
    from django.utils import timezone

    from newsletters import tasks
    from newsletters.models import Delivery, Mailing

    started = timezone.now()
    tasks.start_sending(issue.pk)
    deadline = time.monotonic() + timeout
    reported = time.monotonic()
    while True:
        sent = Delivery.objects.filter(mailing__issue=issue, status="sent").count()
        if sent >= count:
            break
        if time.monotonic() > deadline:
            sys.exit(f"Only {sent} of {count} sent after {timeout} s")
        if time.monotonic() - reported > 15:
            print(f"  ... {sent} of {count} sent", flush=True)
            reported = time.monotonic()
        time.sleep(POLL_SECONDS)
    mailing = Mailing.objects.get(issue=issue)
    last = mailing.deliveries.aggregate(last=Max("sent_at"))["last"]
    return (last - started).total_seconds(), (mailing.prepared_at - started).total_seconds()


def send_baseline(port, sender, message, count):
    """Seconds for one smtplib connection to send `count` copies of `message`."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as server:
        for n in range(count):
            server.sendmail(sender, [f"baseline{n:06d}@force.police.example"], message)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="default worker's processes (compose: 2)"
    )
    parser.add_argument(
        "--mailer-pool",
        choices=["threads", "prefork"],
        default="threads",
        help="(compose: threads)",
    )
    parser.add_argument(
        "--mailer-concurrency", type=int, default=8, help="mailer's pool size (compose: 8)"
    )
    parser.add_argument(
        "--lanes", type=int, default=8, help="NEWSLETTERS_SEND_LANES: chunk tasks at once"
    )
    parser.add_argument("--rate", type=float, default=100000, help="global sends per second")
    parser.add_argument("--broker-db", type=int, default=8)
    parser.add_argument("--cache-db", type=int, default=9)
    args = parser.parse_args()
    sizes = (args.subscribers, args.concurrency, args.mailer_concurrency, args.lanes)
    if min(sizes) < 1 or args.rate < 0:
        parser.error("--subscribers, --*concurrency, --lanes: 1 or more; --rate: 0 or more")
    count = args.subscribers

    sink = Sink()
    flush_redis(args.broker_db, args.cache_db)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_fanout_settings",
            "CELERY_BROKER_URL": f"{REDIS}/{args.broker_db}",
            "REDIS_URL": f"{REDIS}/{args.cache_db}",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "NEWSLETTERS_RATE_PER_SECOND": str(args.rate),
            "NEWSLETTERS_RATE_BURST": str(int(args.rate)),
            "NEWSLETTERS_SEND_LANES": str(args.lanes),
        }
    )
    scratch_database(DATABASE)
    django_setup("bench_fanout_settings")

    started = time.perf_counter()
    make_subscribers(count)
    issue = make_issue()
    print(f"{count} subscribers and one issue made in {time.perf_counter() - started:.1f} s")

    with tempfile.NamedTemporaryFile("w+b", prefix="email_fanout_worker", suffix=".log") as log:
        # As docker-compose runs them: the default worker (prepares the rows) and the mailer
        # (sends the chunks).
        workers = [
            start_worker("worker", "celery", "prefork", args.concurrency, log),
            start_worker("mailer", "mail", args.mailer_pool, args.mailer_concurrency, log),
        ]
        try:
            wait_for_workers(workers)
            pids = [pid for worker in workers for pid in process_tree(worker.pid)]
            worker_cpu = cpu_seconds(pids)
            sink_cpu = cpu_seconds([sink.process.pid])
            # Generous: a tenth of the smtplib rate would still finish.
            portal_seconds, prepare_seconds = send_through_portal(
                issue, count, timeout=max(120, count / 20)
            )
            # Anything sent twice would arrive now.
            time.sleep(1)
            peaks = {}
            for worker in workers:
                peaks.update(peak_rss_mb(worker.pid))
            worker_cpu = cpu_seconds(pids) - worker_cpu
            sink_cpu = [cpu_seconds([sink.process.pid]) - sink_cpu]
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
            log.seek(0)
            # Celery prints its banner whatever the log level: keep only what went wrong.
            errors = [
                line
                for line in log.read().decode(errors="replace").splitlines()
                if "ERROR" in line or "CRITICAL" in line or "Traceback" in line
            ]
    portal_messages, portal_bytes = sink.counts()

    from newsletters.models import Mailing

    mailing = Mailing.objects.get(issue=issue)
    sender, message = sample_message(mailing)
    sink_cpu.append(cpu_seconds([sink.process.pid]))
    client_cpu = time.process_time()
    baseline_seconds = send_baseline(sink.port, sender, message, count)
    client_cpu = time.process_time() - client_cpu
    time.sleep(0.5)
    sink_cpu[1] = cpu_seconds([sink.process.pid]) - sink_cpu[1]
    total_messages, total_bytes = sink.counts()
    sink.stop()
    flush_redis(args.broker_db, args.cache_db)

    portal_rate = count / portal_seconds
    baseline_rate = count / baseline_seconds
    ratio = portal_rate / baseline_rate
    peak = sum(peaks.values())
    print(
        f"workers: default prefork x{args.concurrency}; mailer {args.mailer_pool} "
        f"x{args.mailer_concurrency}; {args.lanes} lanes"
    )
    print(
        f"portal:   {count} emails in {portal_seconds:.1f} s = {portal_rate:.0f}/s "
        f"(rows prepared in {prepare_seconds:.1f} s; "
        f"{portal_bytes / max(portal_messages, 1) / 1024:.1f} KiB each)"
    )
    print(
        f"smtplib:  {count} emails in {baseline_seconds:.1f} s = {baseline_rate:.0f}/s "
        f"({len(message) / 1024:.1f} KiB each, one connection)"
    )
    print(
        f"CPU ms per email: worker {1000 * worker_cpu / count:.2f}, sink "
        f"{1000 * sink_cpu[0] / count:.2f} (portal); smtplib {1000 * client_cpu / count:.2f}, "
        f"sink {1000 * sink_cpu[1] / count:.2f} (baseline); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        "worker peak RSS: "
        + " + ".join(f"{mb:.0f}" for mb in peaks.values())
        + f" = {peak:.0f} MB"
    )
    if errors:
        print("worker errors:\n" + "\n".join(errors[-20:]))
    if portal_messages != count or total_messages - portal_messages != count:
        sys.exit(
            f"The sink received {portal_messages} messages from the worker and "
            f"{total_messages - portal_messages} from smtplib; expected {count} each"
        )
    print(
        f"emails/s={portal_rate:.1f} limit/s={args.rate:g} ratio={ratio:.2f} "
        f"peak_rss_mb={peak:.1f}"
    )
    report = Report("email_fanout")
    report.add("emails/s", portal_rate, untargeted=True)
    report.add("smtplib emails/s (one connection)", baseline_rate, untargeted=True)
    report.add("ratio to smtplib", ratio)
    report.add("worker peak RSS MB", peak)
    report.finish()


if __name__ == "__main__":
    main()
