"""A private redis-server for tests that stop Redis: on a free port of its own, never the
shared one on 6379, so a test can kill it and start it again without touching anyone else."""

import contextlib
import shutil
import socket
import subprocess
import time

from tests import services

REDIS_SERVER = "/usr/bin/redis-server"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process; `stop` kills it (SIGKILL: no goodbye to clients), `start`
    brings it back on the same port, empty unless `keep` (append-only file) is set."""

    def __init__(self, directory, keep=False):
        self.directory, self.keep = directory, keep
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout=10):
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.keep else []
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.directory),
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not _answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def private_redis(directory, keep=False):
    if not (shutil.which("redis-server") or shutil.which(REDIS_SERVER)):
        services.service_missing("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(directory, keep=keep).start()
    try:
        yield server
    finally:
        server.stop()
