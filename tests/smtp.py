"""A real SMTP server for tests: aiosmtpd on localhost, counting what arrives, with Django's
SMTP backend pointed at it. Used by the e2e, newsletters and events tests."""

import collections
import contextlib
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class CountingHandler:
    """Accepts everything, except addresses in `refuse` (code, text) at RCPT time."""

    def __init__(self):
        self.messages = []
        self.senders = []  # the envelope sender (MAIL FROM) of each message, in order
        self.refuse = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            code, text = self.refuse[address]
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"


class RefusingRelayHandler(CountingHandler):
    """A misconfigured relay: answers `code` to every recipient at RCPT (stage "rcpt") or to
    every message at DATA (stage "data"), except for addresses in `allow`. Set `working` to
    True to mend it."""

    def __init__(self, stage="rcpt", code=550, text="5.7.1 Relaying denied", allow=()):
        super().__init__()
        self.stage, self.code, self.text = stage, code, text
        self.allow = set(allow)
        self.working = False

    def _refuses(self, addresses):
        return not self.working and not set(addresses) <= self.allow

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stage == "rcpt" and self._refuses([address]):
            return f"{self.code} {self.text}"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.stage == "data" and self._refuses(envelope.rcpt_tos):
            return f"{self.code} {self.text}"
        return await super().handle_DATA(server, session, envelope)


class Sink:
    def __init__(self, handler, port):
        self.handler, self.port = handler, port

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def senders(self):
        with self.handler.lock:
            return list(self.handler.senders)

    def per_recipient(self):
        counts = collections.Counter()
        for recipients, _ in self.messages:
            counts.update(recipients)
        return counts

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_sink(settings, handler=None):
    """Start the sink and point Django's SMTP backend at it (through pytest-django's
    `settings`, so the change is undone after the test)."""
    handler = handler or CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield Sink(handler, controller.port)
    finally:
        controller.stop()
