"""Over-large request bodies are refused before anything reads them.

Django reads a body when a view or the CSRF check first touches request.POST, and writes
uploaded files over FILE_UPLOAD_MAX_MEMORY_SIZE to disk as it goes, whatever the view will make
of them: without a cap, anyone can make the server read and store a body of any size. This
middleware answers 413 first. A body that declares its length is judged by Content-Length
without reading a byte; a chunked body (no Content-Length) is read only up to the cap.

The cap is REQUEST_BODY_MAX_SIZE, larger only where signed-in people upload files
(REQUEST_BODY_UPLOAD_LIMITS). It sits after AuthenticationMiddleware, to know who is asking,
and before the CSRF check, which is the first to read a body (in process_view).
"""

import tempfile

from django.conf import settings
from django.shortcuts import render

# Chunks read from a body that does not declare its length.
READ_CHUNK = 64 * 1024


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request)
        declared = declared_length(request)
        if declared is not None:
            if declared > limit:
                return too_large(request, limit)
        elif "HTTP_TRANSFER_ENCODING" in request.META:
            if not buffer_chunked_body(request, limit):
                return too_large(request, limit)
        return self.get_response(request)


def body_limit(request):
    """The largest body this person may send to this path, in bytes."""
    for prefix, size, who in settings.REQUEST_BODY_UPLOAD_LIMITS:
        if request.path_info.startswith(prefix) and may_send(request.user, who):
            return size
    return settings.REQUEST_BODY_MAX_SIZE


def may_send(user, who):
    if who == "anyone":
        return True
    if not user.is_authenticated:
        return False
    return who == "signed-in" or user.has_perm(who)


def declared_length(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def buffer_chunked_body(request, limit):
    """Read a body sent without Content-Length, up to `limit` bytes, into a spooled file that
    the request then reads from; False, having read no more than limit + 1 bytes, if it is
    longer. (The WSGI server has already undone the chunked encoding.)"""
    source = request.META["wsgi.input"]
    spooled = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    size = 0
    while chunk := source.read(min(READ_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            spooled.close()
            return False
        spooled.write(chunk)
    spooled.seek(0)
    # Django reads a body through request._stream, bounded by CONTENT_LENGTH (wsgi.py, and the
    # multipart parser reads nothing without it): the buffered body takes the stream's place.
    request._stream = spooled
    request.META["CONTENT_LENGTH"] = str(size)
    return True


def too_large(request, limit):
    return render(
        request, "413.html", {"limit_megabytes": max(1, limit // (1024 * 1024))}, status=413
    )
