"""Issues sent over SMTP are built once per chunk and personalised as bytes (prepared.py). What
arrives must be the message the ordinary Django build gives: same headers, same parts, each
recipient's own links, and nothing of the markers left."""

import re
from email import message_from_bytes, policy

import pytest

from newsletters import claims, links, message_builder, prepared, sending, tasks
from newsletters.models import Delivery, Mailing, NewsletterIssue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "clean_cache")]

HEADERS = [
    "Subject",
    "From",
    "To",
    "Message-ID",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
    "X-SPE-Manage",
]


@pytest.fixture
def issue(make_practice):
    page = make_practice(title="Joint visits to children's homes")
    return NewsletterIssue.objects.create(
        title="April newsletter: missing children — what works",
        body=[
            ("text", "<p>Six forces shared practice on children who go missing.</p>"),
            ("featured", {"heading": "New practice", "pages": [page]}),
        ],
    )


def prepare(issue):
    """The issue's mailing and delivery rows, as "Send now" makes them, without sending."""
    return Mailing.objects.create(
        key=f"issue:{issue.pk}",
        kind="issue",
        issue=issue,
        subject=issue.title,
        body=issue.body.get_prep_value(),
    )


def row_for(mailing, subscriber):
    return Delivery.objects.select_related("subscriber").get(
        pk=Delivery.objects.create(mailing=mailing, subscriber=subscriber).pk
    )


def owners(content, kind):
    """Whom the signed manage or unsubscribe links in this content were made for (tokens carry
    a timestamp, so links made a second apart differ)."""
    salt = {"manage": links.MANAGE_SALT, "unsubscribe": links.UNSUBSCRIBE_SALT}[kind]
    tokens = re.findall(rf"/newsletters/{kind}/([^/\s\"<>]+)/", content)
    assert tokens, f"no {kind} link"
    return {links.subscriber_from_token(token, salt) for token in tokens}


def parse(data):
    return message_from_bytes(data, policy=policy.default)


def both_ways(mailing, row):
    builder = message_builder.MessageBuilder(mailing, wire=True)
    sender, recipient, data = builder.build_wire(row)
    ordinary = builder.build(row)
    return (sender, recipient, parse(data)), ordinary


def assert_same_message(wire, ordinary):
    expected = parse(ordinary.message().as_bytes(linesep="\r\n"))
    for name in HEADERS:
        # Django folds a long header onto a new line; the value read back is the same.
        assert str(wire[name]).strip() == str(expected[name]).strip(), name
    assert wire["Date"]
    assert [part.get_content_type() for part in wire.walk()] == [
        part.get_content_type() for part in expected.walk()
    ]
    for kind in ("plain", "html"):
        assert (
            wire.get_body(preferencelist=(kind,)).get_content()
            == expected.get_body(preferencelist=(kind,)).get_content()
        )


def test_the_prepared_copy_is_the_ordinary_message(issue, make_subscriber):
    mailing = prepare(issue)
    reader = make_subscriber(email="reader@force.police.example")
    row = row_for(mailing, reader)
    (sender, recipient, wire), ordinary = both_ways(mailing, row)

    assert sender == ordinary.from_email
    assert recipient == "reader@force.police.example"
    assert_same_message(wire, ordinary)
    assert wire["Message-ID"] == prepared.message_id(mailing.pk, row.pk)
    text = wire.get_body(preferencelist=("plain",)).get_content()
    html = wire.get_body(preferencelist=("html",)).get_content()
    assert owners(text, "manage") == owners(html, "manage") == {reader}
    assert owners(html, "unsubscribe") == {reader}
    assert owners(wire["List-Unsubscribe"], "unsubscribe") == {reader}
    assert owners(wire["X-SPE-Manage"], "manage") == {reader}
    raw = wire.as_string()
    assert not [marker for marker in prepared.MARKERS if marker in raw]


def test_each_copy_carries_its_own_recipient_and_links(issue, make_subscriber):
    mailing = prepare(issue)
    first, second = make_subscriber(), make_subscriber()
    builder = message_builder.MessageBuilder(mailing, wire=True)
    one = parse(builder.build_wire(row_for(mailing, first))[2])
    two = parse(builder.build_wire(row_for(mailing, second))[2])
    assert (one["To"], two["To"]) == (first.email, second.email)
    assert owners(one["List-Unsubscribe"], "unsubscribe") == {first}
    assert owners(two["List-Unsubscribe"], "unsubscribe") == {second}
    assert owners(two.get_body(preferencelist=("html",)).get_content(), "manage") == {second}
    assert one["Message-ID"] != two["Message-ID"]


def test_lines_too_long_for_smtp_go_quoted_printable_and_read_the_same(issue, make_subscriber):
    paragraph = "Partners met weekly to review every missing episode. " * 40  # ~2,000 chars
    issue.body = [("text", f"<p>{paragraph}</p>")]
    issue.save()
    mailing = prepare(issue)
    row = row_for(mailing, make_subscriber())
    (_, _, wire), ordinary = both_ways(mailing, row)

    html_part = wire.get_body(preferencelist=("html",))
    assert html_part["Content-Transfer-Encoding"] == "quoted-printable"
    assert_same_message(wire, ordinary)
    assert paragraph.strip() in html_part.get_content()
    raw = wire.as_bytes()
    assert max(len(line) for line in raw.split(b"\n")) <= prepared.MAX_LINE


def test_an_address_that_needs_encoding_is_built_the_ordinary_way(issue, make_subscriber, sink):
    mailing = prepare(issue)
    plain, international = make_subscriber(), make_subscriber(email="leser@bücher.example")
    builder = message_builder.MessageBuilder(mailing, wire=True)
    assert builder.build_wire(row_for(mailing, international)) is None
    assert Delivery.objects.filter(mailing=mailing).count() == 1
    row_for(mailing, plain)

    claim_id, rows = claims.claim(mailing.pk)
    assert sending.send_claimed(mailing, claim_id, rows) == 2
    received = {tuple(recipients): message for recipients, message in sink.messages}
    assert set(received) == {(plain.email,), ("leser@xn--bcher-kva.example",)}
    unsubscribe = received[("leser@xn--bcher-kva.example",)]["List-Unsubscribe"]
    assert owners(unsubscribe, "unsubscribe") == {international}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_issue_is_fixed_when_sending_starts(issue, make_subscriber, sink):
    """Editing an issue mid-send does not change what the rest of its readers get."""
    readers = [make_subscriber() for _ in range(2)]
    tasks.prepare_issue.apply(args=[issue.pk])  # rows and mailing only: lanes run on commit
    issue.title = "Edited after sending started"
    issue.body = [("text", "<p>Something else entirely.</p>")]
    issue.save()

    mailing = Mailing.objects.get(issue=issue)
    claim_id, rows = claims.claim(mailing.pk)
    sending.send_claimed(mailing, claim_id, rows)
    subjects = {str(message["Subject"]) for _, message in sink.messages}
    assert subjects == {"April newsletter: missing children — what works"}
    assert len(sink.messages) == len(readers)


def test_chunk_links_are_the_same_as_single_links(make_subscriber):
    reader = make_subscriber()
    chunk = links.Links()
    pattern = re.compile(r":[0-9A-Za-z]+:[^:/]+/$")  # the timestamp and signature
    assert pattern.sub("", chunk.manage_url(reader)) == pattern.sub("", links.manage_url(reader))
    assert owners(chunk.manage_url(reader), "manage") == {reader}
    assert owners(chunk.unsubscribe_url(reader), "unsubscribe") == {reader}


def test_list_id_is_under_the_public_base_urls_host(issue, make_subscriber, settings):
    settings.PUBLIC_BASE_URL = "https://practice.example"
    mailing = prepare(issue)
    (_, _, wire), ordinary = both_ways(mailing, row_for(mailing, make_subscriber()))
    assert_same_message(wire, ordinary)
    # RFC 2919: a phrase, then <list-label.domain> under a domain the sender controls.
    assert re.fullmatch(
        r"Safeguarding Practice Exchange updates <updates\.practice\.example>", wire["List-Id"]
    )
    assert wire["Message-ID"].endswith("@practice.example>")


def test_a_configured_unsubscribe_address_adds_a_mailto_beside_the_https_link(
    issue, make_subscriber, settings
):
    from urllib.parse import parse_qs, unquote, urlsplit

    settings.NEWSLETTERS_UNSUBSCRIBE_ADDRESS = "bounces+unsubscribe@practice-exchange.example"
    mailing = prepare(issue)
    reader = make_subscriber(email="reader@force.police.example")
    (_, _, wire), ordinary = both_ways(mailing, row_for(mailing, reader))
    assert_same_message(wire, ordinary)
    https, mailto = (target.strip().strip("<>") for target in wire["List-Unsubscribe"].split(","))
    assert https.startswith("http://testserver/newsletters/unsubscribe/")
    parts = urlsplit(mailto)
    assert parts.scheme == "mailto"
    assert unquote(parts.path) == "bounces+unsubscribe@practice-exchange.example"
    verb, token = parse_qs(parts.query)["subject"][0].split(" ")
    assert verb == "Unsubscribe"
    assert links.subscriber_from_token(token, links.UNSUBSCRIBE_SALT) == reader
    # Without an address, only the https link (one-click, RFC 8058).
    settings.NEWSLETTERS_UNSUBSCRIBE_ADDRESS = ""
    (_, _, wire), _ = both_ways(mailing, row_for(mailing, make_subscriber()))
    assert "mailto:" not in wire["List-Unsubscribe"]
