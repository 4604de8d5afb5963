"""Anti-fraud services on PostgreSQL: reports and series, statements, traces, the order lifecycle against
the clock, returns, blocks and appeals, warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from antifraud_support import MULE, SECOND, T0, THIRD, statement_csv

from pingan.antifraud import selectors, services
from pingan.antifraud.models import (
    Block,
    BlockStatus,
    Order,
    OrderStatus,
    SmsMessage,
    SmsStatus,
    StatementTxn,
    Warning,
    WarningChannel,
)
from pingan.core.errors import DomainError, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_reports_sharing_an_identifier_form_a_series_with_the_reason_shown(centre, case):
    report, _ = case
    other = services.report_create(actor=centre.officer, victim_name="陈某", reported_at=T0, fraud_type="fake_loan",
                                   identifiers=[{"kind": "phone", "value": "13900000002"}])
    third = services.report_create(actor=centre.officer, victim_name="周某", reported_at=T0, fraud_type="fake_loan",
                                   identifiers=[{"kind": "domain", "value": "invest-bad.example"}])
    unrelated = services.report_create(actor=centre.officer, victim_name="吴某", reported_at=T0,
                                       fraud_type="fake_loan", identifiers=[{"kind": "phone", "value": "13700000000"}])
    series = dict((r.pk, why) for r, why in selectors.series_of(actor=centre.officer, report=report))
    assert set(series) == {other.pk, third.pk}
    assert series[other.pk] == [{"kind": "phone", "key": "+8613900000002", "via": report.pk}]
    assert series[third.pk][0]["key"] == "invest-bad.example"
    assert unrelated.pk not in series


def test_a_station_sees_its_own_reports_only(cast, centre, case):
    report, _ = case
    mine = services.report_create(actor=cast.officer_a, victim_name="林某", reported_at=T0, fraud_type="other")
    assert list(selectors.report_list(actor=cast.officer_a)) == [mine]
    assert not selectors.report_list(actor=cast.officer_b).exists()
    assert set(selectors.report_list(actor=cast.analyst)) == {mine, report}
    assert set(selectors.report_list(actor=centre.officer)) == {mine, report}
    for u in (cast.admin, cast.auditor, cast.landlord_a, cast.citizen):
        assert not selectors.report_list(actor=u).exists()
    with pytest.raises(NotFound):
        selectors.report_get(actor=cast.officer_b, report_id=mine.pk)
    with pytest.raises(PermissionDenied):
        services.report_create(actor=cast.analyst, victim_name="x", reported_at=T0, fraud_type="other")


def test_overlapping_statements_are_stored_once_and_gaps_are_flagged(centre, case):
    report, stmt = case
    assert (stmt.accepted, stmt.duplicates, stmt.rejections, stmt.gaps) == (4, 0, [], [])
    again = services.statement_import(actor=centre.officer, report=report, filename="mule2.csv", account=MULE,
                                      data=statement_csv([
        ("M3", "2026-03-02 17:20:00", "借", "15,000.00", "6,000.00", THIRD, "赵某", "招商银行", "转账"),
        ("M4", "2026-03-02 18:00:00", "借", "2,000.00", "4,000.00", "", "", "", "ATM取现"),
        ("M6", "2026-03-03 09:00:00", "借", "1,000.00", "2,000.00", "", "", "", "消费"),  # M5 (-1,000) missing
        ("M7", "2026-03-03 10:00:00", "借", "abc", "2,000.00", "", "", "", ""),
    ]))
    assert (again.accepted, again.duplicates) == (1, 2)
    assert again.rejections == [{"row": 5, "code": "amount_invalid", "column": "交易金额", "value": "abc",
                                 "params": {}}]
    assert StatementTxn.objects.filter(account=MULE).count() == 5
    [gap] = again.gaps
    assert gap["missing"] == -100_000 and gap["before_row"] == 4


def test_the_fifo_trace_finds_the_holders_the_cash_and_the_next_queries(centre, case):
    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    r = run.result
    assert r["conserved"] and r["input_cents"] == 5_000_000
    # FIFO: the 1,000 opening goes first, so 29,000 of the victim's money reaches SECOND, 15,000 THIRD,
    # 2,000 is cash, 4,000 stays in MULE
    assert {h["account"]: h["cents"] for h in r["holdings"]} == {MULE: 400_000}
    assert {q["account"]: q["cents"] for q in r["next_queries"]} == {SECOND: 2_900_000, THIRD: 1_500_000}
    assert [(s["account"], s["cents"], s["kind"]) for s in r["stops"]] == [("CASH", 200_000, "cash")]
    assert r["holdings"][0]["victims"] == {str(report.pk): 400_000}
    path = next(p for p in r["paths"] if p["hops"][-1]["to"] == SECOND)
    assert [h["to"] for h in path["hops"]] == [MULE, SECOND]
    assert {e["to"] for e in r["edges"]} == {MULE, SECOND, THIRD, "CASH"}


def test_haircut_and_poison_traces(centre, case):
    report, _ = case
    hair = services.trace_run(actor=centre.officer, report=report, method="haircut").result
    assert hair["conserved"]
    assert {h["account"]: h["cents"] for h in hair["holdings"]} == {MULE: pytest.approx(392_157, abs=1)}
    poison = services.trace_run(actor=centre.officer, report=report, method="poison").result
    assert {h["account"] for h in poison["holdings"]} >= {MULE, SECOND, THIRD}


def test_stop_payment_lifecycle_against_the_clock(centre, case):
    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    [order] = services.orders_from_trace(actor=centre.officer, trace=run)
    assert (order.account, order.amount_cents, order.status, order.basis_version) == (MULE, 400_000, "draft", "2022-12")
    with pytest.raises(PermissionDenied):
        services.order_approve(actor=centre.officer, order=order)  # not a chief
    order = services.order_approve(actor=centre.chief, order=order)
    order = services.order_send(actor=centre.officer, order=order)
    order = services.order_feedback(actor=centre.officer, order=order, feedback="done", effective_at=T0)
    assert order.expires_at == T0 + dt.timedelta(hours=48)
    services.orders_tick(now=T0 + dt.timedelta(hours=35, minutes=59))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.IN_FORCE
    services.orders_tick(now=T0 + dt.timedelta(hours=36))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRING
    services.orders_tick(now=T0 + dt.timedelta(hours=47, minutes=59))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRING
    services.orders_tick(now=T0 + dt.timedelta(hours=48))
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    actions = [e.action for e in order.events.order_by("id")]
    assert actions == ["draft", "approve", "send", "feedback", "remind", "expire"]


def test_the_drafter_cannot_approve_and_a_third_stop_payment_is_refused(centre, case):
    report, _ = case
    first = services.order_draft(actor=centre.chief, report=report, kind="stop_payment", account=MULE,
                                 amount_cents=100)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        services.order_approve(actor=centre.chief, order=first)
    services.order_approve(actor=centre.chief2, order=first)
    services.order_draft(actor=centre.officer, report=report, kind="stop_payment", account=MULE, amount_cents=100)
    with pytest.raises(DomainError) as exc:
        services.order_draft(actor=centre.officer, report=report, kind="stop_payment", account=MULE, amount_cents=100)
    assert exc.value.code == "stop_payment_limit"


def _in_force(centre, report, kind="freeze", at=T0, account=MULE):
    o = services.order_draft(actor=centre.officer, report=report, kind=kind, account=account, amount_cents=400_000)
    o = services.order_approve(actor=centre.chief, order=o)
    o = services.order_send(actor=centre.officer, order=o)
    return services.order_feedback(actor=centre.officer, order=o, feedback="done", effective_at=at)


def test_a_freeze_lasts_six_months_is_renewed_before_expiry_and_lapses_otherwise(centre, case, monkeypatch):
    report, _ = case
    freeze = _in_force(centre, report)
    assert freeze.expires_at == dt.datetime(2026, 9, 2, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "_now", lambda: dt.datetime(2026, 8, 20, tzinfo=dt.UTC))
    renewal = services.order_renew(actor=centre.officer, order=freeze)
    renewal = services.order_send(actor=centre.officer, order=services.order_approve(actor=centre.chief,
                                                                                     order=renewal))
    late = renewal
    renewal = services.order_feedback(actor=centre.officer, order=late, feedback="done",
                                      effective_at=dt.datetime(2026, 8, 21, tzinfo=dt.UTC))
    assert renewal.expires_at == dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert Order.objects.get(pk=freeze.pk).status == OrderStatus.RENEWED
    # a second freeze whose renewal is answered after it expired is refused: it lapsed
    other = _in_force(centre, report, account=SECOND)
    monkeypatch.setattr(services, "_now", lambda: dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    r2 = services.order_renew(actor=centre.officer, order=other)
    r2 = services.order_send(actor=centre.officer, order=services.order_approve(actor=centre.chief, order=r2))
    with pytest.raises(DomainError) as exc:
        services.order_feedback(actor=centre.officer, order=r2, feedback="done",
                                effective_at=dt.datetime(2026, 9, 2, 9, 0, tzinfo=dt.UTC))
    assert exc.value.code == "renewal_too_late"
    services.orders_tick(now=dt.datetime(2026, 9, 2, 9, 0, tzinfo=dt.UTC))
    assert Order.objects.get(pk=other.pk).status == OrderStatus.LAPSED


def test_a_queued_freeze_takes_effect_when_the_earlier_one_is_lifted(centre, case):
    report, _ = case
    first = _in_force(centre, report)
    o = services.order_draft(actor=centre.officer, report=report, kind="freeze", account=MULE, amount_cents=100)
    o = services.order_send(actor=centre.officer, order=services.order_approve(actor=centre.chief, order=o))
    queued = services.order_feedback(actor=centre.officer, order=o, feedback="already_frozen")
    assert (queued.status, queued.queued_behind_id) == (OrderStatus.QUEUED, first.pk)
    services.order_lift(actor=centre.officer, order=first, reason="returned to the victim")
    queued.refresh_from_db()
    assert queued.status == OrderStatus.IN_FORCE and queued.expires_at is not None
    assert queued.events.order_by("id").last().action == "promoted"


def test_returns_are_direct_where_the_trace_attributes_and_pro_rata_otherwise(centre, case):
    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    o = services.order_draft(actor=centre.officer, report=report, kind="freeze", account=MULE, amount_cents=400_000,
                             trace=run)
    o = services.order_send(actor=centre.officer, order=services.order_approve(actor=centre.chief, order=o))
    o = services.order_feedback(actor=centre.officer, order=o, feedback="done", executed_cents=400_000)
    plan = services.return_plan_create(actor=centre.officer, order=o)
    assert plan.shares == [{"victim_report": report.pk, "cents": 400_000, "direct": True}]
    assert not plan.pro_rata and plan.notice_until is None


def test_blocks_with_appeal_lift_at_once_and_export_to_rpz(cast, centre, case):
    report, _ = case
    with pytest.raises(PermissionDenied):
        services.block_create(actor=cast.officer_a, kind="domain", value="bad.example", reason="r", evidence="e")
    b = services.block_create(actor=centre.officer, kind="url", value="https://Pay.Bad.example/login",
                              reason="phishing", evidence="screenshot 1", report=report)
    assert b.key == "pay.bad.example"
    with pytest.raises(DomainError, match="already blocked"):
        services.block_create(actor=centre.officer, kind="domain", value="pay.bad.example", reason="r", evidence="e")
    appeal = services.appeal_file(actor=centre.officer, block=b, appellant="某公司", contact="0592-0000000",
                                  reason="our payment page", documents=["ICP备案"])
    services.appeal_decide(actor=centre.chief, appeal=appeal, upheld=True, note="ICP filing checked")
    b.refresh_from_db()
    assert b.status == BlockStatus.LIFTED and b.lift_reason.startswith(f"appeal {appeal.pk} upheld")


def test_contact_records_warn_the_people_once_within_the_window(cast, centre, case):
    csv = ("时间,用户号码,姓名,地址,区划代码,类型,对端,对端类型,金额\n"
           "2026-03-03 10:00,13800000011,甲,思明区莲前东路1号,350203010,call,13900000002,phone,\n"
           "2026-03-03 10:05,13800000011,甲,,,sms,13900000002,phone,\n"
           "2026-03-03 10:06,13800000012,乙,,,transfer,6222020000000001,bank_account,3000\n"
           "2026-03-03 10:07,13800000013,丙,思明区莲前东路1号,350203010,app,invest-bad.example,domain,\n"
           "2026-03-03 10:08,13800000014,丁,,,call,13700000000,phone,\n"
           "2026-03-03 10:09,not-a-phone,戊,,,call,13900000002,phone,\n").encode("gbk")
    imp = services.contacts_import(actor=centre.officer, data=csv, filename="carrier.csv")
    assert (imp.total_rows, imp.matched, imp.warned, imp.suppressed) == (6, 4, 3, 1)
    assert imp.rejections == [{"row": 7, "code": "bad_phone", "value": "not-a-phone"}]
    by_phone = {w.person_phone: w for w in Warning.objects.all()}
    assert by_phone["+8613800000011"].channel == WarningChannel.SMS
    assert by_phone["+8613800000012"].channel == WarningChannel.CALL
    f2f = by_phone["+8613800000013"]
    assert f2f.channel == WarningChannel.FACE_TO_FACE and f2f.unit == cast.unit_a
    assert f2f.due_at - f2f.created_at == dt.timedelta(hours=24)
    assert list(selectors.warning_list(actor=cast.officer_a)) == [f2f]
    assert not selectors.warning_list(actor=cast.officer_b).exists()
    msg = SmsMessage.objects.get()
    assert msg.status == SmsStatus.SENT and "虚假网络投资理财" in msg.text
    services.sms_receipt(gateway_ref=msg.gateway_ref, delivered=True)
    services.warning_outcome(actor=cast.officer_a, warning=f2f, outcome="persuaded")
    paid = services.warning_outcome(actor=centre.officer, warning=by_phone["+8613800000012"], outcome="already_paid")
    assert paid.opened_report.victim_phone == "+8613800000012" and paid.opened_report.loss_cents == 300_000
    figures = selectors.centre_figures(actor=centre.officer)
    got = (figures["sms_sent"], figures["sms_delivered"], figures["face_to_face"], figures["persuaded"])
    assert got == (1, 1, 1, 1)
    with pytest.raises(NotFound):
        services.warning_outcome(actor=cast.officer_b, warning=by_phone["+8613800000011"], outcome="persuaded")


def test_a_stray_quote_in_contact_records_rejects_its_line_and_the_rows_below_are_still_read(cast, centre, case):
    """Issue 11's trial in a carrier's file: the quote before row 3's counterpart never closes."""
    csv = ("时间,用户号码,姓名,类型,对端,对端类型\n"
           "2026-03-03 10:00,13800000011,甲,call,13900000002,phone\n"
           '2026-03-03 10:05,13800000012,乙,call,"13900000002,phone\n'
           "2026-03-03 10:06,13800000013,丙,call,13900000002,phone\n"
           "2026-03-03 10:07,not-a-phone,丁,call,13900000002,phone\n").encode()
    imp = services.contacts_import(actor=centre.officer, data=csv, filename="carrier.csv")
    assert imp.total_rows == 4 and imp.matched == 2
    assert imp.rejections == [
        {"row": 3, "code": "bad_quote", "value": "对端", "kind": "unclosed", "until": None},
        {"row": 5, "code": "bad_phone", "value": "not-a-phone"}]
    assert {w.person_phone for w in Warning.objects.all()} == {"+8613800000011", "+8613800000013"}


def test_a_transfer_to_a_listed_account_in_real_time_is_a_p1_detection(centre, case):
    hit = services.realtime_event({"kind": "transfer", "counterpart": "6222 0200 0000 0001",
                                   "counterpart_kind": "bank_account", "person": "13800000099", "amount": 100})
    assert hit.priority == "P1" and hit.listed_by.startswith("report:")
    assert Warning.objects.get(person_phone="+8613800000099").channel == WarningChannel.CALL
    assert services.realtime_event({"kind": "transfer", "counterpart": "6222020000000999",
                                    "counterpart_kind": "bank_account"}) is None
    assert Block.objects.count() == 0



def test_a_listed_transfer_becomes_a_p1_alert_for_the_centre_within_a_second(centre, case):
    import time

    from pingan.alerts.models import Alert

    t0 = time.perf_counter()
    hit = services.realtime_event({"kind": "transfer", "counterpart": MULE, "counterpart_kind": "bank_account",
                                   "person": "13800000098", "amount": 5_000_00, "ref": "bank-push-1"})
    elapsed = time.perf_counter() - t0
    assert hit is not None and elapsed < 1.0
    alert = Alert.objects.get(rule_id="antifraud.listed_counterpart")
    assert (alert.priority, alert.unit, alert.params["amount_cents"]) == ("P1", centre.unit, 500_000)
    assert alert.notified_at is not None  # P1 waits for no group: the centre's on-duty feed has it
    # the same push again is one alert, not two
    services.realtime_event({"kind": "transfer", "counterpart": MULE, "counterpart_kind": "bank_account",
                             "person": "13800000098", "amount": 5_000_00, "ref": "bank-push-1"})
    assert Alert.objects.filter(rule_id="antifraud.listed_counterpart").count() == 1


def test_a_contact_row_with_a_control_character_is_rejected_naming_its_column(centre):
    csv = ("时间,用户号码,姓名,类型,对端,对端类型\n"
           "2026-03-03 10:05,13800000012,乙\u202e,call,13900000002,phone\n"
           "2026-03-03 10:06,13800000013,丙\u200b,call,13900000002,phone\n").encode()
    imp = services.contacts_import(actor=centre.officer, data=csv, filename="carrier.csv")
    assert imp.total_rows == 2
    assert imp.rejections == [{"row": 2, "code": "control_character", "value": "U+202E", "column": "姓名"}]
