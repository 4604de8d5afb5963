"""PostgreSQL down answers 503 with ``Retry-After``, pages and API, never 500: ``core.errorpages.server_error``
answered 503 only for SQLite's ``database is locked`` (issue 11). The failure here is real: a connection to a
closed port, Django's ``OperationalError`` from ``ensure_connection``."""

from __future__ import annotations

import re
import socket

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":  # SQLite has no server: host and port are not read, nothing is refused
        pytest.skip("a database server that cannot be reached is PostgreSQL's case")

CJK = re.compile(r"[\u4e00-\u9fff]")
TITLES = {"zh-hans": "数据库无法连接", "en": "The database cannot be reached"}


def _connect_to_a_closed_port(*args, **kwargs):
    from django.db import connections

    connection = connections["default"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wrapper = type(connection)({**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(port),
                                "OPTIONS": {**connection.settings_dict.get("OPTIONS", {}), "connect_timeout": 2}},
                               alias="down")
    try:
        wrapper.ensure_connection()
    finally:
        wrapper.close()
    raise AssertionError("a closed port answered")


@pytest.fixture
def lenient():
    from django.test import Client

    return Client(raise_request_exception=False)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_database_down_answers_the_api_503(lenient, cast, monkeypatch, language):
    from pingan.core.services import token_create

    bearer = f"Bearer {token_create(user=cast.landlord_a, name='t').secret}"
    monkeypatch.setattr("pingan.core.selectors.premises_list", _connect_to_a_closed_port)
    r = lenient.get("/api/v1/premises", HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=bearer)
    assert r.status_code == 503 and r["Content-Type"] == "application/problem+json", r.content[:300]
    assert r["Retry-After"] == "30"
    body = r.json()
    assert body["code"] == "database_unavailable" and body["title"] == TITLES[language]
    assert bool(CJK.search(body["detail"])) == (language == "zh-hans")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_database_down_answers_a_page_503_in_the_frame(lenient, cast, monkeypatch, language):
    # the session is read from the database first: it fails before any view, and the frame must not ask again
    lenient.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    monkeypatch.setattr("pingan.core.sessions.SessionStore.load", _connect_to_a_closed_port)
    r = lenient.get("/", HTTP_ACCEPT_LANGUAGE=language)
    page = r.content.decode()
    assert r.status_code == 503 and r["Retry-After"] == "30", page[:300]
    assert TITLES[language] in page and 'class="bar"' in page


def test_other_operational_errors_stay_500():
    from django.db import OperationalError

    from pingan.core.unavailable import unavailable

    assert unavailable(OperationalError("division by zero")) is None
    assert unavailable(OperationalError("database is locked")) == "busy"
