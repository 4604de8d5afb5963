"""The job page and the API job show how the roster was read (ingest notes) and risk-data coverage warnings."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from test_jobs import GREEN_ID, YELLOW_ID, risk  # noqa: F401 - risk is a fixture the tests use

from pingan.core.services import token_create
from pingan.screening import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("risk")]


def merged_roster() -> bytes:
    """A title row above the header, and a name merged over rows 3–4 (row 4's person has no name of their own)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["某某公司员工名单", None, None], ["姓名", "证件号码", "地址"], ["王芳", GREEN_ID, "幸福路 1 号"],
              [None, YELLOW_ID, None]):
        ws.append(r)
    ws.merge_cells("A1:C1")
    ws.merge_cells("A3:A4")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def submit(cast, as_of):
    job = services.screening_job_create(actor=cast.landlord_a, roster_name="名单.xlsx", roster_bytes=merged_roster(),
                                        premises=cast.premises_a, as_of=as_of)
    return services.screening_job_run(job=job)


def api_job(client, cast, job) -> dict:
    secret = token_create(user=cast.landlord_a, name="test").secret
    return client.get(f"/api/v1/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()


def test_the_job_page_and_api_show_the_roster_notes(cast, client):
    job = submit(cast, dt.date(2022, 8, 20))
    client.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/screening/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    notes = html[html.index('id="roster-notes"'):html.index("</div>", html.index('id="roster-notes"'))]
    assert "表头在第 2 行" in notes and "第 3–4 行的“姓名”是合并单元格" in notes and "Header" not in notes
    assert 'id="risk-data-warnings"' not in html
    client.cookies["django_language"] = "en"
    html = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    notes = html[html.index('id="roster-notes"'):html.index("</div>", html.index('id="roster-notes"'))]
    assert "The header is on row 2" in notes and "Rows 3–4: the full name cell is merged" in notes
    assert "表头" not in notes
    body = api_job(client, cast, job)
    assert any("The header is on row 2" in n for n in body["roster_notes"])
    assert any("belongs to row 3 only" in n for n in body["roster_notes"])
    assert {"code": "roster.title_rows_skipped", "params": {"header_row": 2, "rows": ["1"]}} in body["note_codes"]
    assert body["risk_data_warnings"] == []


def test_the_job_page_and_api_warn_when_the_listings_do_not_cover_the_date(cast, client):
    job = submit(cast, dt.date(2026, 11, 29))  # the fixture's listings are of August 2022
    client.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/screening/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    warning = html[html.index('id="risk-data-warnings"'):]
    assert "No high, medium risk-area listing is in force in the look-back window" in warning
    html = client.get(f"/screening/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "没有任何有效的高、中风险区域" in html[html.index('id="risk-data-warnings"'):]
    client.cookies["django_language"] = "en"
    body = api_job(client, cast, job)
    assert len(body["risk_data_warnings"]) == 1 and "2022-08-10 to 2022-08-25" in body["risk_data_warnings"][0]


def test_the_risk_data_notes_count_one_in_the_singular():
    # issue 11: "1 people" and the like — a risk-data note about one record or one listing
    from django.utils import translation

    from pingan.core.texts import render

    window = {"window_from": "2022-08-13", "window_to": "2022-08-20", "first": "2022-09-01", "last": "2022-09-01"}
    with translation.override("en"):
        one = render({"code": "risk.no_movements", "params": {**window, "count": 1}})
        many = render({"code": "risk.no_movements", "params": {**window, "count": 3, "last": "2022-09-09"}})
        listing = render({"code": "risk.no_listings", "params": {**window, "count": 1, "levels": ["high"]}})
    assert "the 1 record starts on 2022-09-01" in one and "the 3 records start between" in many
    assert "No high risk-area listing" in listing and "the 1 listing covers" in listing
    with translation.override("zh-hans"):
        zh = render({"code": "risk.no_listings", "params": {**window, "count": 1, "levels": ["high"]}})
    assert "没有任何有效的高风险区域" in zh and "共 1 条" in zh
