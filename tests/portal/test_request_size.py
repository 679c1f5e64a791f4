"""Over-large request bodies are refused with 413 before they are read; uploads where people
are meant to upload still work (portal/middleware/request_size.py)."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model

from newsletters.models import Subscriber

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "portal-test-boundary"
SUBSCRIBE = "/newsletters/subscribe/"


class GeneratedBody:
    """A request body of `size` bytes made as it is read (nothing held in memory), which
    counts how much of it was read."""

    def __init__(self, head, size, tail=b""):
        self.head, self.tail = head, tail
        self.size = size
        self.read_bytes = 0

    def read(self, size=-1):
        start = self.read_bytes
        end = self.size if size is None or size < 0 else min(self.size, start + size)
        self.read_bytes = end
        filler_end = self.size - len(self.tail)
        head = self.head[start:end]
        filler = b"0" * max(0, min(end, filler_end) - max(start, len(self.head)))
        tail = self.tail[max(0, start - filler_end) : max(0, end - filler_end)]
        return head + filler + tail

    def readline(self, size=-1):
        line = b""
        while not line.endswith(b"\n") and self.read_bytes < self.size:
            if 0 <= size <= len(line):
                break
            line += self.read(1)
        return line


def multipart_upload(size):
    """A sign-up form with a file of about `size` bytes attached."""
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="email"\r\n\r\n'
        "officer@force.police.example\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return GeneratedBody(head, size, f"\r\n--{BOUNDARY}--\r\n".encode())


def post_body(client, path, body, content_type, chunked=False):
    environ = {"wsgi.input": body, "CONTENT_TYPE": content_type}
    if chunked:
        # What a WSGI server passes on for Transfer-Encoding: chunked (no Content-Length).
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(body.size)
    return client.generic("POST", path, **environ)


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    cache.clear()
    yield
    cache.clear()


def test_a_body_declared_too_large_is_refused_unread(client):
    body = multipart_upload(200 * MB)
    response = post_body(client, SUBSCRIBE, body, f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413
    assert body.read_bytes == 0
    html = response.content.decode()
    assert "What you sent is too large" in html
    assert "govuk-heading-l" in html
    assert not Subscriber.objects.exists()


def test_a_chunked_body_is_read_only_up_to_the_cap(client, settings):
    body = multipart_upload(200 * MB)
    response = post_body(
        client, SUBSCRIBE, body, f"multipart/form-data; boundary={BOUNDARY}", chunked=True
    )
    assert response.status_code == 413
    assert body.read_bytes <= settings.REQUEST_BODY_MAX_SIZE + 1
    assert not Subscriber.objects.exists()


def test_a_chunked_body_within_the_cap_is_used(client, django_capture_on_commit_callbacks):
    form = (
        b"email=officer%40force.police.example&organisation_type=force"
        b"&criteria=initial-contact&frequency=weekly"
    )
    body = GeneratedBody(form, len(form))
    with django_capture_on_commit_callbacks(execute=False):
        response = post_body(
            client, SUBSCRIBE, body, "application/x-www-form-urlencoded", chunked=True
        )
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="officer@force.police.example").exists()


@pytest.fixture
def document(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    size = 15 * MB  # under WAGTAILDOCS_DOCUMENT_MAX_UPLOAD_SIZE, over REQUEST_BODY_MAX_SIZE

    def make():
        return SimpleUploadedFile("protocol.pdf", b"%PDF-1.7\n" + b"0" * size, "application/pdf")

    return make


def upload_document(client, document):
    return client.post(
        "/admin/documents/add/", {"title": "Protocol", "file": document(), "collection": 1}
    )


def test_staff_can_upload_a_large_document(admin_client, document):
    response = upload_document(admin_client, document)
    assert response.status_code == 302
    assert get_document_model().objects.filter(title="Protocol").exists()


def test_others_cannot_send_upload_sized_bodies_to_the_admin(client, document):
    assert upload_document(client, document).status_code == 413
    client.force_login(User.objects.create_user("officer", "officer@force.police.example"))
    assert upload_document(client, document).status_code == 413
    assert not get_document_model().objects.filter(title="Protocol").exists()


def test_upload_sized_bodies_to_practice_submission_need_a_signed_in_user(client, document):
    response = client.post("/practice/submit/", {"attachments": document()})
    assert response.status_code == 413
