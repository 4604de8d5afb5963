"""A request body over the limit is refused from its Content-Length, before a byte of it is read (issue 12,
item 14: a 200 MB upload was read whole, to a temporary file, before the 20 MB roster limit applied)."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import time
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db

HUGE = 200 * 2**20


class CountingInput:
    """A request body stream that records how much of it was read."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n is None or n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"x" * n

    def readline(self, n: int = -1) -> bytes:
        return self.read(min(n, 1024) if n and n > 0 else 1024)


def test_the_upload_page_refuses_a_200_mb_body_unread(client, cast):
    client.force_login(cast.landlord_a)
    body = CountingInput(HUGE)
    r = client.post("/screening/upload/", CONTENT_LENGTH=str(HUGE), CONTENT_TYPE="multipart/form-data; boundary=b",
                    **{"wsgi.input": body})
    assert r.status_code == 413 and body.read_bytes == 0
    text = r.content.decode()
    # the file limit, in the unit every other place states it (the page said "21.0 MB": the body limit)
    from pingan.core.uploads import upload_limit

    assert upload_limit() == 20 * 2**20
    # what the page says, not the whole document: its CSRF token and CSP nonce are random letters and digits
    # (one in ~50 pages holds a "21" there: the test failed now and then, more often when many runs pile up)
    said = re.search(r'<p class="error" role="alert">(.*?)</p>', text, re.S).group(1)
    assert "200 MiB" in said and "20 MiB" in said and "21" not in said and " MB" not in text


def test_the_api_refuses_it_with_a_problem_naming_the_limit(client, cast):
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t").secret
    body = CountingInput(HUGE)
    r = client.post("/api/v1/jobs", CONTENT_LENGTH=str(HUGE), CONTENT_TYPE="multipart/form-data; boundary=b",
                    HTTP_AUTHORIZATION=f"Bearer {secret}", **{"wsgi.input": body})
    assert r.status_code == 413 and body.read_bytes == 0
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "upload_too_large" and problem["limit"] == 20 * 2**20 and problem["size"] == HUGE
    assert problem["limit_mib"] == 20 and "20 MiB" in problem["detail"] and "200 MiB" in problem["detail"]


def test_a_body_within_the_limit_goes_through(client, cast):
    client.force_login(cast.landlord_a)
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk})
    assert r.status_code == 200  # the form, with its errors


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_413_while_the_client_is_still_sending(live_server, cast):
    """Over a socket: the answer comes after the headers and the first megabyte, not after 200 MB."""
    host = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    started = time.monotonic()
    conn.putrequest("POST", "/api/v1/jobs")
    conn.putheader("Content-Type", "multipart/form-data; boundary=b")
    conn.putheader("Content-Length", str(HUGE))
    conn.endheaders()
    with contextlib.suppress(OSError):  # the server may close before reading it
        conn.send(b"x" * 2**20)
    response = conn.getresponse()
    assert response.status == 413 and b"upload_too_large" in response.read()
    assert time.monotonic() - started < 10
    conn.close()


@pytest.fixture
def uvicorn_server(transactional_db):
    """``pingan serve``'s ASGI application under a real uvicorn, in a thread; yields (host, port, bytes Django
    read of request bodies)."""
    import socket
    import threading

    import uvicorn

    from pingan.config import asgi

    read = {"bytes": 0, "largest": 0}
    inner = asgi.application.app

    async def spy(scope, receive, send):  # counts what Django's handler reads of a body, and its largest piece
        async def counted():
            message = await receive()
            size = len(message.get("body", b"")) if message["type"] == "http.request" else 0
            read["bytes"] += size
            read["largest"] = max(read["largest"], size)
            return message
        return await inner(scope, counted, send)

    asgi.application.app = spy
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(asgi.application, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # URL conf and API loaded before timing
    warm.request("GET", "/verify/")
    warm.getresponse().read()
    warm.close()
    try:
        yield "127.0.0.1", port, read
    finally:
        server.should_exit = True
        thread.join(10)
        asgi.application.app = inner


def test_under_uvicorn_a_200_mb_declared_body_is_refused_unread(uvicorn_server, cast):
    # Django's ASGI handler reads a whole body before any middleware: the limit must be in front of it
    host, port, read = uvicorn_server
    conn = http.client.HTTPConnection(host, port, timeout=30)
    started = time.monotonic()
    conn.putrequest("POST", "/api/v1/jobs")
    conn.putheader("Content-Type", "multipart/form-data; boundary=b")
    conn.putheader("Content-Length", str(HUGE))
    conn.endheaders()
    with contextlib.suppress(OSError):
        conn.send(b"x" * 2**20)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 413 and b"upload_too_large" in body and str(HUGE).encode() in body.replace(b",", b"")
    assert time.monotonic() - started < 10 and read["bytes"] == 0
    conn.close()


def test_under_uvicorn_a_chunked_body_is_cut_off_at_the_limit(uvicorn_server, cast, settings):
    settings.PINGAN = {**settings.PINGAN, "MAX_UPLOAD_BYTES": 0}  # a request body of at most 0 + 1 MiB
    host, port, read = uvicorn_server
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.putrequest("POST", "/api/v1/jobs")
    conn.putheader("Content-Type", "multipart/form-data; boundary=b")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"y" * 65536
    with contextlib.suppress(OSError):
        for _ in range(64):  # 4 MiB offered
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    problem = json.loads(response.read())
    assert response.status == 413 and problem["code"] == "upload_too_large"
    # in the request's language (no Accept-Language: the site's, Chinese), as every API error (it was English)
    assert problem["title"] == "文件太大" and "文件内容均未保存" in problem["detail"]
    # the limit and at most one more ASGI message past it (uvicorn hands over what the socket had: under load
    # one message holds several of the client's chunks — 229 KiB was seen at load 18), never the 4 MiB offered
    assert read["bytes"] <= 2**20 + max(read["largest"], len(chunk)) < 2 * 2**20
    conn.close()


def test_under_uvicorn_a_body_within_the_limit_reaches_the_api(uvicorn_server, cast):
    host, port, read = uvicorn_server
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("POST", "/api/v1/codes/verify", body=b'{"text": "PA1:x"}',
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200 and response.read() and read["bytes"] == len(b'{"text": "PA1:x"}')
    conn.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_form_hint_its_error_and_the_413_page_state_one_limit_in_one_unit(client, cast, lang):
    """One source (``PINGAN["MAX_UPLOAD_BYTES"]``), one number, one unit: the hint, the form's error for a file
    between the file and the body limit, and the 413 page all say 20 MiB."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.landlord_a)
    client.cookies["django_language"] = lang
    hint = client.get("/screening/upload/").content.decode()
    assert re.search(r'id="limit-hint">[^<]*20 MiB', hint)
    big = SimpleUploadedFile("big.csv", b"x" * (20 * 2**20 + 2**19), content_type="text/csv")  # 20.5 MiB
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk, "roster": big,
                                           "idempotency_key": "k" * 32})
    assert r.status_code == 200
    text = r.content.decode()
    assert "20.5 MiB" in text and "20 MiB" in text and " MB" not in text
    r = client.post("/screening/upload/", CONTENT_LENGTH=str(HUGE), CONTENT_TYPE="multipart/form-data; boundary=b",
                    **{"wsgi.input": CountingInput(HUGE)})
    assert r.status_code == 413 and "20 MiB" in r.content.decode()
