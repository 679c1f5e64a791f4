"""The bounce mailbox: hard bounces and complaints returned over plain SMTP, read over IMAP from
a real IMAP server (pymap, in memory, in a process of its own), suppress the address at once."""

import imaplib
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from newsletters import bounces, prepared, tasks
from newsletters.models import Delivery, Mailing, NewsletterIssue, Subscriber
from tests.smtp import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "clean_cache")]

USER, PASSWORD = "bounces", "mailbox-password-for-tests"


@pytest.fixture
def mailbox_url():
    port = free_port()
    server = subprocess.Popen(
        [
            # pymap's command (it has no __main__), from the venv running the tests.
            str(Path(sys.executable).with_name("pymap")),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the IMAP server (pymap) did not start")
            time.sleep(0.1)
    yield f"imap://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX"
    server.terminate()
    server.wait(10)


def imap(url):
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    return client


def deliver(url, *messages):
    client = imap(url)
    for message in messages:
        client.append("INBOX", None, None, message.replace("\n", "\r\n").encode())
    client.logout()


def left_in_mailbox(url):
    client = imap(url)
    _, data = client.uid("SEARCH", None, "ALL")
    subjects = []
    for uid in data[0].split():
        _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects.append(fetched[0][1].decode().strip().removeprefix("Subject: "))
    client.logout()
    return subjects


def dsn(recipient, action, status, original_headers="Subject: April newsletter"):
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return f"""From: MAILER-DAEMON@mx.partner.example
To: bounces@practice-exchange.example
Subject: Undelivered Mail Returned to Sender ({recipient} {status})
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx.partner.example.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.partner.example
Arrival-Date: Fri, 27 Nov 2026 10:00:00 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--B1
Content-Type: text/rfc822-headers

{original_headers}

--B1--
"""


def complaint(message_id):
    """An ARF complaint whose provider redacted the recipient (RFC 5965, RFC 6590)."""
    return f"""From: feedback@isp.example
To: bounces@practice-exchange.example
Subject: Complaint about a message from practice-exchange.example
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F1"

--F1
Content-Type: text/plain

This is an email abuse report.

--F1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ISP-FBL/1.0
Version: 1

--F1
Content-Type: text/rfc822-headers

From: Safeguarding Practice Exchange <no-reply@practice-exchange.example>
To: redacted@isp.example
Message-ID: {message_id}
Subject: April newsletter

--F1--
"""


HUMAN_REPLY = """From: A Reader <reader@partner.example>
To: bounces@practice-exchange.example
Subject: Re: April newsletter

Thanks, could you add our team to the list?
"""


def test_hard_bounces_and_complaints_in_the_bounce_mailbox_suppress_at_once(
    settings, mailbox_url, make_subscriber
):
    settings.NEWSLETTERS_BOUNCE_MAILBOX_URL = mailbox_url
    gone = make_subscriber(email="left.the.force@partner.example")
    full = make_subscriber(email="inbox.full@partner.example")
    annoyed = make_subscriber(email="annoyed@isp.example")
    untouched = make_subscriber(email="happy@partner.example")
    issue = NewsletterIssue.objects.create(title="April newsletter", body=[])
    mailing = Mailing.objects.create(key="issue:test", kind="issue", issue=issue, subject="April")
    delivery = Delivery.objects.create(mailing=mailing, subscriber=annoyed, status="sent")
    deliver(
        mailbox_url,
        dsn("Left.The.Force@partner.example", "failed", "5.1.1"),
        dsn("inbox.full@partner.example", "delayed", "4.2.2"),
        complaint(prepared.message_id(mailing.pk, delivery.pk)),
        HUMAN_REPLY,
    )

    outcome = tasks.read_bounce_mailbox.apply().get()

    assert outcome == {
        "read": 4,
        "bounces": 1,
        "complaints": 1,
        "suppressed": 2,
        "unsubscribed": 0,
        "left_for_people": 1,
    }
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses[gone.email] == statuses[annoyed.email] == "suppressed"
    assert statuses[full.email] == statuses[untouched.email] == "active"
    reason = Subscriber.objects.get(pk=gone.pk).suppressed_reason
    assert reason.startswith("Hard bounce (status 5.1.1) returned to the bounce mailbox")
    assert Subscriber.objects.get(pk=annoyed.pk).suppressed_reason.startswith("Complaint (abuse)")
    # Reports are cleared away; the reader's message waits for a person.
    assert left_in_mailbox(mailbox_url) == ["Re: April newsletter"]

    # The next run finds nothing new (the reply was read) and changes nothing.
    assert tasks.read_bounce_mailbox.apply().get()["read"] == 0


def test_a_bounce_for_someone_who_is_not_a_subscriber_changes_nothing(settings, mailbox_url):
    settings.NEWSLETTERS_BOUNCE_MAILBOX_URL = mailbox_url
    deliver(mailbox_url, dsn("stranger@partner.example", "failed", "5.1.1"))
    outcome = bounces.read_mailbox()
    assert (outcome.bounces, outcome.suppressed) == (1, 0)
    assert not Subscriber.objects.exists()


def test_a_mailbox_that_cannot_be_read_says_why_and_deletes_nothing(
    settings, mailbox_url, make_subscriber, caplog
):
    subscriber = make_subscriber(email="left.the.force@partner.example")
    deliver(mailbox_url, dsn(subscriber.email, "failed", "5.1.1"))
    wrong_password = mailbox_url.replace(PASSWORD, "not-the-password")
    with pytest.raises(
        bounces.MailboxError, match="Could not open the bounce mailbox at 127.0.0.1"
    ):
        bounces.read_mailbox(wrong_password)
    settings.NEWSLETTERS_BOUNCE_MAILBOX_URL = wrong_password
    assert tasks.read_bounce_mailbox.apply().get() is None
    assert "Reading the bounce mailbox failed" in caplog.text
    assert PASSWORD not in caplog.text
    with pytest.raises(bounces.MailboxError, match="must start imap:// or imaps://"):
        bounces.read_mailbox("pop3://user:secret@127.0.0.1/")

    assert Subscriber.objects.get(pk=subscriber.pk).status == "active"
    assert len(left_in_mailbox(mailbox_url)) == 1


def test_list_mail_returns_failures_to_the_bounce_address(
    settings, make_subscriber, make_practice, sink, django_capture_on_commit_callbacks
):
    settings.NEWSLETTERS_BOUNCE_ADDRESS = "bounces@practice-exchange.example"
    settings.DEFAULT_FROM_EMAIL = (
        "Safeguarding Practice Exchange <no-reply@practice-exchange.example>"
    )
    reader = make_subscriber()
    issue = NewsletterIssue.objects.create(
        title="April newsletter",
        body=[("featured", {"heading": "New", "pages": [make_practice()]})],
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_sending(issue.pk)
    assert sink.per_recipient() == {reader.email: 1}
    assert sink.senders == ["bounces@practice-exchange.example"]
    ((_, message),) = sink.messages
    assert message["From"] == settings.DEFAULT_FROM_EMAIL


def test_failures_about_the_sender_or_policy_suppress_nobody(
    settings, mailbox_url, make_subscriber
):
    """A relay that accepts everything and then fails it all (an unauthenticated sender, a
    blocklist) returns a report for every recipient: none of them is a dead address."""
    settings.NEWSLETTERS_BOUNCE_MAILBOX_URL = mailbox_url
    readers = [make_subscriber(email=f"reader{n}@partner.example") for n in range(3)]
    deliver(
        mailbox_url,
        *(dsn(reader.email, "failed", "5.7.26") for reader in readers[:2]),
        dsn(readers[2].email, "failed", "5.4.4"),
    )
    outcome = tasks.read_bounce_mailbox.apply().get()
    assert (outcome["bounces"], outcome["suppressed"], outcome["left_for_people"]) == (0, 0, 3)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"active"}
    assert len(left_in_mailbox(mailbox_url)) == 3


def test_a_mailto_unsubscribe_request_unsubscribes_as_the_link_does(
    settings, mailbox_url, make_subscriber
):
    """RFC 2369: a mail client that offers "unsubscribe" by mail sends the message the mailto:
    URI in List-Unsubscribe describes; the mailbox it lands in is read by the same beat task."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from newsletters import links, message_builder

    settings.NEWSLETTERS_BOUNCE_MAILBOX_URL = mailbox_url
    settings.NEWSLETTERS_UNSUBSCRIBE_ADDRESS = "bounces+unsubscribe@practice-exchange.example"
    reader = make_subscriber(email="reader@partner.example")
    other = make_subscriber(email="other@partner.example")
    sent = message_builder.list_message(
        reader.email,
        "April newsletter",
        "Text",
        "<p>HTML</p>",
        links.unsubscribe_url(reader),
        links.manage_url(reader),
    )
    header = message_from_bytes(sent.message().as_bytes(), policy=policy.default)[
        "List-Unsubscribe"
    ]
    targets = [target.strip().strip("<>") for target in str(header).split(",")]
    (mailto,) = [target for target in targets if target.startswith("mailto:")]
    parts = urlsplit(mailto)
    subject = parse_qs(parts.query)["subject"][0]
    deliver(
        mailbox_url,
        f"From: {reader.email}\nTo: {unquote(parts.path)}\nSubject: {subject}\n\nunsubscribe\n",
        # A forged request: a token that was never signed changes nothing.
        f"From: x@partner.example\nTo: {unquote(parts.path)}\nSubject: Unsubscribe abc:def\n\n",
    )

    outcome = tasks.read_bounce_mailbox.apply().get()

    assert outcome["unsubscribed"] == 1 and outcome["left_for_people"] == 1
    assert Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.UNSUBSCRIBED
    assert not Subscriber.objects.get(pk=reader.pk).subscriptions.exists()
    assert Subscriber.objects.get(pk=other.pk).status == Subscriber.Status.ACTIVE
