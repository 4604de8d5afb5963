"""Statistics pages and API: every page and endpoint × every role × own/other jurisdiction; what the pages
show; the drill-down audited; reclassification through the page and the API; imports; downloads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

ROLES = ["admin", "auditor", "analyst", "chief_a", "officer_a", "officer_b", "landlord_a", "landlord_b",
         "enterprise", "citizen"]
POLICE = {"analyst", "chief_a", "officer_a", "officer_b"}
POLICE_A = {"analyst", "chief_a", "officer_a"}
WATCH_A = {"analyst", "chief_a"}
Q = "as_of=2024-03-06"


def expect(ok: set[str], hidden: set[str] = frozenset()) -> dict[str, int]:
    """ok → 200; hidden (may use the page, not this unit or object) → 404; everyone else → 403."""
    return {r: 200 if r in ok else 404 if r in hidden else 403 for r in ROLES}


PAGES = [
    ("index", "/stats/", expect(POLICE)),
    ("template", "/stats/template.xlsx", expect(POLICE)),
    ("unit A", f"/stats/u/350203-LQ/?{Q}", expect(POLICE_A, {"officer_b"})),
    ("bureau", f"/stats/u/350200/?{Q}", expect({"analyst"}, {"chief_a", "officer_a", "officer_b"})),
    ("weekly pdf", f"/stats/u/350203-LQ/weekly.pdf?{Q}", expect(POLICE_A, {"officer_b"})),
    ("compstat xlsx", f"/stats/u/350203-LQ/compstat.xlsx?{Q}", expect(POLICE_A, {"officer_b"})),
    ("compstat csv", f"/stats/u/350203-LQ/compstat.csv?{Q}", expect(POLICE_A, {"officer_b"})),
    ("drill-down", f"/stats/u/350203-LQ/incidents/?{Q}&scheme=cn_headline&category=theft&window=wtd",
     expect(POLICE_A, {"officer_b"})),
    ("drill-down xlsx", f"/stats/u/350203-LQ/incidents.xlsx?{Q}", expect(POLICE_A, {"officer_b"})),
    ("incident", "/stats/incidents/{a1}/", expect(POLICE_A, {"officer_b"})),
    ("downgrades", "/stats/u/350203-LQ/downgrades/", expect(WATCH_A)),
    ("public release", f"/stats/u/350203-LQ/public.xlsx?{Q}", expect(WATCH_A)),
    ("imports", "/stats/imports/", expect({"analyst"})),
    ("import", "/stats/imports/{batch}/", expect({"analyst"})),
]

API = [
    ("units", "/api/v1/stats/units", expect(POLICE)),
    ("compstat", f"/api/v1/stats/units/350203-LQ/compstat?{Q}", expect(POLICE_A, {"officer_b"})),
    ("incidents", "/api/v1/stats/units/350203-LQ/incidents?start=2024-01-01&end=2024-12-31",
     expect(POLICE_A, {"officer_b"})),
    ("incident", "/api/v1/stats/incidents/{a1}", expect(POLICE_A, {"officer_b"})),
    ("reclassifications", "/api/v1/stats/units/350203-LQ/reclassifications", expect(WATCH_A)),
    ("schemes", "/api/v1/stats/schemes", {r: 200 for r in ROLES}),
    ("import", "/api/v1/stats/imports/{batch}", expect({"analyst"})),
    ("import issues", "/api/v1/stats/imports/{batch}/issues", expect({"analyst"})),
]


@pytest.fixture
def objects(incidents):
    from pingan.stats.models import Incident

    return {"a1": Incident.objects.get(source_ref="case:A1").pk, "batch": incidents.pk}


def sign_in(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_is_for_the_right_roles_and_jurisdiction(client, cast, objects, name, url, expected):
    got = {}
    for role in ROLES:
        sign_in(client, getattr(cast, role))
        got[role] = client.get(url.format(**objects)).status_code
    assert got == expected, {r: (got[r], expected[r]) for r in ROLES if got[r] != expected[r]}


@pytest.fixture
def tokens(cast):
    from pingan.core.services import token_create

    return {r: token_create(user=getattr(cast, r), name="test", purpose="jurisdiction_management").secret
            for r in ROLES}


@pytest.mark.parametrize(("name", "url", "expected"), API, ids=[a[0] for a in API])
def test_each_endpoint_is_for_the_right_roles_and_jurisdiction(client, tokens, objects, name, url, expected):
    got = {}
    for role in ROLES:
        response = client.get(url.format(**objects), HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (role, name)
    assert got == expected, {r: (got[r], expected[r]) for r in ROLES if got[r] != expected[r]}
    anonymous = client.get(url.format(**objects))
    assert anonymous.status_code == 401


def test_the_compstat_page_shows_the_windows_side_by_side_with_increases_highlighted(client, cast, incidents):
    sign_in(client, cast.chief_a)
    html = client.get(f"/stats/u/350203-LQ/?{Q}&scheme=cn_headline").content.decode()
    assert 'id="window-wtd"' in html and 'id="window-d28"' in html and 'id="window-ytd"' in html
    assert 'class="n up"><a href="/stats/u/350203-LQ/incidents/' in html  # 3 thefts against 1: an increase
    assert "<svg" in html and 'class="spark-cur"' in html  # small multiples and the trend, drawn on the server
    partial = client.get(f"/stats/u/350203-LQ/?{Q}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="window-ytd"' in partial
    bad = client.get("/stats/u/350203-LQ/?scheme=nope")
    assert bad.status_code == 200  # an unknown scheme falls back to the default, with a message


def test_the_drill_down_lists_the_incidents_behind_a_figure_and_audits_the_read(client, cast, incidents):
    from pingan.core.models import AuditRecord

    sign_in(client, cast.officer_a)
    html = client.get(f"/stats/u/350203-LQ/incidents/?{Q}&scheme=cn_headline&category=theft&window=wtd")
    assert html.status_code == 200 and html.content.decode().count("/stats/incidents/") == 3
    rec = AuditRecord.objects.filter(object_type="stats.Incident", action="list").last()
    assert rec.actor == "officer_a" and rec.purpose == "jurisdiction_management"
    assert rec.detail["category"] == "theft" and rec.detail["from"] == "2024-03-04"


def test_a_chief_reclassifies_through_the_page_and_an_officer_cannot(client, cast, objects):
    from pingan.stats.models import Incident, Reclassification

    data = {"offence": "theft.larceny", "place_type": "", "status": "cleared", "clearance": "arrest",
            "exceptional_code": "", "cleared_on": "2024-03-05", "property_loss": "800", "reason": "重新估价"}
    sign_in(client, cast.officer_a)
    assert "reclassify" not in client.get(f"/stats/incidents/{objects['a1']}/").content.decode()
    client.post(f"/stats/incidents/{objects['a1']}/", data)
    assert not Reclassification.objects.exists()
    sign_in(client, cast.chief_a)
    response = client.post(f"/stats/incidents/{objects['a1']}/", data)
    assert response.status_code == 302
    rec = Reclassification.objects.get()
    assert rec.changes == {"property_loss": ["1500.00", "800.00"]} and rec.downgrade
    assert Incident.objects.get(pk=objects["a1"]).property_loss == 800
    page = client.get(f"/stats/incidents/{objects['a1']}/").content.decode()
    assert "重新估价" in page and 'id="history"' in page
    assert client.post(f"/stats/incidents/{objects['a1']}/", {**data, "reason": ""}).status_code == 200  # the form


def test_the_api_reclassifies_and_answers_problems(client, cast, tokens, objects):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['chief_a']}"}
    url = f"/api/v1/stats/incidents/{objects['a1']}/reclassify"
    ok = client.post(url, {"offence": "robbery", "reason": "抢劫"}, content_type="application/json", **auth)
    assert ok.status_code == 201 and ok.json()["changes"] == {"offence": ["theft.larceny", "robbery"]}
    assert not ok.json()["downgrade"]  # theft → robbery is an upgrade
    same = client.post(url, {"offence": "robbery", "reason": "again"}, content_type="application/json", **auth)
    assert same.status_code == 400 and same.json()["code"] == "no_change"
    officer = client.post(url, {"offence": "robbery", "reason": "x"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {tokens['officer_a']}")
    assert officer.status_code == 403
    other = client.post(url, {"offence": "robbery", "reason": "x"}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {tokens['officer_b']}")
    assert other.status_code == 403  # officers do not reclassify, whatever the jurisdiction
    compstat = client.get(f"/api/v1/stats/units/350203-LQ/compstat?{Q}&scheme=cn_lqyd_general", **auth).json()
    rows = {r["category"]: r for r in compstat["rows"]}
    assert rows["robbery"]["windows"]["wtd"]["current"] == 2 and compstat["scheme"].startswith("cn_lqyd_general@")


def test_the_incident_list_endpoint_paginates_in_a_fixed_number_of_queries(client, cast, tokens, incidents):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['analyst']}"}
    url = "/api/v1/stats/units/350200/incidents?start=2023-01-01&end=2024-12-31&limit={}"  # 8 incidents
    client.get(url.format(2), **auth)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url.format(2), **auth).json()["items"]) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(url.format(8), **auth).json()["items"]) == 8
    assert len(small.captured_queries) == len(large.captured_queries)


def test_an_analyst_uploads_a_bureau_file_and_sees_every_rejection(client, cast, django_capture_on_commit_callbacks):
    from stats_support import bureau_csv

    from pingan.stats.models import ImportBatch

    sign_in(client, cast.analyst)
    data = bureau_csv() + "X1,2024-03-06 09:00,2024-03-06 08:00,偷东西,某路,莲前派出所,,\n".encode()
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued when the upload commits
        response = client.post("/stats/imports/", {"file": SimpleUploadedFile("week.csv", data)})
    batch = ImportBatch.objects.get(filename="week.csv")
    assert response.status_code == 302 and response["Location"] == f"/stats/imports/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()  # the immediate backend ran the task
    assert "unknown_charge" in page and "第 10 行" in page
    assert batch.__class__.objects.get(pk=batch.pk).counts["incidents"] == 8
    empty = client.post("/stats/imports/", {"file": SimpleUploadedFile("empty.csv", b"")})
    assert empty.status_code == 200  # the form says why


def test_the_api_import_queues_the_file_and_reports_its_rows(client, cast, tokens, django_capture_on_commit_callbacks):
    from stats_support import bureau_csv

    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['analyst']}"}
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/stats/imports", {"file": SimpleUploadedFile("w.csv", bureau_csv())}, **auth)
    assert created.status_code == 201
    batch = client.get(f"/api/v1/stats/imports/{created.json()['id']}", **auth).json()
    assert batch["status"] == "done" and batch["counts"]["incidents"] == 8
    chief = client.post("/api/v1/stats/imports", {"file": SimpleUploadedFile("w.csv", bureau_csv())},
                        HTTP_AUTHORIZATION=f"Bearer {tokens['chief_a']}")
    assert chief.status_code == 403


def test_the_downloads_are_what_they_say(client, cast, incidents):
    from python_calamine import CalamineWorkbook

    sign_in(client, cast.analyst)
    pdf = client.get(f"/stats/u/350203-LQ/weekly.pdf?{Q}")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/stats/u/350203-LQ/compstat.xlsx?{Q}&scheme=cn_lqyd_general")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    theft = next(r for r in rows if r[0] in ("盗窃", "Theft"))
    assert theft[1:3] == [3, 1]  # week to date: this year, last year
    csv_text = client.get(f"/stats/u/350203-LQ/compstat.csv?{Q}").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith(("类别", "Category"))
    public = client.get(f"/stats/u/350200/public.csv?{Q}&from=2023-01-01&scheme=cn_lqyd_general")
    assert "莲前东路公交车上" in public.content.decode("utf-8-sig")  # blocks, not addresses with numbers
    assert "1号" not in public.content.decode("utf-8-sig")
