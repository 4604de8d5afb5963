"""A request body over the limit is refused from its Content-Length, before a byte of it is read (issue 12,
item 14: a 200 MB upload was read whole, to a temporary file, before the 20 MB roster limit applied)."""

from __future__ import annotations

import contextlib
import http.client
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
    assert "200.0" in text and "21.0" in text


def test_the_api_refuses_it_with_a_problem_naming_the_limit(client, cast):
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t").secret
    body = CountingInput(HUGE)
    r = client.post("/api/v1/jobs", CONTENT_LENGTH=str(HUGE), CONTENT_TYPE="multipart/form-data; boundary=b",
                    HTTP_AUTHORIZATION=f"Bearer {secret}", **{"wsgi.input": body})
    assert r.status_code == 413 and body.read_bytes == 0
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "upload_too_large" and problem["limit"] == 21 * 2**20 and problem["size"] == HUGE


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
