"""The servers benchmarks/load.py runs for each run, on 127.0.0.1 only: gunicorn (gthread) on
PostgreSQL with Redis as cache and broker (benchmarks/load_settings.py), the real Celery worker,
and Varnish (deploy/varnish/default.vcl) in front for a cached run through a proxy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from _setup import REDIS, ROOT, flush_redis, free_port, stop_process, wait_until_answering

HERE = ROOT / "benchmarks"
DATABASE = "spe_bench_load"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
START_TIMEOUT = 180


class Stack:
    """gunicorn, the Celery worker and optionally Varnish, on 127.0.0.1; stopped on exit."""

    def __init__(self, args, cache, workdir):
        self.args, self.cache, self.workdir = args, cache, Path(workdir)
        self.processes = []

    def start(self, command, env=None, log_name=None):
        log = open(self.workdir / log_name, "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own arguments)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((process, log))
        return process

    def __enter__(self):
        args = self.args
        flush_redis(args.broker_db, args.cache_db)
        app_port = free_port()
        varnish_port = free_port() if self.cache == "varnish" else None
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "load_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
            "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
            "REDIS_URL": f"{REDIS}/{args.cache_db}",
            "CELERY_BROKER_URL": f"{REDIS}/{args.broker_db}",
            "DEBUG": "false",
            "PAGE_CACHE_COUNT_QUERIES": "true",
            "PAGE_CACHE_APPLICATION": "true" if self.cache == "application" else "false",
            # Kept search pages (search/results_cache.py) are the application's, with or
            # without a proxy: on in the cached run only, so the uncached run caches nothing.
            "SEARCH_RESULTS_CACHE": "true" if self.cache else "false",
            "VARNISH_PURGE_URL": f"http://127.0.0.1:{varnish_port}" if varnish_port else "",
            "TRUSTED_PROXY_COUNT": "2" if varnish_port else "1",
        }
        gunicorn = self.start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                # Production's settings (portal/gunicorn_conf.py), access log included.
                "--config=python:portal.gunicorn_conf",
                f"--bind=127.0.0.1:{app_port}",
                "--worker-class=gthread",
                f"--workers={args.workers}",
                f"--threads={args.threads}",
                "--backlog=512",
                # Longer than Varnish's backend_idle_timeout (60 s): Varnish must never reuse a
                # connection gunicorn has closed, since a POST sent on one cannot be retried
                # and fails (the production stack's sync workers close every connection).
                "--keep-alive=75",
                "--log-level=warning",
            ],
            env,
            "gunicorn.log",
        )
        self.start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--queues=celery,mail",
                "--concurrency=1",
                "--loglevel=WARNING",
            ],
            env,
            "worker.log",
        )
        self.host = f"http://127.0.0.1:{app_port}"
        wait_until_answering(self.host + "/", gunicorn, "gunicorn", START_TIMEOUT)
        if varnish_port:
            vcl = (ROOT / "deploy" / "varnish" / "default.vcl").read_text()
            vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";').replace(
                '.port = "8000";', f'.port = "{app_port}";'
            )
            (self.workdir / "default.vcl").write_text(vcl)
            varnish = self.start(
                [
                    VARNISHD,
                    "-F",
                    "-j",
                    "none",
                    "-n",
                    str(self.workdir / "varnish"),
                    "-a",
                    f"127.0.0.1:{varnish_port}",
                    "-f",
                    str(self.workdir / "default.vcl"),
                    "-s",
                    "malloc,128m",
                    "-T",
                    "none",
                ],
                None,
                "varnishd.log",
            )
            self.host = f"http://127.0.0.1:{varnish_port}"
            wait_until_answering(self.host + "/", varnish, "varnishd", START_TIMEOUT)
        return self

    def __exit__(self, *exc):
        for process, log in reversed(self.processes):
            stop_process(process)
            log.close()
