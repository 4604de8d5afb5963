"""Evidence pages and API: a permission test for every role × own/other jurisdiction (and department) on
every page and endpoint, and the flows through the pages (scan counter over htmx, disposal, count)."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core.services import token_create as _token_create
from pingan.evidence import services
from pingan.evidence.models import Item, ItemStatus

pytestmark = pytest.mark.django_db

POLICE = ("officer", "station_chief", "analyst")


def token_create(*, user, name="t"):
    return _token_create(user=user, name=name, purpose="case_investigation" if user.role in POLICE else "")


def sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in POLICE:
        session = client.session
        session["purpose"] = "case_investigation"
        session.save()
    return client


ROLES = ("analyst", "chief_a", "officer_a", "officer_b", "custodian", "custodian_elsewhere", "procurator", "clerk",
         "admin", "auditor", "landlord_a", "citizen")
NON_READERS = ("admin", "auditor", "landlord_a", "citizen")


def actors(cast, people):
    return {"analyst": cast.analyst, "chief_a": cast.chief_a, "officer_a": cast.officer_a,
            "officer_b": cast.officer_b, "custodian": people.custodian,
            "custodian_elsewhere": people.custodian_elsewhere, "procurator": people.procurator,
            "clerk": people.clerk, "admin": cast.admin, "auditor": cast.auditor, "landlord_a": cast.landlord_a,
            "citizen": cast.citizen}


@pytest.fixture
def objects(cast, people, case):
    """Phone and cash go to the procuratorate; the phone on to the court; ring and fish stay with the police."""
    c, items = case
    phone, cash, ring, fish = items
    services.item_value(actor=people.custodian, label=ring.label, photos=1, value_cents=100)
    for it, where in ((phone, "SW-R1-A1"), (cash, "SW-V1"), (ring, "SW-V1"), (fish, "SW-C1")):
        services.scan(actor=people.custodian, label=it.label, location_code=where)
    f = services.digital_file_add(actor=cast.officer_a, label=phone.label, name="chat.db", data=b"chat")
    t = services.transfer_send(actor=cast.officer_a, case=c, to_org_code="350203-JCY",
                               item_labels=[phone.label, cash.label], recommendation="随案移送")
    services.transfer_accept(actor=people.procurator, transfer_id=t.pk)
    to_jcy = t.pk
    services.item_dispose(actor=people.custodian, label=fish.label, disposition="auction", basis="perishable",
                          approver=cast.chief_a, proceeds_cents=12_000)
    t = services.transfer_send(actor=people.procurator, case=c, to_org_code="350203-FY", item_labels=[phone.label],
                               recommendation="建议没收")
    services.transfer_accept(actor=people.clerk, transfer_id=t.pk)
    return {"case": c.pk, "court_item": phone.label, "police_item": ring.label, "jcy_item": cash.label,
            "file": f.pk, "list": ring.seizure_list_id, "to_jcy": to_jcy, "sold_item": fish.label}


ALL_READERS = dict.fromkeys(("analyst", "chief_a", "officer_a", "officer_b", "custodian", "custodian_elsewhere",
                             "procurator", "clerk"), 200)
POLICE_ITEM = dict(analyst=200, chief_a=200, officer_a=200, custodian=200)
COURT_ITEM = dict(POLICE_ITEM, procurator=200, clerk=200)
JCY_ITEM = dict(POLICE_ITEM, procurator=200)

PAGES = [
    ("home", "/evidence/", ALL_READERS),
    ("police item", "/evidence/items/{police_item}/", POLICE_ITEM),
    ("court item", "/evidence/items/{court_item}/", COURT_ITEM),
    ("procuratorate item", "/evidence/items/{jcy_item}/", JCY_ITEM),
    ("chain pdf", "/evidence/items/{court_item}/chain.pdf", COURT_ITEM),
    ("label pdf", "/evidence/items/{police_item}/label.pdf", POLICE_ITEM),
    ("scan", "/evidence/scan/", dict(custodian=200)),
    ("count", "/evidence/count/", dict(custodian=200, analyst=200)),
    ("cases", "/evidence/cases/", ALL_READERS),
    ("case", "/evidence/cases/{case}/", COURT_ITEM),
    ("case labels", "/evidence/cases/{case}/labels.pdf", COURT_ITEM),
    ("checkouts", "/evidence/checkouts/", ALL_READERS),
    ("transfers", "/evidence/transfers/", ALL_READERS),
    ("filings", "/evidence/filings/", dict(analyst=200, chief_a=200, officer_a=200, officer_b=200, custodian=200)),
    ("file", "/evidence/files/{file}/", COURT_ITEM),
    ("seizure list pdf", "/evidence/lists/{list}/list.pdf", POLICE_ITEM),
    ("transfer list pdf", "/evidence/transfers/{to_jcy}/list.pdf", JCY_ITEM),
    ("disposal record pdf", "/evidence/items/{sold_item}/receipt.pdf", POLICE_ITEM),
]


def _page_default(role: str, name: str) -> int:
    if role in NON_READERS:
        return 403
    if name in ("scan", "count", "filings"):  # the store's (and police's) pages: 403 for other roles and centres
        return 403
    return 404


@pytest.mark.parametrize(("name", "url", "ok"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_only_for_the_right_roles_and_jurisdiction(client, cast, people, objects, name, url, ok):
    got = {}
    for role, user in actors(cast, people).items():
        sign_in(client, user)
        got[role] = client.get(url.format(**objects)).status_code
    assert got == {r: ok.get(r, _page_default(r, name)) for r in ROLES}


ENDPOINTS = [
    ("items", "/api/v1/evidence/items", dict.fromkeys(ROLES, 200)),
    ("police item", "/api/v1/evidence/items/{police_item}", POLICE_ITEM),
    ("court item", "/api/v1/evidence/items/{court_item}", COURT_ITEM),
    ("events", "/api/v1/evidence/items/{court_item}/events", COURT_ITEM),
    ("verify", "/api/v1/evidence/items/{jcy_item}/verify", JCY_ITEM),
    ("chain pdf", "/api/v1/evidence/items/{police_item}/chain.pdf", POLICE_ITEM),
    ("cases", "/api/v1/evidence/cases", dict.fromkeys(ROLES, 200)),
    ("transfers", "/api/v1/evidence/transfers", dict.fromkeys(ROLES, 200)),
    ("overdue", "/api/v1/evidence/checkouts/overdue", dict.fromkeys(ROLES, 200)),
    ("extensions", "/api/v1/evidence/extensions", dict.fromkeys(ROLES, 200)),
    ("filings", "/api/v1/evidence/filings", dict.fromkeys(ROLES, 200)),
    ("file", "/api/v1/evidence/files/{file}", COURT_ITEM),
    ("seizure list pdf", "/api/v1/evidence/seizure-lists/{list}/pdf", POLICE_ITEM),
    ("transfer list pdf", "/api/v1/evidence/transfers/{to_jcy}/pdf", JCY_ITEM),
    ("disposal record pdf", "/api/v1/evidence/items/{sold_item}/receipt.pdf", POLICE_ITEM),
    ("rules", "/api/v1/evidence/rules", dict.fromkeys(ROLES, 200)),
]

# What each role sees of the 4 items: the court only the one transferred to it, the procuratorate the two.
ITEM_COUNTS = dict(analyst=4, chief_a=4, officer_a=4, officer_b=0, custodian=4, custodian_elsewhere=0,
                   procurator=2, clerk=1, admin=0, auditor=0, landlord_a=0, citizen=0)


@pytest.mark.parametrize(("name", "url", "ok"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_each_endpoint_only_for_the_right_roles_and_jurisdiction(client, cast, people, objects, name, url, ok):
    got, sizes = {}, {}
    for role, user in actors(cast, people).items():
        r = client.get(url.format(**objects), HTTP_AUTHORIZATION=f"Bearer {token_create(user=user).secret}")
        got[role] = r.status_code
        if r.status_code == 200 and r["Content-Type"].startswith("application/json"):
            body = r.json()
            sizes[role] = body.get("count") if isinstance(body, dict) else None
        elif r.status_code >= 400:
            assert r["Content-Type"] == "application/problem+json"
    assert got == {r: ok.get(r, 404) for r in ROLES}
    if name == "items":
        assert sizes == ITEM_COUNTS
    if name == "cases":
        assert sizes == dict(ITEM_COUNTS, procurator=1, clerk=1, analyst=1, chief_a=1, officer_a=1, custodian=1)
    if name == "filings":  # the one seizure list's filing: the store, the analyst and the case's jurisdiction
        assert sizes == dict.fromkeys(ROLES, 0) | dict(analyst=1, chief_a=1, officer_a=1, custodian=1)


def test_writes_through_the_api_need_the_right_role(client, cast, people, objects):
    def post(user, url, body):
        return client.post(url, body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token_create(user=user).secret}")

    scan = {"label": objects["police_item"], "location": "SW-R1-A1"}
    for user in (cast.officer_a, cast.chief_a, people.procurator, people.clerk, people.custodian_elsewhere,
                 cast.citizen):
        r = post(user, "/api/v1/evidence/scans", scan)
        assert r.status_code == 403 and r["Content-Type"] == "application/problem+json", (user, r.content)
    r = post(people.custodian, "/api/v1/evidence/scans", scan)  # the ring moves from the vault to a shelf
    assert r.status_code == 400 and r.json()["code"] == "wrong_storage_class"
    r = post(people.custodian, "/api/v1/evidence/scans", {"label": objects["police_item"], "location": "SW-V1"})
    assert r.status_code == 400 and r.json()["code"] == "nothing_to_do"
    # disposal before the ruling: refused with its code
    r = post(people.custodian, f"/api/v1/evidence/items/{objects['court_item']}/disposal",
             {"disposition": "confiscate", "basis": "ruling"})
    assert r.status_code == 400 and r.json()["code"] == "no_ruling"
    # the court records its ruling; a procurator cannot
    body = {"number": "(2026)闽0203刑初7号", "decided_at": "2026-12-01",
            "decisions": {objects["court_item"]: "confiscate"}}
    assert post(people.procurator, f"/api/v1/evidence/cases/{objects['case']}/rulings", body).status_code == 403
    r = post(people.clerk, f"/api/v1/evidence/cases/{objects['case']}/rulings", body)
    assert r.status_code == 201, r.content
    r = post(people.custodian, f"/api/v1/evidence/items/{objects['court_item']}/disposal",
             {"disposition": "confiscate", "basis": "ruling"})
    assert r.status_code == 201 and r.json()["receipt_number"].startswith("CZ-")
    # a check-out approved by its own borrower: 403 four_eyes
    r = post(cast.officer_a, f"/api/v1/evidence/items/{objects['police_item']}/checkouts",
             {"purpose": "appraisal", "reason": "鉴定", "due_back_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 400 and r.json()["code"] == "bad_due_back"
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    r = post(cast.chief_a, f"/api/v1/evidence/items/{objects['police_item']}/checkouts",
             {"purpose": "appraisal", "reason": "鉴定", "due_back_at": due})
    assert r.status_code == 201, r.content
    r = post(cast.chief_a, f"/api/v1/evidence/checkouts/{r.json()['id']}/approve", {})
    assert r.status_code == 403 and r.json()["code"] == "four_eyes"


def test_a_tampered_file_is_409_on_the_api_and_the_page(client, cast, people, objects, settings):
    from pingan.evidence.models import DigitalFile

    f = DigitalFile.objects.get(pk=objects["file"])
    path = services.blob_path(f.sha256)
    path.chmod(0o640)
    path.write_bytes(b"chaT")
    token = token_create(user=cast.officer_a).secret
    r = client.get(f"/api/v1/evidence/files/{f.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 409 and r.json()["code"] == "evidence_tampered" and r.json()["expected"] == f.sha256
    sign_in(client, cast.officer_a)
    r = client.get(f"/evidence/files/{f.pk}/")
    assert r.status_code == 409 and b"chaT" not in r.content


def test_files_and_documents_download_under_names_a_person_recognises(client, cast, people, objects):
    # issue 11: a digital file downloaded as its hash ("3f2a9c0d1e2b4a5c.bin"), the custody chain as chain-<label>
    from urllib.parse import unquote

    from pingan.evidence.models import DigitalFile

    f = DigitalFile.objects.get(pk=objects["file"])

    def name(r) -> str:
        header = r["Content-Disposition"]
        return unquote(header.split("filename*=UTF-8''")[1]) if "filename*=" in header else header.split('"')[1]

    token = token_create(user=cast.officer_a).secret
    api = client.get(f"/api/v1/evidence/files/{f.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200 and name(api) == f"{f.item.label}-chat.db"
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = "zh-hans"
    assert name(client.get(f"/evidence/files/{f.pk}/")) == f"{f.item.label}-chat.db"
    chain = name(client.get(f"/evidence/items/{objects['court_item']}/chain.pdf"))
    assert chain.startswith(f"{f.item.name}-{f.item.label}-保管链-") and chain.endswith(".pdf"), chain
    assert f.sha256[:16] not in name(client.get(f"/evidence/files/{f.pk}/"))


def test_the_scan_counter_over_htmx_and_the_item_page(client, cast, people, case):
    _, items = case
    sign_in(client, people.custodian)
    r = client.post("/evidence/scan/", {"label": items[0].label.lower().replace("-", ""), "location": "sw-r1-a1"},
                    HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html and items[0].label in html and "SW-R1-A1" in html
    assert Item.objects.get(pk=items[0].pk).status == ItemStatus.IN_STORE
    r = client.post("/evidence/scan/", {"label": items[2].label, "location": "SW-V1"}, HTTP_HX_REQUEST="true")
    assert "role=\"alert\"" in r.content.decode()  # the ring must be valued first: the message, in Chinese
    assert "估价" in r.content.decode()
    sign_in(client, cast.officer_a)
    page = client.get(f"/evidence/items/{items[0].label}/").content.decode()
    assert "哈希链完整" in page and "SW-R1-A1" in page and "陈某" in page


def test_an_inventory_count_on_the_page(client, cast, people, case):
    _, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    sign_in(client, people.custodian)
    r = client.post("/evidence/count/", {"location": "SW-R1", "scanned": ""}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and items[0].label in html and "缺失" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_viewers_language(client, cast, people, objects, language):
    """Each page for each kind of account that may see it: no rule-set ids, internal identifiers (the chain
    showed ``lq_officer:officer``) or repository paths; an English page has no Chinese but names, places and
    what people wrote, a Chinese page no English sentence (tests/page_language.py)."""
    from page_language import check_pages, data_values

    data = data_values("evidence.Case.title", "evidence.Location.name", "evidence.SeizureList.holder_name",
                       "evidence.SeizureList.witness_name", "evidence.SeizureList.place", "evidence.Item.name",
                       "evidence.Item.features", "evidence.Item.quantity_unit", "evidence.CustodyEvent.reason",
                       "evidence.CustodyEvent.place", "evidence.Transfer.recommendation")
    found = check_pages(client, PAGES, actors(cast, people), objects, sign_in, language, data)
    assert not found, found


def test_a_transfer_target_is_chosen_by_name_not_typed_as_a_unit_code(client, cast, people, case):
    """Issue 11: the case page asked for the receiving body's unit code ("350203-JCY"). The police choose a
    procuratorate by name (a procurator: a court), in the reader's language; the form still posts the code."""
    from pingan.core.models import OrgUnit

    c, items = case
    services.scan(actor=people.custodian, label=items[0].label, location_code="SW-R1-A1")
    sign_in(client, cast.officer_a)
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    jcy, fy = OrgUnit.objects.get(code="350203-JCY"), OrgUnit.objects.get(code="350203-FY")
    assert f'<option value="{jcy.code}">{jcy.name}</option>' in page and f'value="{fy.code}"' not in page
    assert "350203-JCY</option>" not in page and 'placeholder="350203-JCY"' not in page
    r = client.post(f"/evidence/cases/{c.pk}/", {"form": "transfer", "items": [items[0].label], "to": jcy.code,
                                                 "recommendation": "随案移送"})
    assert r.status_code == 302 and c.transfers.filter(to_org=jcy).exists()
    sign_in(client, people.procurator)
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    assert f'<option value="{fy.code}">{fy.name}</option>' in page and f'<option value="{jcy.code}"' not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_seizure_lists_items_are_rows_of_labelled_fields(client, cast, people, case, language):
    """Issue 11: a seizure list's items were typed as 'name | category | quantity unit | features | value' lines.
    Each item is now a row of labelled fields (the category chosen by name in the reader's language); a wrong
    field is said on its row, nothing is registered and what was typed stays; blank rows are skipped."""
    from pingan.evidence.models import SeizureList

    zh = language == "zh-hans"
    c, _items = case
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    assert page.count('name="item_name"') == 3 and page.count('name="item_category"') == 3
    assert ('<option value="cash">现金</option>' if zh else '<option value="cash">cash</option>') in page
    form = {"form": "seizure", "number": "KY-2026-009", "source": "seized", "holder_name": "林某",
            "witness_name": "见证人李某", "officers": str(people.officer_a2.pk), "place": "莲前西路",
            "seized_at": "2026-11-20T10:00"}
    bad = client.post(f"/evidence/cases/{c.pk}/", {
        **form, "item_name": ["手机", "", "金项链", ""], "item_category": ["electronic", "cash", "", ""],
        "item_qty": ["1", "2", "0", ""], "item_unit": ["部", "", "", ""], "item_features": ["白色", "", "", ""],
        "item_value": ["1,200", "", "abc", ""]})
    text = bad.content.decode()
    assert bad.status_code == 400 and not SeizureList.objects.filter(number="KY-2026-009").exists()
    for said in (("请填写物品名称", "请选择物品类别", "“0”不是数量", "“abc”不是以元为单位的金额",
                  "清单中有物品填写有误") if zh else
                 ("Name the item.", "Choose the item&#x27;s category.", "“0” is not a quantity",
                  "“abc” is not an amount in yuan", "An item of the list is not right")):
        assert said in text, said
    assert text.count('aria-invalid="true"') == 4
    assert 'value="KY-2026-009"' in text and 'value="金项链"' in text
    assert '<details class="card" id="new-seizure" open>' in text
    ok = client.post(f"/evidence/cases/{c.pk}/", {
        **form, "item_name": ["手机", "金项链", ""], "item_category": ["electronic", "valuables", ""],
        "item_qty": ["1", "", ""], "item_unit": ["部", "", ""], "item_features": ["白色", "约 10 克", ""],
        "item_value": ["1,200", "", ""]})
    assert ok.status_code == 302
    sl = SeizureList.objects.get(number="KY-2026-009")
    got = [(i.name, i.category, i.quantity, i.quantity_unit, i.features, i.value_cents)
           for i in sl.items.order_by("line")]
    assert got == [("手机", "electronic", 1, "部", "白色", 120000), ("金项链", "valuables", 1, "件", "约 10 克", None)]
    # who may not register a list still may not
    sign_in(client, people.procurator)
    r = client.post(f"/evidence/cases/{c.pk}/", {**form, "number": "KY-2026-010", "item_name": ["手机"],
                                                 "item_category": ["electronic"]})
    assert not SeizureList.objects.filter(number="KY-2026-010").exists() and r.status_code in (302, 403, 404)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_forms_pick_officers_by_name_instead_of_asking_for_a_user_name(client, cast, people, case, language):
    """Issue 11: the seizure list asked for the other officer's login name as free text, as did a new case (its
    other investigators) and a disposal (the approving station chief). Each is now a choice of the people the
    service accepts, by name: the case's other investigators; police of the officer's unit; station chiefs
    over the case's unit — never anyone else (an id from outside is ignored)."""
    from pingan.core.services import user_create
    from pingan.evidence.models import Case, SeizureList

    c, items = case
    stranger = user_create(username="officer_far", password="x" * 12, role="officer", unit=cast.unit_b,
                           display_name="远方民警")
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    page = client.get(f"/evidence/cases/{c.pk}/").content.decode()
    present = page[page.index('id="officers-present"'):]
    present = present[:present.index("</fieldset>")]
    assert f'name="officers" value="{people.officer_a2.pk}"' in present and "officer_a2" in present
    assert 'name="officers" required' not in page and "(user name)" not in page and "（用户名）" not in page
    assert stranger.display_name not in present and f'value="{cast.officer_a.pk}"' not in present
    form = {"form": "seizure", "number": "KY-2026-010", "source": "seized", "holder_name": "林某",
            "witness_name": "见证人李某", "place": "莲前西路", "seized_at": "2026-11-20T10:00",
            "item_name": "手机", "item_category": "electronic", "item_qty": "1"}
    client.post(f"/evidence/cases/{c.pk}/", {**form, "officers": [str(stranger.pk)]})
    assert not SeizureList.objects.filter(number="KY-2026-010").exists()  # not an investigator: ignored
    client.post(f"/evidence/cases/{c.pk}/", {**form, "officers": [str(people.officer_a2.pk)]})
    assert set(SeizureList.objects.get(number="KY-2026-010").officers.values_list("username", flat=True)) == {
        cast.officer_a.username, people.officer_a2.username}

    cases = client.get("/evidence/cases/").content.decode()
    picks = cases[cases.index('id="investigators"'):]
    picks = picks[:picks.index("</fieldset>")]
    assert f'value="{people.officer_a2.pk}"' in picks and f'value="{people.chief_a2.pk}"' in picks
    assert f'value="{stranger.pk}"' not in picks and f'value="{people.custodian.pk}"' not in picks
    client.post("/evidence/cases/", {"number": "A3502030100002026110077", "title": "新案",
                                     "investigators": [str(people.officer_a2.pk), str(stranger.pk)]})
    assert set(Case.objects.get(number="A3502030100002026110077").investigators.values_list(
        "username", flat=True)) == {cast.officer_a.username, people.officer_a2.username}

    approvers = set(client.get(f"/evidence/items/{items[0].label}/").context["approvers"])
    assert people.chief_a2 in approvers and cast.chief_a in approvers
    chief_b = user_create(username="chief_far", password="x" * 12, role="station_chief", unit=cast.unit_b,
                          display_name="远方所长")
    approvers = set(client.get(f"/evidence/items/{items[0].label}/").context["approvers"])
    assert stranger not in approvers and people.officer_a2 not in approvers and chief_b not in approvers


def test_an_item_page_read_is_recorded_under_case_investigation_whatever_the_session_declared(client, cast, people,
                                                                                             case):
    # issue 11: case property fixes its purpose of use (evidence/apps.py); the views passed the session's declared
    # purpose to the selectors instead, so a read by an officer who had declared another purpose was recorded under it
    from pingan.core.models import AuditRecord

    _, items = case
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    before = AuditRecord.objects.count()
    assert client.get(f"/evidence/items/{items[0].label}/").status_code == 200
    purposes = set(AuditRecord.objects.order_by("seq")[before:].values_list("purpose", flat=True))
    assert purposes == {"case_investigation"}
