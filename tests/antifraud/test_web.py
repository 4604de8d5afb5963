"""Anti-fraud pages and API: a permission test for every role × own/other jurisdiction on every page and
endpoint, the case flow through the pages, the notices and the exports."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from antifraud_support import MULE, T0

from pingan.antifraud import services
from pingan.antifraud.models import Order
from pingan.core.services import token_create as _token_create

pytestmark = pytest.mark.django_db


def token_create(*, user, name):
    """A token; police tokens carry their purpose of use (core.audit requires one for police reads)."""
    purpose = "case_investigation" if user.role in ("officer", "station_chief", "analyst") else ""
    return _token_create(user=user, name=name, purpose=purpose)


def sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = "case_investigation"
        session.save()
    return client


@pytest.fixture
def objects(cast, centre, case):
    report, _stmt = case
    station = services.report_create(actor=cast.officer_a, victim_name="林某", reported_at=T0, fraud_type="other",
                                     transfers=[{"at": T0, "amount_cents": 100, "to_account": "6222020000000077"}])
    order = services.order_draft(actor=centre.officer, report=report, kind="freeze", account=MULE, amount_cents=100)
    block = services.block_create(actor=centre.officer, kind="domain", value="bad.example", reason="r", evidence="e")
    return {"report": report.pk, "station_report": station.pk, "order": order.pk, "block": block.pk}


ROLES = ("fz_officer", "analyst", "chief_a", "officer_a", "officer_b", "admin", "auditor", "landlord_a", "citizen")


def actors(cast, centre):
    return {"fz_officer": centre.officer, **{r: getattr(cast, r) for r in ROLES if r != "fz_officer"}}


# page → expected status per role (303/302 never: every role here is signed in)
PAGES = [
    ("home", "/antifraud/", dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200, officer_b=200)),
    ("centre report", "/antifraud/reports/{report}/", dict(fz_officer=200, analyst=200)),
    ("station report", "/antifraud/reports/{station_report}/",
     dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200)),
    ("orders", "/antifraud/orders/", dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200, officer_b=200)),
    ("order", "/antifraud/orders/{order}/", dict(fz_officer=200, analyst=200)),
    ("notice", "/antifraud/orders/{order}/notice.pdf", dict(fz_officer=200, analyst=200)),
    ("blocks", "/antifraud/blocks/", dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200, officer_b=200)),
    ("block", "/antifraud/blocks/{block}/", dict(fz_officer=200, analyst=200)),
    ("warnings", "/antifraud/warnings/", dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200,
                                              officer_b=200)),
    ("new report", "/antifraud/reports/new/", dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200,
                                                   officer_b=200)),
]
NON_POLICE = ("admin", "auditor", "landlord_a", "citizen")


@pytest.mark.parametrize(("name", "url", "ok"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_only_for_the_right_roles_and_jurisdiction(client, cast, centre, objects, name, url, ok):
    got = {}
    for role, user in actors(cast, centre).items():
        sign_in(client, user)
        got[role] = client.get(url.format(**objects)).status_code
    want = {r: ok.get(r, 403 if r in NON_POLICE else 404) for r in ROLES}
    assert got == want


ENDPOINTS = [
    ("reports", "/api/v1/antifraud/reports", dict.fromkeys(ROLES, 200)),
    ("report", "/api/v1/antifraud/reports/{report}", dict(fz_officer=200, analyst=200)),
    ("station report", "/api/v1/antifraud/reports/{station_report}",
     dict(fz_officer=200, analyst=200, chief_a=200, officer_a=200)),
    ("orders", "/api/v1/antifraud/orders", dict.fromkeys(ROLES, 200)),
    ("attention", "/api/v1/antifraud/orders/attention", dict.fromkeys(ROLES, 200)),
    ("notice", "/api/v1/antifraud/orders/{order}/notice.pdf", dict(fz_officer=200, analyst=200)),
    ("blocks", "/api/v1/antifraud/blocks", dict.fromkeys(ROLES, 200)),
    ("warnings", "/api/v1/antifraud/warnings", dict.fromkeys(ROLES, 200)),
    ("figures", "/api/v1/antifraud/figures", dict.fromkeys(ROLES, 200)),
    ("rpz", "/api/v1/antifraud/blocks/export.rpz", dict.fromkeys(ROLES, 200)),
]


@pytest.mark.parametrize(("name", "url", "ok"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_each_endpoint_only_for_the_right_roles_and_jurisdiction(client, cast, centre, objects, name, url, ok):
    got, sizes = {}, {}
    for role, user in actors(cast, centre).items():
        token = token_create(user=user, name="t").secret
        r = client.get(url.format(**objects), HTTP_AUTHORIZATION=f"Bearer {token}")
        got[role] = r.status_code
        if r.status_code == 200 and r["Content-Type"].startswith("application/json"):
            body = r.json()
            sizes[role] = body.get("count") if isinstance(body, dict) and "count" in body else None
    assert got == {r: ok.get(r, 404) for r in ROLES}
    if name == "reports":
        assert sizes["fz_officer"] == sizes["analyst"] == 2
        assert (sizes["officer_a"], sizes["chief_a"], sizes["officer_b"], sizes["citizen"], sizes["admin"]) == (
            1, 1, 0, 0, 0)
    if name == "blocks":
        assert (sizes["fz_officer"], sizes["analyst"], sizes["officer_a"], sizes["landlord_a"]) == (1, 1, 0, 0)


def test_writes_through_the_api_need_the_right_role(client, cast, centre, objects):
    body = {"kind": "domain", "value": "x.example", "reason": "r", "evidence": "e"}
    for user, status in ((cast.officer_a, 403), (cast.citizen, 403), (centre.officer, 201)):
        token = token_create(user=user, name="t").secret
        r = client.post("/api/v1/antifraud/blocks", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == status, r.content
        if status != 201:
            assert r["Content-Type"] == "application/problem+json"
    token = token_create(user=centre.officer, name="t").secret
    r = client.post(f"/api/v1/antifraud/orders/{objects['order']}/approve", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"


def test_the_case_flow_on_the_pages(client, cast, centre, case):
    report, _ = case
    sign_in(client, centre.officer)
    page = client.get(f"/antifraud/reports/{report.pk}/").content.decode()
    assert MULE in page and "500,000" not in page
    r = client.post(f"/antifraud/reports/{report.pk}/trace/", {"method": "fifo", "max_hops": "5"},
                    HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and "¥4,000.00" in html and "6222020000000002" in html
    trace_id = report.traces.first().pk
    client.post(f"/antifraud/traces/{trace_id}/orders/", {"kind": "freeze"})
    order = Order.objects.get(report=report, kind="freeze")
    assert order.amount_cents == 400_000
    sign_in(client, centre.chief)
    client.post(f"/antifraud/orders/{order.pk}/approve/")
    sign_in(client, centre.officer)
    client.post(f"/antifraud/orders/{order.pk}/send/")
    client.post(f"/antifraud/orders/{order.pk}/feedback/", {"feedback": "done", "executed_yuan": "4,000"})
    order.refresh_from_db()
    assert order.status == "in_force" and order.executed_cents == 400_000
    assert order.expires_at - order.effective_at > dt.timedelta(days=180)
    pdf = client.get(f"/antifraud/orders/{order.pk}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # named by its title, the bank and the date, not order-12.pdf (issue 11); an ASCII name beside it
    from urllib.parse import unquote

    from pingan.antifraud.notices import TITLES

    header = pdf["Content-Disposition"]
    assert header.startswith('inline; filename="') and "order-" not in header, header
    name = unquote(header.split("filename*=UTF-8''")[1])
    assert name.startswith(f"{TITLES[order.kind]}-") and name.endswith(".pdf") and f"-{order.pk}." not in name, name
    page = client.get(f"/antifraud/orders/{order.pk}/").content.decode()
    assert "公安机关办理刑事案件程序规定" in page or "Provisions on Procedures" in page


def test_an_error_on_a_page_is_shown_in_the_viewers_language(client, centre, case):
    report, _ = case
    sign_in(client, centre.officer)
    client.cookies["django_language"] = "zh-hans"
    r = client.post(f"/antifraud/reports/{report.pk}/identifiers/", {"kind": "phone", "value": "12"}, follow=True)
    assert r.status_code == 200
    assert "不是有效的" in r.content.decode()


def test_the_rpz_and_numbers_exports(client, centre, objects):
    services.block_create(actor=centre.officer, kind="phone", value="13900000002", reason="r", evidence="e")
    sign_in(client, centre.officer)
    zone = client.get("/antifraud/blocks/export.rpz").content.decode()
    assert "bad.example CNAME ." in zone and "*.bad.example CNAME ." in zone
    csv = client.get("/antifraud/blocks/numbers.csv").content.decode()
    assert csv.splitlines()[1].startswith("+8613900000002,block,fraud,")


def test_reads_are_recorded_with_their_purpose_and_the_persons_shown(client, cast, centre, objects):
    from pingan.core import audit
    from pingan.core.models import AuditRecord, AuditSubject

    token = token_create(user=centre.officer, name="t").secret
    client.get("/api/v1/antifraud/reports", HTTP_AUTHORIZATION=f"Bearer {token}")
    rec = AuditRecord.objects.filter(object_type="FraudReport", action="list").latest("seq")
    # the token was made for case investigation; anti-fraud reads are fraud prevention (core.audit.FIXED_PURPOSES)
    assert rec.purpose == "fraud_prevention" and rec.detail["rows"] == 2 and rec.detail["subjects"]["n"] == 2
    # an auditor searching for the victim by name finds this read
    keys = audit.subject_keys_for_query("王某")
    assert AuditSubject.objects.filter(seq=rec.seq, key__in=keys).exists()
    assert not AuditSubject.objects.filter(seq=rec.seq, key__in=audit.subject_keys_for_query("赵某某")).exists()
    bare = _token_create(user=cast.citizen, name="t").secret
    assert client.get("/api/v1/antifraud/reports", HTTP_AUTHORIZATION=f"Bearer {bare}").json()["count"] == 0


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_viewers_language(client, cast, centre, objects, language):
    """Issue 11: "freeze (冻结)" on English pages, a ``kind:value`` list of English codes on the Chinese new-report
    page (tests/page_language.py)."""
    from page_language import check_pages, data_values

    data = data_values("antifraud.FraudReport.victim_name", "antifraud.FraudReport.victim_address",
                       "antifraud.FraudReport.narrative", "antifraud.VictimTransfer.to_name",
                       "antifraud.VictimTransfer.to_bank", "antifraud.Order.account_name", "antifraud.Order.bank",
                       "antifraud.StatementTxn.counterparty_name", "antifraud.StatementTxn.counterparty_bank",
                       "antifraud.StatementTxn.summary", "antifraud.Statement.bank", "antifraud.Statement.filename",
                       "antifraud.Block.value", "antifraud.Block.reason")
    found = check_pages(client, PAGES, actors(cast, centre), objects, sign_in, language, data)
    assert not found, found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_suspect_identifiers_are_typed_with_their_kind_in_the_readers_words(client, centre, language):
    """Issue 11: the new-report page listed the kinds as codes (``kind:value``, bank_account, …) on the Chinese
    page, and a line whose kind was not a code was dropped without a word."""
    from pingan.antifraud.models import FraudReport

    sign_in(client, centre.officer)
    client.cookies["django_language"] = language
    form = {"victim_name": "林某", "reported_at": "2026-12-01T10:00", "fraud_type": "other", "loss_yuan": "100",
            "channel": "other"}
    page = client.get("/antifraud/reports/new/").content.decode()
    shown = re.sub(r"<[^>]+>", " ", page)  # the words on the page, not the option values
    assert ("电话号码" in shown and "bank_account" not in shown) if language == "zh-hans" else "phone number" in shown
    bad = client.post("/antifraud/reports/new/", {**form, "identifiers": "电话号码：13900000001\nqq 12345"})
    text = bad.content.decode()
    assert bad.status_code == 200 and not FraudReport.objects.filter(victim_name="林某").exists()
    assert ("涉案标识第 2 行（qq 12345）" in text) if language == "zh-hans" else (
        "Line 2 of the suspect identifiers (qq 12345)" in text)
    ok = client.post("/antifraud/reports/new/", {**form, "identifiers": "电话号码：13900000001\nphone number: "
                                                 "13900000002\ndomain:bad.example"})
    assert ok.status_code == 302
    report = FraudReport.objects.get(victim_name="林某")
    assert sorted((i.kind, i.value) for i in report.identifiers.all()) == [
        ("domain", "bad.example"), ("phone", "13900000001"), ("phone", "13900000002")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_suspect_identifiers_are_rows_with_a_kind_chosen_and_a_message_per_row(client, centre, language):
    """Issue 11: each identifier is a row, its kind chosen from a list in the reader's language and its value
    typed; a value wrong for its kind is said on its row (what that kind looks like); blank rows are skipped."""
    from pingan.antifraud.models import FraudReport

    zh = language == "zh-hans"
    sign_in(client, centre.officer)
    client.cookies["django_language"] = language
    form = {"victim_name": "陈某", "reported_at": "2026-12-01T10:00", "fraud_type": "other", "loss_yuan": "100",
            "channel": "other"}
    page = client.get("/antifraud/reports/new/").content.decode()
    assert page.count('name="id_kind"') == 4 and page.count('name="id_value"') == 4
    assert ('<option value="bank_account">银行账户</option>' if zh else
            '<option value="bank_account">bank account</option>') in page
    bad = client.post("/antifraud/reports/new/", {
        **form, "id_kind": ["phone", "bank_account", "", "im", "domain", ""],
        "id_value": ["13900000001", "6222-12", "abc", "wechat abc", "bad..example", ""]})
    text = bad.content.decode()
    assert bad.status_code == 400 and not FraudReport.objects.filter(victim_name="陈某").exists()
    for said in (("“6222-12”不是银行账号", "请选择“abc”是哪一类标识", "“wechat abc”：请填写平台和账号",
                  "“bad..example”不是有效的域名", "有涉案标识填写有误") if zh else
                 ("“6222-12” is not a bank account number", "Choose what kind of identifier “abc” is",
                  "“wechat abc”: give the platform and the account", "“bad..example” has no valid domain name",
                  "A suspect identifier is not right")):
        assert said in text, said
    assert text.count('aria-invalid="true"') == 4 and 'value="13900000001"' in text  # what was typed stays
    ok = client.post("/antifraud/reports/new/", {
        **form, "id_kind": ["phone", "bank_account", "", "im", "url"],
        "id_value": ["139 0000 0001", "6222 0200 0000 0101", "", "WeChat:abc123", "https://bad.example/pay"]})
    assert ok.status_code == 302
    report = FraudReport.objects.get(victim_name="陈某")
    assert sorted((i.kind, i.key) for i in report.identifiers.all()) == [
        ("bank_account", "6222020000000101"), ("im", "wechat:abc123"), ("phone", "+8613900000001"),
        ("url", "bad.example")]


@pytest.mark.parametrize(("language", "said"), [("zh-hans", "英文双引号"), ("en", "a double quote in this cell")])
def test_a_statement_with_a_stray_quote_lists_its_line_as_rejected_in_the_readers_language(client, centre, case,
                                                                                         language, said):
    """Issue 11's trial in a bank's file: the line with the unclosed quote is rejected with its column and what
    to do; the rows below it are stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    report, _ = case
    sign_in(client, centre.officer)
    client.cookies["django_language"] = language
    text = ("交易流水号,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
            "Q1,2024-01-05 10:00:00,贷,100,6222020000000101,李四\n"
            'Q2,2024-01-05 11:00:00,借,50,"6222020000000102,张三\n'
            "Q3,2024-01-05 12:00:00,贷,20,6222020000000103,王五\n")
    client.post(f"/antifraud/reports/{report.pk}/statements/",
                {"statement": SimpleUploadedFile("q.csv", text.encode()), "account": "6222029999999999"})
    stmt = report.statements.get(filename="q.csv")
    assert stmt.accepted == 2 and [(x["row"], x["code"]) for x in stmt.rejections] == [(3, "bad_quote")]
    page = client.get(f"/antifraud/reports/{report.pk}/").content.decode()
    assert said in page and "对方账号" in page


def _expired_order_events(client, centre, case, language, *, clock=None) -> str:
    """The history (``order-events``) of an order of the case's trace, approved, sent, answered by the bank and
    then expired by the deadline clock (run in the context ``clock``, e.g. acting as its task), as the order's
    page shows it to the officer in ``language``."""
    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    [order] = services.orders_from_trace(actor=centre.officer, trace=run)
    order = services.order_approve(actor=centre.chief, order=order)
    order = services.order_send(actor=centre.officer, order=order)
    order = services.order_feedback(actor=centre.officer, order=order, feedback="done", effective_at=T0)
    with clock or contextlib.nullcontext():
        services.orders_tick(now=T0 + dt.timedelta(hours=48))
    assert Order.objects.get(pk=order.pk).status == "expired"
    sign_in(client, centre.officer)
    client.cookies["django_language"] = language
    text = client.get(f"/antifraud/orders/{order.pk}/").content.decode()
    events = text[text.index('id="order-events"'):]
    return events[:events.index("</ol>")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_orders_history_names_what_acted_instead_of_system(client, centre, case, language):
    """Issue 11: a step of an order's history with no account (the deadline clock's reminder and expiry) read
    "system"; it names the background task that made it, in the reader's language."""
    import pingan.antifraud.tasks  # noqa: F401 - registers the task's label
    from pingan.core import audit

    events = _expired_order_events(client, centre, case, language,
                                   clock=audit.acting(audit.Agent("task", "antifraud-deadline", by="pingan")))
    assert (("后台任务" in events and "止付冻结令的期限检查" in events) if language == "zh-hans" else
            "background task: the deadline check of a stop-payment or freeze order" in events), events
    assert "system" not in events and "系统" not in events
    assert centre.officer.username in events or (centre.officer.display_name or "@") in events


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_orders_history_says_its_steps_and_statuses_in_the_readers_words(client, centre, case, language):
    """Issue 11: the stop-payment/freeze order page's history read "expire · in_force → expired" (the stored
    codes); each step and status is now a label in the reader's language."""
    events = _expired_order_events(client, centre, case, language)
    shown = events.replace(centre.officer.username, "").replace(centre.chief.username, "")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\bexpire\b", shown), events  # in_force, expire, …
    steps = re.findall(r"<strong>([^<]*)</strong>", events)
    if language == "zh-hans":
        assert steps == ["到期失效", "已起草", "已审批", "已送达银行", "已登记银行反馈"], steps
        assert "生效中 → 已过期" in events, events
    else:
        assert steps == ["expired", "drafted", "approved", "sent to the bank",
                         "bank&#x27;s feedback recorded"], steps
        assert "in force → expired" in events, events


def test_every_code_an_antifraud_page_shows_has_a_label_in_both_languages():
    """Each step ``services`` writes (``_event(…, "<action>", …)``), each status, trace kind, path end and
    identifier kind has a label, and the Chinese one is Chinese."""
    from pathlib import Path

    from django.utils import translation

    from pingan.antifraud.templatetags import antifraud as tags

    written = set(re.findall(r'_event\(\w+, [\w.]+, "(\w+)"', Path(services.__file__).read_text()))
    assert written and written <= set(tags.ORDER_ACTIONS), written - set(tags.ORDER_ACTIONS)
    for table, labels in tags.CODE_LABELS.items():
        for code, label in labels.items():
            with translation.override("en"):
                en = str(label)
            with translation.override("zh-hans"):
                zh = str(label)
            assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en), (table, code, zh, en)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_im_account_is_a_platform_chosen_and_an_account_typed(client, centre, language):
    """Issue 11: an IM account was typed as ``platform:account`` in one field. The kind list offers the IM
    account as a group of its platforms, named in the reader's language (微信 / WeChat under "IM account"), and the
    field takes the account alone; the stored key (and the API) stays ``platform:account``; the report page
    says the platform by name."""
    from pingan.antifraud.models import FraudReport

    zh = language == "zh-hans"
    sign_in(client, centre.officer)
    client.cookies["django_language"] = language
    page = client.get("/antifraud/reports/new/").content.decode()
    assert ('<optgroup label="即时通讯账号"><option value="im:wechat">微信</option>' if zh else
            '<optgroup label="IM account"><option value="im:wechat">WeChat</option>') in page
    kinds = page[page.index('name="id_kind"'):]
    assert '<option value="im">' not in kinds[:kinds.index("</select>")]
    form = {"victim_name": "林某", "reported_at": "2026-12-01T10:00", "fraud_type": "other", "loss_yuan": "100",
            "channel": "other"}
    bad = client.post("/antifraud/reports/new/", {**form, "id_kind": ["im:nowhere"], "id_value": ["abc"]})
    assert bad.status_code == 400 and 'value="abc"' in bad.content.decode()
    ok = client.post("/antifraud/reports/new/", {**form, "id_kind": ["im:wechat", "im:qq"],
                                                 "id_value": ["Abc_123", "qq:12345"]})
    assert ok.status_code == 302
    report = FraudReport.objects.get(victim_name="林某")
    assert sorted(i.key for i in report.identifiers.filter(kind="im")) == ["qq:12345", "wechat:abc_123"]
    client.post(f"/antifraud/reports/{report.pk}/identifiers/", {"kind": "im:telegram", "value": "scam_bot"})
    assert report.identifiers.filter(kind="im", key="telegram:scam_bot").exists()
    text = client.get(f"/antifraud/reports/{report.pk}/").content.decode()
    assert ("<strong>微信 abc_123</strong>" if zh else "<strong>WeChat abc_123</strong>") in text
    assert "wechat:abc_123" not in text
