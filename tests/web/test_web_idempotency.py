"""One ``Idempotency-Key``, many requests: parallel clients get one job, a reused key with another file is 422.

The parallel test runs real threads, each with its own database connection, against committed data
(``transaction=True``): 20 clients post the same roster with the same key at the same moment.
"""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from web_support import roster_bytes, sign_in

CLIENTS = 20


def _post(secret: str, premises_id: int, body: bytes, key: str):
    return Client().post("/api/v1/jobs", {"premises_id": premises_id, "roster": SimpleUploadedFile("r.csv", body)},
                         HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submissions_with_one_key_make_exactly_one_job(cast, monkeypatch):
    from django.db import connection

    from pingan.core.services import token_create
    from pingan.screening import tasks
    from pingan.screening.models import ScreeningJob

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers itself; the race needs PostgreSQL")
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "screening_job_enqueue", lambda job: enqueued.append(job.pk))
    secret = token_create(user=cast.landlord_a, name="parallel").secret
    body = roster_bytes()
    start = threading.Barrier(CLIENTS)
    answers: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def client() -> None:
        from django.db import connections

        try:
            start.wait()
            r = _post(secret, cast.premises_a.pk, body, "same-key")
            answers.append((r.status_code, r.json()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    statuses = sorted(s for s, _ in answers)
    assert statuses == [200] * (CLIENTS - 1) + [201], statuses
    assert len({a["id"] for _, a in answers}) == 1
    assert ScreeningJob.objects.filter(idempotency_key="same-key").count() == 1
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_a_reused_key_with_another_file_or_premises_answers_422(client, cast, django_capture_on_commit_callbacks):
    from pingan.core.services import premises_create, token_create

    secret = token_create(user=cast.landlord_a, name="t").secret
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _post(secret, cast.premises_a.pk, roster_bytes(), "k-1")
        same = _post(secret, cast.premises_a.pk, roster_bytes(), "k-1")
        other_file = _post(secret, cast.premises_a.pk, roster_bytes(("王五", "赵六", "钱七")), "k-1")
        second = premises_create(actor=cast.landlord_a, name="第二处", kind="rental", address="x", adcode="350203010")
        other_premises = _post(secret, second.pk, roster_bytes(), "k-1")
    assert (first.status_code, same.status_code) == (201, 200)
    for r in (other_file, other_premises):
        assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
        assert r.json()["code"] == "idempotency_key_reused" and r.json()["job_id"] == first.json()["id"]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_the_upload_form_gives_a_fresh_key_after_its_key_made_a_job_with_another_file(client, cast):
    sign_in(client, cast.landlord_a)
    key = "form-key-1"
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk, "idempotency_key": key,
                                           "roster": SimpleUploadedFile("a.csv", roster_bytes())})
    assert r.status_code == 302
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk, "idempotency_key": key,
                                           "roster": SimpleUploadedFile("b.csv", roster_bytes(("甲", "乙", "丙")))})
    assert r.status_code == 200
    page = r.content.decode()
    assert "form-key-1" not in page and 'name="idempotency_key"' in page
