"""Issue 11: the audit search had no export. /audit/export.csv gives the page's results with the page's filters
(headers in the reader's language, each coded value beside its stable code) and is itself recorded as an
export of the trail with those filters; ``pingan audit search --csv|--json`` gives the machine form."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from web_support import sign_in

from pingan.core import auditexport
from pingan.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_exports_its_results_with_its_filters(client, cast, looked_at, language):
    sign_in(client, cast.auditor)
    client.cookies["django_language"] = language
    params = {"action": "read", "purpose": "jurisdiction_management"}
    page = client.get("/audit/", params).content.decode()
    assert "/audit/export.csv?action=read&amp;purpose=jurisdiction_management" in page
    rows = _csv(client.get("/audit/export.csv", params))
    header, body = rows[0], rows[1:]
    assert header[:3] == (["序号", "时间", "操作人"] if language == "zh-hans" else ["No.", "Time", "Who"])
    col = {h: i for i, h in enumerate(header)}
    action_code = col["操作（代码）" if language == "zh-hans" else "Action (code)"]
    purpose_code = col["用途（代码）" if language == "zh-hans" else "Purpose (code)"]
    expected = AuditRecord.objects.filter(action="read", purpose="jurisdiction_management").order_by("-seq")
    assert [int(r[0]) for r in body] == list(expected.values_list("seq", flat=True)) and body
    assert {r[action_code] for r in body} == {"read"} and {r[purpose_code] for r in body} == {"jurisdiction_management"}
    assert body[0][col["用途" if language == "zh-hans" else "Purpose"]] == (
        "辖区管理" if language == "zh-hans" else "jurisdiction management")
    export = AuditRecord.objects.filter(object_type="AuditRecord", action="export").latest("seq")
    assert export.actor_id == cast.auditor.pk and export.detail["filters"] == params


def test_only_auditors_export(client, cast, looked_at):
    sign_in(client, cast.officer_a)
    assert client.get("/audit/export.csv").status_code == 403
    assert not AuditRecord.objects.filter(action="export", object_type="AuditRecord").exists()


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client, cast, looked_at):
    AuditRecord.objects.filter(action="read").update(client_addr="=HYPERLINK(\"x\")")
    sign_in(client, cast.auditor)
    rows = _csv(client.get("/audit/export.csv", {"action": "read"}))
    assert {r[rows[0].index("网络地址")] for r in rows[1:]} == {"'=HYPERLINK(\"x\")"}


def test_the_command_prints_the_machine_form(cast, looked_at, capsys):
    expected = list(AuditRecord.objects.filter(action="read").order_by("-seq").values_list("seq", flat=True))
    call_command("audit", "search", "--action", "read", "--csv")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == auditexport.FIELDS
    assert [int(r[0]) for r in rows[1:]] == expected and {r[rows[0].index("action")] for r in rows[1:]} == {"read"}
    call_command("audit", "search", "--action", "read", "--json", "--as", cast.auditor.username)
    data = json.loads(capsys.readouterr().out)
    assert [d["seq"] for d in data] == expected and set(data[0]) == set(auditexport.FIELDS)
    assert data[0]["purpose"] == "jurisdiction_management" and data[0]["at"][:4].isdigit()
    exports = AuditRecord.objects.filter(object_type="AuditRecord", action="export").order_by("seq")
    assert [e.actor_id for e in exports] == [None, cast.auditor.pk]
    assert all(e.detail["filters"] == {"action": "read"} for e in exports)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_result_larger_than_one_file_is_exported_in_parts_with_none_left_out(client, cast, monkeypatch, language):
    """The export cut a result at the newest EXPORT_LIMIT records and the file did not say so (CI,
    test_paged_lists): the page now links every part, each a file of at most EXPORT_LIMIT records, newest first,
    named with its part; together they hold every record the search found."""
    from pingan.core import audit

    audit.record_many(cast.officer_a, [audit.Entry("read", "Premises", str(cast.premises_a.pk), {}, None)
                                       for _ in range(7)], purpose="jurisdiction_management")
    monkeypatch.setattr(auditexport, "EXPORT_LIMIT", 3)
    sign_in(client, cast.auditor)
    client.cookies["django_language"] = language
    params = {"action": "read"}
    page = client.get("/audit/", params).content.decode()
    assert ("记录分为 3 个文件下载" if language == "zh-hans" else "The records come in 3 files") in page, page
    for part, span in ((1, "1–3"), (2, "4–6"), (3, "7–7")):
        assert f'/audit/export.csv?action=read&amp;part={part}" download data-part="{part}">{span}</a>' in page
    expected = list(AuditRecord.objects.filter(action="read").order_by("-seq").values_list("seq", flat=True))
    got = []
    for part in (1, 2, 3):
        response = client.get("/audit/export.csv", {**params, "part": part})
        assert f"-part{part}of3.csv" in response["Content-Disposition"]
        got += [int(r[0]) for r in _csv(response)[1:]]
    assert got == expected and len(got) == 7
