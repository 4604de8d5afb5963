"""Anti-fraud reads: every one takes the actor, is narrowed by ``access.visible`` (which builds on
``core.scoping``) and writes the audit record when it returns personal data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from pingan.antifraud import access, rules
from pingan.antifraud.models import (
    Block,
    BlockStatus,
    FraudReport,
    IdentifierKind,
    Order,
    OrderKind,
    OrderStatus,
    SmsMessage,
    SmsStatus,
    Statement,
    SuspectIdentifier,
    TraceRun,
    Warning,
    WarningChannel,
    WarningOutcome,
)
from pingan.core import audit
from pingan.core.errors import NotFound


def report_subjects(r: FraudReport) -> list[audit.Subject]:
    """The person a report shows: the victim (name, ID number, phone)."""
    return [audit.Subject(name=r.victim_name, id_number=r.victim_id_number, phone=r.victim_phone)]


def order_subjects(o: Order) -> list[audit.Subject]:
    """The account holder an order names (the victim is on the report)."""
    return [audit.Subject(name=o.account_name)] if o.account_name else []


def warning_subjects(w: Warning) -> list[audit.Subject]:
    """The person warned: the name (often unknown) and the phone the warning is for — and the suspect's phone
    the page shows beside it (the counterpart, when it is a phone number: :func:`suspect_subjects`)."""
    person = [audit.Subject(name=w.person_name, phone=w.person_phone)] if w.person_name or w.person_phone else []
    return person + suspect_subjects([(w.counterpart_kind, w.counterpart)])


def suspect_subjects(identifiers) -> list[audit.Subject]:
    """The suspects' phone numbers among ``identifiers`` (``(kind, value)`` pairs: a report's identifiers, the keys
    a series shares, a warning's counterpart), one subject each: a suspect's phone read on a page is personal data
    like the victim's, and the auditor's phone search finds who read it (issue 11: the report page showed them
    and the trail named the victim only; docs/audit.md "Subjects"). Other kinds (accounts, domains…) are not a
    person's name, document or phone and are not subjects."""
    phones = sorted({value for kind, value in identifiers if kind == IdentifierKind.PHONE and value})
    return [audit.Subject(phone=p) for p in phones]


def reports_scoped(*, actor) -> QuerySet[FraudReport]:
    """The reports the actor may see, for counts and look-ups that show no person (never hand rows to a page)."""
    return access.visible(actor, FraudReport.objects.all())


def report_list(*, actor, purpose: str = "") -> QuerySet[FraudReport]:
    """Reports the actor may see, newest first; the rows fetched are recorded as one ``list`` read naming
    the victims. Raises ``PurposeRequired`` for police without a purpose of use."""
    qs = access.visible(actor, FraudReport.objects.select_related("unit"))
    return audit.audited(qs, actor=actor, object_type="FraudReport", subjects=report_subjects, purpose=purpose)


def report_get(*, actor, report_id: int, purpose: str = "", audit_read: bool = True) -> FraudReport:
    """One report the actor may see (``NotFound`` otherwise, no existence leak); records the read (unless
    ``audit_read`` is false: a service is about to change it and records that)."""
    report = access.visible(actor, FraudReport.objects.select_related("unit", "taken_by")).filter(
        pk=report_id).first()
    if report is None:
        raise NotFound(f"report {report_id} not found")
    if audit_read:
        shown = report.identifiers.filter(kind=IdentifierKind.PHONE).values_list("kind", "value")
        audit.record_read(actor, "FraudReport", report.pk, subjects=report_subjects(report) + suspect_subjects(shown),
                          purpose=purpose)
    return report


def series_of(*, actor, report: FraudReport, audit_read: bool = True) -> list[tuple[FraudReport, list[dict]]]:
    """The reports linked to ``report`` into one series (串并案): those sharing an identifier with it, or with
    a report so linked (transitively), among the reports the actor may see. Each comes with the shared
    identifiers that link it (``[{"kind", "key", "via"}]``, ``via`` the report it shares them with)."""
    visible = access.visible(actor, FraudReport.objects.all())
    found: dict[int, list[dict]] = {}
    frontier = {report.pk}
    done = {report.pk}
    while frontier:
        keys = set(SuspectIdentifier.objects.filter(report_id__in=frontier).values_list("kind", "key", "report_id"))
        if not keys:
            break
        q = Q()
        for kind, key, _r in keys:
            q |= Q(kind=kind, key=key)
        by_key = defaultdict(set)
        for kind, key, r in keys:
            by_key[(kind, key)].add(r)
        hits = SuspectIdentifier.objects.filter(q, report__in=visible).exclude(report_id__in=done).values_list(
            "report_id", "kind", "key")
        nxt = set()
        for rid, kind, key in hits:
            found.setdefault(rid, []).append({"kind": kind, "key": key, "via": min(by_key[(kind, key)])})
            nxt.add(rid)
        done |= nxt
        frontier = nxt
    reports = {r.pk: r for r in visible.filter(pk__in=found)}
    if audit_read and reports:
        shared = {(link["kind"], link["key"]) for pk in reports for link in found[pk]}
        audit.record_read(actor, "FraudReport.series", report.pk,
                          subjects=[s for r in reports.values() for s in report_subjects(r)] + suspect_subjects(shared),
                          detail={"reports": sorted(reports)})
    return [(reports[pk], found[pk]) for pk in sorted(reports)]


def statements_of(*, actor, report: FraudReport) -> QuerySet[Statement]:
    return access.visible(actor, Statement.objects.filter(report=report))


def trace_subjects(run: TraceRun) -> list[audit.Subject]:
    """The account holders a trace result names (holders, stops, next queries)."""
    r = run.result or {}
    names = {h.get("name", "") for key in ("holdings", "stops", "next_queries", "beyond_limit")
             for h in r.get(key, [])}
    return [audit.Subject(name=n) for n in sorted(names) if n]


def trace_latest(*, actor, report: FraudReport, purpose: str = "") -> TraceRun | None:
    """The report's latest trace (records the read of the account holders it names)."""
    run = access.visible(actor, TraceRun.objects.filter(report=report)).first()
    if run is not None:
        audit.record_read(actor, "TraceRun", run.pk, subjects=trace_subjects(run), purpose=purpose)
    return run


def trace_get(*, actor, trace_id: int, purpose: str = "") -> TraceRun:
    run = access.visible(actor, TraceRun.objects.select_related("report")).filter(pk=trace_id).first()
    if run is None:
        raise NotFound(f"trace {trace_id} not found")
    audit.record_read(actor, "TraceRun", run.pk, subjects=trace_subjects(run), purpose=purpose)
    return run


def orders_scoped(*, actor) -> QuerySet[Order]:
    """Orders the actor may see, for counts (the home panel); never hand the rows to a page."""
    return access.visible(actor, Order.objects.all())


def order_list(*, actor, report: FraudReport | None = None, purpose: str = "") -> QuerySet[Order]:
    """Orders, soonest deadline first; the rows fetched are recorded naming the account holders."""
    qs = access.visible(actor, Order.objects.select_related("report", "drafted_by", "approved_by"))
    if report is not None:
        qs = qs.filter(report=report)
    return audit.audited(qs, actor=actor, object_type="Order", subjects=order_subjects, purpose=purpose)


def order_get(*, actor, order_id: int, purpose: str = "") -> Order:
    order = access.visible(actor, Order.objects.select_related("report", "drafted_by", "approved_by")).filter(
        pk=order_id).first()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    audit.record_read(actor, "Order", order.pk, subjects=order_subjects(order), purpose=purpose)
    return order


def send_by(order: Order, *, now: dt.datetime | None = None) -> rules.SendBy:
    """When the approved ``order`` must reach the bank (:func:`rules.send_by`): before the freeze it renews
    ends, or the stop-payment in force on its account (whichever unit made it: the account is what is held)."""
    now = now or timezone.now()
    renews = order.renewal_of.expires_at if order.renewal_of_id and order.renewal_of else None
    stop = (Order.objects.filter(account=order.account, kind=OrderKind.STOP_PAYMENT, expires_at__gt=now,
                                 status__in=(OrderStatus.IN_FORCE, OrderStatus.EXPIRING))
            .exclude(pk=order.pk).order_by("-expires_at").values_list("expires_at", flat=True).first())
    return rules.send_by(order.kind, renews_until=renews, stop_until=stop)


def orders_attention(*, actor, now: dt.datetime | None = None, purpose: str = "") -> dict[str, list[Order]]:
    """What must not be missed: ``overdue`` (past their end but still marked in force: the clock has not
    run), ``expiring`` (within the reminder lead), ``awaiting_approval`` (drafts), ``to_send`` (approved, not
    yet sent to the bank: each with ``send_by``, at-once ones first, then the soonest), ``awaiting_feedback``
    (sent, no answer from the bank)."""
    now = now or timezone.now()
    qs = order_list(actor=actor, purpose=purpose)
    active = (OrderStatus.IN_FORCE, OrderStatus.EXPIRING)
    to_send = list(qs.filter(status=OrderStatus.APPROVED).select_related("renewal_of"))
    for o in to_send:
        o.send_by = send_by(o, now=now)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    to_send.sort(key=lambda o: (o.send_by.at is not None, o.send_by.at or far, o.pk))
    return {
        "overdue": list(qs.filter(status__in=active, expires_at__lte=now)),
        "expiring": list(qs.filter(status=OrderStatus.EXPIRING, expires_at__gt=now)),
        "awaiting_approval": list(qs.filter(status=OrderStatus.DRAFT)),
        "to_send": to_send,
        "awaiting_feedback": list(qs.filter(status=OrderStatus.SENT)),
    }


def attention_counts(*, actor, now: dt.datetime | None = None) -> dict[str, int]:
    """The sizes of :func:`orders_attention`'s lists, from counts (no row fetched, nothing recorded)."""
    now = now or timezone.now()
    qs = orders_scoped(actor=actor)
    active = (OrderStatus.IN_FORCE, OrderStatus.EXPIRING)
    return {
        "overdue": qs.filter(status__in=active, expires_at__lte=now).count(),
        "expiring": qs.filter(status=OrderStatus.EXPIRING, expires_at__gt=now).count(),
        "awaiting_approval": qs.filter(status=OrderStatus.DRAFT).count(),
        "to_send": qs.filter(status=OrderStatus.APPROVED).count(),
        "awaiting_feedback": qs.filter(status=OrderStatus.SENT).count(),
    }


def block_list(*, actor, status: str | None = None) -> QuerySet[Block]:
    """Blocks: centre staff and analysts (the blocked identifiers are the suspects', not the public's)."""
    if not (access.is_centre_staff(actor) or getattr(actor, "role", "") == "analyst"):
        return Block.objects.none()
    qs = Block.objects.select_related("created_by")
    return qs.filter(status=status) if status else qs


def block_subjects(b: Block) -> list[audit.Subject]:
    """A blocked phone number is a suspect's (:func:`suspect_subjects`); other kinds name nobody."""
    return suspect_subjects([(b.kind, b.value)])


def blocks_shown(*, actor, status: str | None = None, purpose: str = "") -> QuerySet[Block]:
    """:func:`block_list` for a page or the API to show: the rows fetched are recorded as one ``list`` read naming
    the blocked phone numbers (issue 11: suspects' phones were read with no record)."""
    return audit.audited(block_list(actor=actor, status=status), actor=actor, object_type="Block",
                         subjects=block_subjects, purpose=purpose)


def block_get(*, actor, block_id: int, purpose: str = "") -> Block:
    """One block the actor may see (``NotFound`` otherwise); records the read, naming a blocked phone number."""
    block = block_list(actor=actor).filter(pk=block_id).first()
    if block is None:
        raise NotFound(f"block {block_id} not found")
    audit.record_read(actor, "Block", block.pk, subjects=block_subjects(block), purpose=purpose)
    return block


def active_blocks(*, actor, kinds: tuple[str, ...]) -> QuerySet[Block]:
    qs = block_list(actor=actor, status=BlockStatus.ACTIVE)
    return qs.filter(kind__in=kinds) if kinds else qs


def warning_list(*, actor, purpose: str = "", audit_read: bool = True) -> QuerySet[Warning]:
    """Warnings: the centre all, a station those assigned to its subtree; the rows fetched are recorded
    naming the people warned (``audit_read`` false: a scoped look-up that shows no row)."""
    qs = access.visible(actor, Warning.objects.select_related("unit"))
    if not audit_read:
        return qs
    return audit.audited(qs, actor=actor, object_type="Warning", subjects=warning_subjects, purpose=purpose)


def centre_figures(*, actor, since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict:
    """The centre's figures in the seed's form: warning SMS sent (and delivered), face-to-face warnings
    done, calls, money saved (attempted transfers of people persuaded + money stopped or frozen), reports.
    Counts only, no personal data; the actor must see warnings at all."""
    w = access.visible(actor, Warning.objects.all())
    o = access.visible(actor, Order.objects.all())
    if since:
        w, o = w.filter(created_at__gte=since), o.filter(effective_at__gte=since)
    if until:
        w, o = w.filter(created_at__lt=until), o.filter(effective_at__lt=until)
    sms = SmsMessage.objects.filter(warning__in=w)
    by_channel = dict(w.values_list("channel").annotate(n=Count("id")))
    saved_persuaded = w.filter(outcome=WarningOutcome.PERSUADED).aggregate(s=Sum("attempted_cents"))["s"] or 0
    intercepted = o.filter(effective_at__isnull=False).aggregate(s=Sum("executed_cents"))["s"] or 0
    return {
        "sms_sent": sms.filter(status__in=[SmsStatus.SENT, SmsStatus.DELIVERED]).count(),
        "sms_delivered": sms.filter(status=SmsStatus.DELIVERED).count(),
        "calls": by_channel.get(WarningChannel.CALL, 0),
        "face_to_face": by_channel.get(WarningChannel.FACE_TO_FACE, 0),
        "face_to_face_done": w.filter(channel=WarningChannel.FACE_TO_FACE).exclude(outcome="").count(),
        "persuaded": w.filter(outcome=WarningOutcome.PERSUADED).count(),
        "saved_persuaded_cents": saved_persuaded,
        "intercepted_cents": intercepted,
        "money_saved_cents": saved_persuaded + intercepted,
        "reports": reports_scoped(actor=actor).count(),
    }


def order_notice_pdf(*, actor, order_id: int, purpose: str = "") -> tuple[bytes, str]:
    """The notice of an order to its bank as PDF (records the read) and the name it downloads under: the
    notice is Chinese, to a Chinese bank, and so is its name — its title, the bank, the date
    ("紧急止付通知书-厦门银行莲前支行-2026-12-07.pdf"), not ``order-12.pdf`` (issue 11)."""
    from pingan.antifraud.notices import Notice, notice_pdf
    from pingan.core.downloads import day, download_name

    order = order_get(actor=actor, order_id=order_id, purpose=purpose)
    v = rules.legal(version=order.basis_version)
    yuan = f"人民币 {order.amount_cents / 100:,.2f} 元"
    rows = [("户名", order.account_name or "—"), ("账号", order.account), ("开户行", order.bank or "—"),
            ("金额", yuan)]
    fraud_type = rules.fraud_types().get(order.report.fraud_type, {}).get("zh", "")
    rows.append(("案件", f"{order.report} {fraud_type}"))
    notes: list[str] = []
    if order.kind == "freeze":
        months = v["freeze"]["major_months"] if order.major else v["freeze"]["months"]
        term = (f"{order.effective_at:%Y年%m月%d日} 至 {order.expires_at:%Y年%m月%d日}" if order.effective_at
                else f"自冻结之日起 {months} 个月")
        rows += [("冻结期限", term), ("冻结范围", "账户内资金（含孳息）")]
        notes.append("冻结期满前未办理续冻手续的，冻结自动解除。")
        basis = v["freeze"]["citation"]
    else:
        rows.append(("止付期限", f"自止付时点起 {v['stop_payment']['hours']} 小时"))
        notes.append(f"同一账户紧急止付不得超过 {v['stop_payment']['max_per_account']} 次；"
                     "请核对户名、账号、金额、交易时间，一致的立即止付并反馈结果，不一致的不得止付。")
        basis = v["stop_payment"]["citation"]
    issued = order.approved_at or order.created_at
    number = f"厦公反诈〔{issued:%Y}〕{order.pk}号"
    pdf = notice_pdf(Notice(kind=order.kind, number=number, bank=order.bank or "开户银行", rows=rows, basis=basis,
                            issuer=order.report.unit.name, date=f"{issued:%Y年%m月%d日}", notes=notes))
    from pingan.antifraud.notices import TITLES

    return pdf, download_name(TITLES.get(order.kind, ""), order.bank, day(issued), ext="pdf")


def rpz_export(*, actor, now: dt.datetime | None = None) -> str:
    """The active domain/URL blocks as an RPZ zone (centre and analysts; others get an empty zone)."""
    from pingan.antifraud.blocklists import ZoneEntry, rpz_zone, serial_for

    now = now or timezone.now()
    blocks = active_blocks(actor=actor, kinds=("domain", "url"))
    today = blocks.filter(created_at__date=now.date()).count()
    return rpz_zone([ZoneEntry(b.key, f"block {b.pk}") for b in blocks], serial=serial_for(now, min(today, 99)))


def numbers_export(*, actor) -> str:
    """The active phone-number blocks in the carriers' CSV."""
    from pingan.antifraud.blocklists import NumberEntry, carriers_csv

    return carriers_csv([NumberEntry(b.key, "fraud", b.expires_at, f"block-{b.pk}")
                         for b in active_blocks(actor=actor, kinds=("phone",))])


# ------------------------------------------------------------------------------------- the audit page's names
# How the audit page names an anti-fraud record (issue 11: "止付或冻结指令 № 7" told an auditor nothing): the
# report's number (FZ-…, what its pages show), what the object is, a date; people and accounts masked (what an
# auditor needs to tell one from another, never the whole number).


def _fraud_type(code: str) -> str:
    from pingan.core.texts import pick

    names = rules.fraud_types().get(code)
    return pick(names, when_none="en") if names else code


def _money(cents: int) -> str:
    from pingan.antifraud.templatetags.antifraud import yuan

    return yuan(cents)  # as the anti-fraud pages write an amount


def _register_describers() -> None:
    from pingan.antifraud.models import ContactImport, VictimTransfer
    from pingan.core.texts import moment
    from pingan.lib.redact import mask_id, mask_name, mask_numbers, mask_phone

    said, when = audit.said, moment
    for name, model, text, related in (
        ("FraudReport", FraudReport,
         lambda r: said(r, mask_name(r.victim_name), _fraud_type(r.fraud_type), when(r.reported_at)), ()),
        ("Order", Order, lambda o: said(o.get_kind_display(), mask_id(o.account), o.report,
                                        o.get_status_display()), ("report",)),
        ("TraceRun", TraceRun, lambda t: said(t.report, t.get_method_display(), when(t.created_at)), ("report",)),
        ("Warning", Warning, lambda w: said(mask_name(w.person_name), mask_phone(w.person_phone), _fraud_type(
            w.fraud_type) if w.fraud_type else "", when(w.created_at)), ()),
        ("Statement", Statement, lambda s: said(s.report, mask_id(s.account), s.bank, mask_numbers(s.filename)),
         ("report",)),
        ("Block", Block, lambda b: said(b.get_kind_display(), mask_numbers(b.value), b.get_status_display()), ()),
        ("VictimTransfer", VictimTransfer, lambda t: said(t.report, _money(t.amount_cents), mask_id(t.to_account),
                                                          when(t.at)), ("report",)),
        ("SuspectIdentifier", SuspectIdentifier, lambda i: said(i.report, i.get_kind_display(),
                                                                mask_numbers(i.value)), ("report",)),
        ("ContactImport", ContactImport, lambda c: said(mask_numbers(c.filename), when(c.imported_at)), ()),
    ):
        audit.register_object_describer(name, audit.rows_describer(model, text, related=related))


_register_describers()
