"""The officers' stream under a WSGI server (``runserver``, a test's live server): such a server reads an async
body to its end before sending it, so there the body is the back-fill only and ends; ``EventSource`` reconnects
after ``retry`` with ``Last-Event-ID``. An endless body there held a server thread, and the test process, for
ever (CI timed out after a green suite)."""

from __future__ import annotations

import json

import pytest
from alerts_support import LQ_SOS, ingest, payload, sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators"),
]


def _events(body: str) -> list[tuple[str, str, dict]]:
    out = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            out.append((fields.get("id", ""), fields["event"], json.loads(fields["data"])))
    return out


def _get(client, **headers) -> str:
    resp = client.get("/alerts/stream/", headers=headers)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "text/event-stream"
    return b"".join(resp).decode()  # as a WSGI server iterates it: it ends


def test_under_wsgi_the_stream_ends_after_the_backfill_and_the_next_request_resumes(client, on_duty, clock, worker):
    sign_in(client, on_duty.officer_a)
    first = _get(client)
    assert first.startswith("retry: 2000\n")
    (hello,) = _events(first)
    assert hello[1] == "hello"
    ingest(payload("s1", LQ_SOS, "sos", clock()))
    worker().step()
    missed = _events(_get(client, last_event_id=str(hello[2]["after"])))
    assert [(e[1], e[2]["summary"]) for e in missed[1:]] == [("alert", "immediate.sos")]
    again = _events(_get(client, last_event_id=missed[-1][0]))
    assert [e[1] for e in again] == ["hello"]  # nothing twice
