"""The server log: an ordinary 403/404 is one line (status, method, path, user id, reason), never a
traceback; a real 500 keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def police(client: Client, user) -> Client:
    client.force_login(user)
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    return client


def test_a_page_a_role_may_not_use_logs_one_warning_line_without_traceback(client, cast, caplog):
    caplog.set_level(logging.INFO)
    assert police(client, cast.officer_b).get("/police/overview/").status_code == 403
    [record] = records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == (f"403 GET /police/overview/ user={cast.officer_b.pk} "
                                   "reason=your role may not use this page")
    assert "Traceback" not in caplog.text


def test_another_stations_premises_logs_one_info_line_with_the_reason(client, cast, caplog):
    caplog.set_level(logging.INFO)
    assert police(client, cast.officer_b).get(f"/codes/premises/{cast.premises_a.pk}/").status_code == 404
    [record] = records(caplog)
    assert record.levelno == logging.INFO and record.exc_info is None
    assert record.getMessage() == (f"404 GET /codes/premises/{cast.premises_a.pk}/ user={cast.officer_b.pk} "
                                   "reason=premises not found")


def test_a_404_is_not_logged_when_info_is_off(client, cast, caplog):
    caplog.set_level(logging.WARNING)
    assert police(client, cast.officer_b).get(f"/codes/premises/{cast.premises_a.pk}/").status_code == 404
    assert records(caplog) == []


def test_an_api_call_without_the_role_logs_the_problem_detail(client, cast, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(cast.landlord_a)
    assert client.get("/api/v1/flagged").status_code == 403
    [record] = records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == (f"403 GET /api/v1/flagged user={cast.landlord_a.pk} reason=permission_denied: "
                                   "only police accounts may use the jurisdiction view")


def test_an_anonymous_api_call_logs_user_dash(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/api/v1/flagged").status_code == 401
    [record] = records(caplog)
    assert record.getMessage() == ("401 GET /api/v1/flagged user=- "
                                   "reason=unauthorised: A valid API token (Authorization: Bearer …) or a signed-in "
                                   "session is required.")


def test_the_log_line_is_english_whatever_language_the_client_asked_for(client, caplog):
    # the server log is the operator's: CI found a Chinese reason in it once problems followed Accept-Language
    caplog.set_level(logging.INFO)
    answer = client.get("/api/v1/flagged", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert answer.status_code == 401 and "令牌" in answer.json()["detail"]
    [record] = records(caplog)
    assert "A valid API token" in record.getMessage() and "令牌" not in record.getMessage()


def test_a_newline_in_the_path_cannot_forge_a_second_log_line(client, cast, caplog):
    caplog.set_level(logging.INFO)
    police(client, cast.officer_b).get("/nowhere%0A403 GET /forged user=1 reason=x")
    [record] = records(caplog)
    assert "\n" not in record.getMessage()
    forged = "/nowhere\\n403 GET /forged user=1 reason=x"
    assert record.getMessage().startswith(f"404 GET {forged} user={cast.officer_b.pk} ")


def test_a_real_failure_still_logs_an_error_with_its_traceback(cast, caplog, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the counts table is gone")

    monkeypatch.setattr("pingan.dashboard.views.selectors.unit_counts", broken)
    client = police(Client(raise_request_exception=False), cast.chief_a)
    caplog.set_level(logging.INFO)
    assert client.get("/police/overview/").status_code == 500
    [record] = records(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "Traceback" in caplog.text and "RuntimeError: the counts table is gone" in caplog.text
