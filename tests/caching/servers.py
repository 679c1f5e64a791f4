"""A real gunicorn and a real Varnish (deploy/varnish/default.vcl) in front of it, both on the
loopback address, each with its own port and working directory, stopped when the test ends."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def wait_for_port(port, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{process.args[0]} did not start:\n{log.read_text()}"
                ) from None
            time.sleep(0.1)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def gunicorn(workdir, settings_module, environment, workers=1, threads=1):
    """gunicorn with the portal's config module; yields (port, log path)."""
    port = free_port()
    log = Path(workdir) / f"gunicorn-{port}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": str(ROOT),
        **environment,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--config=python:portal.gunicorn_conf",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)  # noqa: S603
    try:
        wait_for_port(port, process, log)
        yield port, log
    finally:
        stop(process)


def vcl_for_backend(port):
    """The repository's VCL with its backend pointed at a gunicorn on the loopback address."""
    text = VCL.read_text(encoding="utf-8")
    text, count = re.subn(
        r'\.host = "[^"]+";\s*\.port = "\d+";',
        f'.host = "127.0.0.1";\n    .port = "{port}";',
        text,
    )
    assert count == 1, "deploy/varnish/default.vcl must have one backend"
    return text


@contextlib.contextmanager
def varnish(workdir, backend_port, port=None, memory="64m"):
    """varnishd in the foreground, on `port` or a free one; yields its port."""
    workdir = Path(workdir) / "varnish"
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = workdir / "default.vcl"
    vcl.write_text(vcl_for_backend(backend_port), encoding="utf-8")
    port = port or free_port()
    log = workdir / "varnishd.log"
    command = [
        VARNISHD,
        "-F",
        "-j",
        "none",
        "-n",
        str(workdir / "instance"),
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(vcl),
        "-s",
        f"malloc,{memory}",
        "-T",
        "none",
        "-p",
        "thread_pool_min=10",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output)  # noqa: S603
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        stop(process)
