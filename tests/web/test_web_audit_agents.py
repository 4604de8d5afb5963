"""Records written without an account name what acted and on whose behalf (issue 11: the audit page said
"system" for background tasks, re-evaluation, commands): a command names itself and the server account that
ran it, a background task its kind, job and the account that queued it, a kiosk or platform itself; the
audit page shows them in the viewer's language and filters by them."""

from __future__ import annotations

import getpass
import re

import pytest
from web_support import sign_in

from pingan.core import audit, jobs
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="audit-\d+">(.*?)</tr>', html, re.S)


def audit_page(client, cast, lang: str, **params) -> str:
    sign_in(client, cast.auditor)
    client.cookies["django_language"] = lang
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def main(monkeypatch):
    """``pingan.cli.main`` in this process; Django's command runner closes the connections when a command ends,
    which would close the test's own (PostgreSQL)."""
    from django.db import connections

    from pingan.cli import main

    monkeypatch.setattr(connections, "close_all", lambda: None)
    return main


def test_a_command_names_itself_and_the_server_account_never_its_arguments(client, cast, main):
    assert main(["audit", "search", "--person", "张伟", "--limit", "1"]) == 0
    rec = AuditRecord.objects.filter(action="search").latest("seq")
    assert rec.actor == "command:pingan audit search" and rec.actor_id is None
    assert rec.detail["agent"] == {"kind": "command", "name": "pingan audit search", "by": getpass.getuser()}
    assert "张伟" not in str(rec.detail)
    zh = rows(audit_page(client, cast, "zh-hans", agent="command", with_searches="on"))
    assert len(zh) == 1 and "命令 pingan audit search" in zh[0]
    assert f"由 {getpass.getuser()} 在服务器上运行" in zh[0]
    en = rows(audit_page(client, cast, "en", agent="command", with_searches="on"))
    assert "command pingan audit search" in en[0] and f"run at the server by {getpass.getuser()}" in en[0]
    assert "system" not in en[0] and "系统" not in zh[0]
    # "an account acted" leaves it out; "no account" keeps it
    people = rows(audit_page(client, cast, "en", agent="person", with_searches="on"))
    assert all("pingan audit search" not in r for r in people)
    machines = rows(audit_page(client, cast, "en", agent="automatic", with_searches="on"))
    assert any("pingan audit search" in r for r in machines)


def test_a_background_task_names_its_job_and_who_queued_it(client, cast):
    from web_support import make_job

    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    kind = jobs.KINDS["screening"]
    with audit.acting(jobs.task_agent(kind, job.pk)):
        audit.record(None, "update", "ScreeningJob", job.pk)
    rec = AuditRecord.objects.latest("seq")
    assert rec.actor == "task:screening" and rec.detail["agent"] == {
        "kind": "task", "name": "screening", "object_id": str(job.pk), "by": "landlord_a",
        "by_id": cast.landlord_a.pk}
    en = rows(audit_page(client, cast, "en", agent="task:screening"))
    assert len(en) == 1 and f"background task: screening of a roster № {job.pk}" in en[0]
    assert "queued by landlord_a" in en[0]
    zh = rows(audit_page(client, cast, "zh-hans", agent="task"))
    assert "后台任务：名单筛查 № " in zh[0] and "由 landlord_a 提交" in zh[0]
    # the account's filter finds what acted on its behalf
    assert any("screening of a roster" in r for r in rows(audit_page(client, cast, "en", actor="landlord_a")))


def test_a_record_in_a_request_without_an_account_names_the_request_and_who_was_signed_in(client, cast):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from pingan.core.middleware import AuditContextMiddleware

    request = RequestFactory().get("/x/")
    request.user = cast.officer_a
    def view(r):
        audit.record(None, "key_create", "SigningKey", "k1")
        return HttpResponse()

    AuditContextMiddleware(view)(request)
    rec = AuditRecord.objects.latest("seq")
    assert rec.detail["agent"] == {"kind": "request", "by": "officer_a", "by_id": cast.officer_a.pk}
    assert rec.request_id
    en = rows(audit_page(client, cast, "en", agent="request"))
    assert "a page or API request" in en[0] and "signed in as officer_a" in en[0]


def test_no_service_records_none_without_a_context_that_names_it():
    """Every ``audit.record(None, …)`` / ``record_many(None, …)`` call site runs in a command, a task or a
    request (the context names it) or passes an Agent: none names a kiosk or a platform as "the system"."""
    import pathlib

    src = pathlib.Path(audit.__file__).parents[1]
    for path in (src / "citizen" / "services.py", src / "alerts" / "viid.py"):
        text = path.read_text()
        assert not re.search(r"audit\.record\(None, \"(walk_in|viid_register|viid_unregister)\"", text), path


def test_the_api_returns_the_agent(client, cast, main):
    from pingan.core.services import token_create

    main(["audit", "search", "--actor", "nobody", "--limit", "1"])
    secret = token_create(user=cast.auditor, name="t").secret
    body = client.get("/api/v1/audit", {"agent": "command"}, HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    items = body["items"] if isinstance(body, dict) else body
    assert items and items[0]["agent"]["kind"] == "command" and items[0]["agent"]["by"] == getpass.getuser()


def test_a_background_task_of_the_apps_names_itself_and_who_runs_its_worker(client, cast):
    """django-tasks work (the citizen services' daily run, the evidence overdue check, re-evaluation, retention
    …) records as that task, on behalf of whoever runs the worker command; every such task is decorated."""
    import importlib

    from django_tasks.base import Task

    def work(checkout_id: int) -> None:
        audit.record(None, "overdue_alert", "EvidenceCheckOut", "")

    wrapped = audit.as_task("test-overdue", "the overdue check (test)")(work)
    with audit.acting(audit.command_agent(["db_worker"])):
        wrapped(42)
    rec = AuditRecord.objects.latest("seq")
    assert rec.actor == "task:test-overdue"
    assert rec.detail["agent"] == {"kind": "task", "name": "test-overdue", "object_id": "42", "by": getpass.getuser()}
    en = rows(audit_page(client, cast, "en", agent="task:test-overdue"))
    assert "background task: the overdue check (test) № 42" in en[0] and f"queued by {getpass.getuser()}" in en[0]
    unnamed = []
    for app in ("antifraud", "citizen", "evidence", "screening", "stats"):
        module = importlib.import_module(f"pingan.{app}.tasks")
        for name, value in vars(module).items():
            # a screening job runs as a leased job (core.jobs names it); everything else names itself
            if isinstance(value, Task) and name != "screening_job_task" and not hasattr(value.func, "__wrapped__"):
                unnamed.append(f"{app}.{name}")
    assert unnamed == []
