"""Anti-fraud writes: reports, statements, traces, orders and their lifecycle, returns, blocks and appeals,
warnings and the SMS outbox. Keyword-only, atomic, ``DomainError`` on a broken rule; each step that changes
an order, a block or a warning is written to the audit trail (``core.audit``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from pingan.antifraud import access, rules
from pingan.antifraud.identifiers import KINDS, IdentifierError, normalise
from pingan.antifraud.labels import LabelParams, account_labels
from pingan.antifraud.models import (
    AccountMark,
    Appeal,
    AppealStatus,
    Block,
    BlockStatus,
    Channel,
    ContactImport,
    Feedback,
    FraudReport,
    IdentifierKind,
    Order,
    OrderEvent,
    OrderKind,
    OrderStatus,
    ReturnPlan,
    SmsMessage,
    SmsStatus,
    Statement,
    StatementTxn,
    SuspectIdentifier,
    TraceMethod,
    TraceRun,
    VictimTransfer,
    Warning,
    WarningChannel,
    WarningOutcome,
)
from pingan.antifraud.selectors import warning_subjects
from pingan.antifraud.statements import StatementError, balance_gaps, read_statement
from pingan.antifraud.trace import AccountKind as NodeKind
from pingan.antifraud.trace import Ledger, Seed, trace_fifo, trace_haircut, trace_poison
from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import Role


def _now() -> dt.datetime:
    return timezone.now()


# --------------------------------------------------------------------------------------------- reports
def _cents(yuan: Any, what: str) -> int:
    try:
        value = round(float(str(yuan).replace(",", "")) * 100)
    except (TypeError, ValueError):
        raise DomainError(f"{what} {yuan!r} is not an amount in yuan", code="bad_amount",
                          params={"what": what, "value": yuan}) from None
    if value < 0:
        raise DomainError(f"{what} {yuan!r} is negative", code="bad_amount", params={"what": what, "value": yuan})
    return value


@transaction.atomic
def report_create(*, actor, victim_name: str, reported_at: dt.datetime, fraud_type: str, loss_cents: int = 0,
                  victim_phone: str = "", victim_id_number: str = "", victim_address: str = "",
                  occurred_at: dt.datetime | None = None, channel: str = Channel.OTHER, narrative: str = "",
                  transfers: Iterable[Mapping[str, Any]] = (), identifiers: Iterable[Mapping[str, str]] = ()
                  ) -> FraudReport:
    """Record a fraud report taken by the actor's unit, with the victim's transfers (``at``, ``amount_cents``,
    ``to_account``, optional ``from_account``, ``to_name``, ``to_bank``, ``serial``) and the suspect's
    identifiers (``kind``, ``value``, optional ``note``). Raises ``DomainError`` (``bad_fraud_type``,
    ``bad_identifier``, ``bad_amount``, ``victim_required``) or ``PermissionDenied``."""
    access.require_writer(actor, "take fraud reports")
    if fraud_type not in rules.fraud_types():
        raise DomainError(f"unknown fraud type {fraud_type!r}", code="bad_fraud_type", params={"code": fraud_type})
    if not victim_name.strip():
        raise DomainError("the victim's name is required", code="victim_required")
    if channel not in Channel.values:
        channel = Channel.OTHER
    if loss_cents < 0:
        raise DomainError("the loss cannot be negative", code="bad_amount",
                          params={"what": "loss", "value": loss_cents})
    report = FraudReport.objects.create(
        unit=actor.unit, taken_by=actor, victim_name=victim_name.strip(), victim_phone=victim_phone.strip(),
        victim_id_number=victim_id_number.strip(), victim_address=victim_address.strip(), reported_at=reported_at,
        occurred_at=occurred_at, loss_cents=loss_cents, channel=channel, fraud_type=fraud_type, narrative=narrative)
    for t in transfers:
        transfer_add(actor=actor, report=report, **t)
    for i in identifiers:
        identifier_add(actor=actor, report=report, kind=i["kind"], value=i["value"], note=i.get("note", ""))
    audit.record(actor, "create", "FraudReport", report.pk)
    return report


def _require_report_writer(actor, report: FraudReport) -> None:
    access.require_writer(actor, "change fraud reports")
    if not access.visible(actor, FraudReport.objects.filter(pk=report.pk)).exists():
        raise NotFound(f"report {report.pk} not found")


@transaction.atomic
def transfer_add(*, actor, report: FraudReport, at: dt.datetime, amount_cents: int, to_account: str,
                 from_account: str = "", to_name: str = "", to_bank: str = "", serial: str = "") -> VictimTransfer:
    """Add one of the victim's transfers; ``to_account`` is also recorded as a suspect bank account."""
    _require_report_writer(actor, report)
    if amount_cents <= 0:
        raise DomainError("a transfer's amount must be positive", code="bad_amount",
                          params={"what": "transfer", "value": amount_cents})
    try:
        to_key = normalise("bank_account", to_account)
        from_key = normalise("bank_account", from_account) if from_account.strip() else ""
    except IdentifierError as exc:
        raise DomainError(str(exc), code="bad_identifier", params={"kind": "bank_account", "value": to_account,
                                                                   "why": str(exc)}) from None
    t = VictimTransfer.objects.create(report=report, at=at, amount_cents=amount_cents, from_account=from_key,
                                      to_account=to_key, to_name=to_name, to_bank=to_bank, serial=serial)
    SuspectIdentifier.objects.get_or_create(report=report, kind=IdentifierKind.BANK_ACCOUNT, key=to_key,
                                            defaults={"value": to_account, "note": to_name})
    audit.record(actor, "create", "VictimTransfer", t.pk, detail={"report": report.pk})
    return t


@transaction.atomic
def identifier_add(*, actor, report: FraudReport, kind: str, value: str, note: str = "") -> SuspectIdentifier:
    """Add a suspect identifier (normalised for linking). Raises ``DomainError`` ``bad_identifier``."""
    _require_report_writer(actor, report)
    if kind not in KINDS:
        raise DomainError(f"unknown identifier kind {kind!r}", code="bad_identifier",
                          params={"kind": kind, "value": value, "why": "unknown kind"})
    try:
        key = normalise(kind, value)
    except IdentifierError as exc:
        raise DomainError(str(exc), code="bad_identifier", params={"kind": kind, "value": value,
                                                                   "why": str(exc)}) from None
    ident, _ = SuspectIdentifier.objects.get_or_create(report=report, kind=kind, key=key,
                                                       defaults={"value": value.strip(), "note": note})
    audit.record(actor, "create", "SuspectIdentifier", ident.pk, detail={"report": report.pk})
    return ident


# ------------------------------------------------------------------------------------------- statements
@transaction.atomic
def statement_import(*, actor, report: FraudReport, data: bytes, filename: str, account: str = "",
                     bank: str = "") -> Statement:
    """Import one bank statement for ``report``'s case.

    ``account``: the statement's account (else the file's own 账号/卡号 column, which must then hold one
    account). Each row ends accepted or rejected with its reason (``Statement.rejections``); rows whose
    transaction serial is already stored for the account (an overlapping statement) are counted in
    ``duplicates`` and not stored again; ``Statement.gaps`` lists balance discontinuities over all stored rows
    of the account. Raises ``DomainError`` ``unreadable_statement`` (``params["why"]``: a message of its own),
    ``statement_account`` (no or several accounts)."""
    _require_report_writer(actor, report)
    try:
        read = read_statement(data, filename=filename)
    except StatementError as exc:
        raise DomainError(exc.message, code="unreadable_statement", params={"name": filename,
                                                                            "why": exc.as_param()}) from None
    t = read.table
    accounts = {a for a in t.column("account").to_pylist() if a}
    if account.strip():
        try:
            acct = normalise("bank_account", account)
        except IdentifierError as exc:
            raise DomainError(str(exc), code="bad_identifier", params={"kind": "bank_account", "value": account,
                                                                       "why": str(exc)}) from None
    elif len(accounts) == 1:
        acct = re.sub(r"\D", "", accounts.pop())
    else:
        raise DomainError(f"{filename}: say which account the statement is for (the file names "
                          f"{len(accounts)} accounts)", code="statement_account",
                          params={"name": filename, "count": len(accounts)})
    stmt = Statement.objects.create(report=report, account=acct, bank=bank, filename=filename, imported_by=actor,
                                    encoding=read.encoding or "", columns=read.columns, total_rows=read.total_rows)
    rows = t.to_pylist()
    serials = {r["serial"] for r in rows if r["serial"]}
    existing = set(StatementTxn.objects.filter(account=acct, serial__in=serials).values_list("serial", flat=True))
    new = []
    dup = 0
    for r in rows:
        if r["serial"] and r["serial"] in existing:
            dup += 1
            continue
        new.append(StatementTxn(
            statement=stmt, row=r["row"], account=acct, serial=r["serial"],
            at=dt.datetime.fromtimestamp(r["time"], dt.UTC), amount_cents=r["amount"], balance_cents=r["balance"],
            counterparty_account=re.sub(r"[\s\-]", "", r["counterparty_account"])[:40],
            counterparty_name=r["counterparty_name"][:100], counterparty_bank=r["counterparty_bank"][:100],
            summary=r["summary"][:200]))
    StatementTxn.objects.bulk_create(new, batch_size=5000)
    stmt.accepted = len(new)
    stmt.duplicates = dup
    stmt.rejections = [{"row": x.row, "code": x.code, "column": x.column, "value": x.value, "params": dict(x.params)}
                       for x in read.rejected]
    all_rows = list(StatementTxn.objects.filter(account=acct).order_by("at", "statement_id", "row")
                    .values_list("row", "at", "amount_cents", "balance_cents", "statement_id"))
    gaps = balance_gaps([i for i, _ in enumerate(all_rows)], [r[1] for r in all_rows], [r[2] for r in all_rows],
                        [r[3] for r in all_rows])
    stmt.gaps = [{"after_row": all_rows[g.after_row][0], "after_statement": all_rows[g.after_row][4],
                  "before_row": all_rows[g.before_row][0], "before_statement": all_rows[g.before_row][4],
                  "expected": g.expected, "found": g.found, "missing": g.missing} for g in gaps]
    stmt.save(update_fields=["accepted", "duplicates", "rejections", "gaps"])
    audit.record(actor, "import", "Statement", stmt.pk, detail={"report": report.pk, "account": acct,
                                                                "accepted": len(new), "duplicates": dup,
                                                                "rejected": len(read.rejected)})
    return stmt


# ----------------------------------------------------------------------------------------------- traces
CASH_WORDS = re.compile(r"取现|取款|现金|ATM|atm|柜面取")
MERCHANT_WORDS = re.compile(r"消费|POS|pos|商户|购物|快捷支付消费")


def _ledger_for(actor, reports: list[FraudReport]
                ) -> tuple[Ledger, list[str], dict[str, dict], list[Seed], dict[int, int]]:
    """Build the ledger of a case (or series) from the statements the actor may see: accounts (index →
    number), account info (name, bank, kind, has_statement), the seeds (victim transfers) and seed → report."""
    victim_transfers = list(VictimTransfer.objects.filter(report__in=reports).select_related("report")
                            .order_by("at", "id"))
    seen = access.visible(actor, StatementTxn.objects.all())
    stated = set(seen.values_list("account", flat=True).distinct())
    marks = dict(AccountMark.objects.values_list("account", "kind"))
    # the accounts that matter: those with statements reachable from the victims' accounts (all statemented
    # accounts of the case's statements and of any account they pay, so a statement imported for a series
    # counts too)
    txns = list(seen.order_by("at", "id").values_list(
        "account", "at", "amount_cents", "balance_cents", "counterparty_account", "counterparty_name",
        "counterparty_bank", "summary"))
    index: dict[str, int] = {}
    info: dict[str, dict] = {}

    def node(acct: str, **kw) -> int:
        if acct not in index:
            index[acct] = len(index)
            info[acct] = {"name": "", "bank": "", "kind": marks.get(acct, ""), "has_statement": acct in stated}
        for k, v in kw.items():
            if v and not info[acct].get(k):
                info[acct][k] = v
        return index[acct]

    src, dst, amt, tm = [], [], [], []
    first_balance: dict[str, int] = {}
    for acct, at, cents, bal, cp, cp_name, cp_bank, summary in txns:
        a = node(acct)
        if acct not in first_balance and bal is not None:
            first_balance[acct] = bal - cents
        secs = int(at.timestamp())
        if cents < 0:
            if cp:
                b = node(cp, name=cp_name, bank=cp_bank)
            elif CASH_WORDS.search(summary or ""):
                b = node("CASH", kind="cash")
            elif MERCHANT_WORDS.search(summary or ""):
                b = node(f"MERCHANT:{cp_name or summary}", kind="merchant", name=cp_name or summary)
            else:
                b = node(f"UNKNOWN:{summary}", name=summary)
            src.append(a)
            dst.append(b)
            amt.append(-cents)
            tm.append(secs)
        elif cents > 0:
            if cp and cp in stated:
                continue  # the payer's statement has this transfer as its debit
            b = node(cp or f"DEPOSIT:{summary}", name=cp_name, bank=cp_bank)
            src.append(b)
            dst.append(a)
            amt.append(cents)
            tm.append(secs)
    seeds: list[Seed] = []
    seed_report: dict[int, int] = {}
    for vt in victim_transfers:
        to = node(vt.to_account, name=vt.to_name, bank=vt.to_bank)
        secs = int(vt.at.timestamp())
        match = None
        if info[vt.to_account]["has_statement"]:
            for i in range(len(src)):
                if (dst[i] == to and amt[i] == vt.amount_cents and abs(tm[i] - secs) <= 86_400
                        and i not in seed_report):
                    match = i
                    break
        if match is None:
            v = node(f"VICTIM:{vt.report_id}:{vt.from_account or vt.pk}", name=vt.report.victim_name)
            src.append(v)
            dst.append(to)
            amt.append(vt.amount_cents)
            tm.append(secs)
            match = len(src) - 1
        seeds.append(Seed(match, None, vt.report_id))
        seed_report[match] = vt.report_id
    accounts = list(index)
    n = len(accounts)
    kind = np.zeros(n, np.int8)
    has = np.zeros(n, bool)
    opening = np.zeros(n, np.int64)
    kinds = {"cash": NodeKind.CASH, "merchant": NodeKind.MERCHANT, "exchange": NodeKind.EXCHANGE}
    for acct, i in index.items():
        kind[i] = kinds.get(info[acct]["kind"], NodeKind.NORMAL)
        has[i] = info[acct]["has_statement"] or acct.startswith("VICTIM:")
        opening[i] = max(first_balance.get(acct, 0), 0)
    ledger = Ledger(src, dst, amt, tm, n_accounts=n, opening=opening, kind=kind, has_statement=has)
    return ledger, accounts, info, seeds, seed_report


@transaction.atomic
def trace_run(*, actor, report: FraudReport, method: str = TraceMethod.FIFO, max_hops: int = 5,
              label_params: LabelParams | None = None) -> TraceRun:
    """Trace the victims' money of ``report`` and of the reports linked to it in a series (those the actor
    may see) through the stored statements. Stores and returns the :class:`TraceRun`; ``result`` holds
    ``holdings`` (accounts holding the money, with per-report amounts: the freeze candidates), ``stops``
    (cash, merchants, exchanges), ``next_queries`` (accounts without a statement yet), ``beyond_limit``,
    ``paths`` (the 200 largest), ``edges`` (per account pair, for the drawing), ``victims`` (the accounts the
    victims paid from) and ``labels``. Raises
    ``DomainError`` ``no_transfers`` / ``bad_method`` / ``bad_hops``."""
    from pingan.antifraud.selectors import series_of

    _require_report_writer(actor, report)
    if method not in TraceMethod.values:
        raise DomainError(f"unknown tracing rule {method!r}", code="bad_method", params={"method": method})
    if not 1 <= max_hops <= 10:
        raise DomainError("the hop limit must be 1–10", code="bad_hops", params={"hops": max_hops})
    reports = [report] + [r for r, _why in series_of(actor=actor, report=report, audit_read=False)]
    if not VictimTransfer.objects.filter(report__in=reports).exists():
        raise DomainError(f"report {report.pk} has no victim transfer to trace", code="no_transfers",
                          params={"report": report.pk})
    ledger, accounts, info, seeds, _seed_report = _ledger_for(actor, reports)
    result: dict[str, Any] = {"method": method, "max_hops": max_hops, "reports": [r.pk for r in reports],
                              "victims": sorted({accounts[int(ledger.src[s.transfer])] for s in seeds})}

    def kind_of(i: int) -> str:
        a = accounts[i]
        if info[a]["kind"]:
            return info[a]["kind"]
        return "no_statement" if not info[a]["has_statement"] else "account"

    def acct_row(i: int, cents: float, **extra) -> dict:
        a = accounts[i]
        return {"account": a, "name": info[a]["name"], "bank": info[a]["bank"], "kind": kind_of(i),
                "cents": round(cents), **extra}

    if method == TraceMethod.FIFO:
        tr = trace_fifo(ledger, seeds, max_hops=max_hops)
        victims = tr.edges["victim"]
        per_victim: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for row, cents in tr.held_rows:
            acct = int(ledger.dst[tr.edges["transfer"][row]])
            per_victim[acct][int(victims[row])] += cents
        result["input_cents"] = tr.input
        result["conserved"] = tr.check_conservation()
        result["holdings"] = [acct_row(i, c, victims={str(k): v for k, v in per_victim[i].items()})
                              for i, c in sorted(tr.held.items(), key=lambda kv: -kv[1])]
        stopped = tr.stopped
        beyond = tr.beyond_limit
        taint = tr.transfer_taint()
        hop_of = dict(zip(tr.edges["transfer"].tolist(), tr.edges["hop"].tolist(), strict=True))
        ends = [(r, c, "held") for r, c in tr.held_rows] + [(r, c, "stopped") for r, c in tr.stopped_rows]
        ends.sort(key=lambda x: -x[1])
        result["paths"] = [{"cents": c, "end": end, "hops": [
            {"from": accounts[int(ledger.src[t])], "to": accounts[int(ledger.dst[t])],
             "at": int(ledger.time[t]), "amount": int(ledger.amount[t])} for t in tr.path(r)]}
            for r, c, end in ends[:200]]
        reached = tr.reached
    elif method == TraceMethod.HAIRCUT:
        tr = trace_haircut(ledger, seeds, max_hops=max_hops)
        result["input_cents"] = round(tr.input)
        total = sum(tr.held.values()) + sum(tr.stopped.values()) + sum(tr.beyond_limit.values())
        result["conserved"] = abs(total - tr.input) < 1e-6 * max(tr.input, 1)
        result["holdings"] = [acct_row(i, c) for i, c in sorted(tr.held.items(), key=lambda kv: -kv[1]) if c >= 1]
        stopped, beyond, taint = tr.stopped, tr.beyond_limit, tr.transfer_taint
        hop_of = {}
        result["paths"] = []
        reached = tr.reached
    else:
        tp = trace_poison(ledger, seeds, max_hops=max_hops)
        result["input_cents"] = int(sum(ledger.amount[s.transfer] for s in seeds))
        result["conserved"] = None
        result["holdings"] = [acct_row(i, 0, hops=h) for i, h in sorted(tp.hops.items(), key=lambda kv: kv[1])]
        stopped, beyond, taint, hop_of = {}, {}, {}, {}
        result["paths"] = []
        reached = tp.reached
    result["stops"] = [acct_row(i, c) for i, c in sorted(stopped.items(), key=lambda kv: -kv[1])
                       if kind_of(i) != "no_statement"]
    result["next_queries"] = [acct_row(i, c) for i, c in sorted(stopped.items(), key=lambda kv: -kv[1])
                              if kind_of(i) == "no_statement"]
    result["beyond_limit"] = [acct_row(i, c) for i, c in sorted(beyond.items(), key=lambda kv: -kv[1])]
    pairs: dict[tuple[str, str], dict] = {}
    for t, c in taint.items():
        key = (accounts[int(ledger.src[t])], accounts[int(ledger.dst[t])])
        e = pairs.setdefault(key, {"from": key[0], "to": key[1], "cents": 0, "hop": hop_of.get(t, 0)})
        e["cents"] += round(c)
        e["hop"] = min(e["hop"], hop_of.get(t, e["hop"])) if e["hop"] else hop_of.get(t, 0)
    result["edges"] = sorted(pairs.values(), key=lambda e: -e["cents"])[:500]
    params = label_params or LabelParams()
    labels = account_labels(ledger, [i for i in reached if info[accounts[i]]["has_statement"]], params)
    result["labels"] = {accounts[i]: v for i, v in labels.items()}
    run = TraceRun.objects.create(report=report, method=method, max_hops=max_hops, result=result, created_by=actor)
    audit.record(actor, "trace", "FraudReport", report.pk, detail={"trace": run.pk, "method": method})
    return run


# ----------------------------------------------------------------------------------------------- orders
def _event(order: Order, actor, action: str, before: str, detail: dict | None = None, at=None) -> None:
    kept = dict(detail or {})
    if actor is None:  # what acted (the deadline task, a command), shown in the order's history (issue 11)
        kept["agent"] = audit.current_agent().as_detail()
    OrderEvent.objects.create(order=order, at=at or _now(), actor=actor, action=action, from_status=before,
                              to_status=order.status, detail=kept)
    audit.record(actor, action, "Order", order.pk, detail={"from": before, "to": order.status, **(detail or {})})


ACTIVE = (OrderStatus.IN_FORCE, OrderStatus.EXPIRING)


def _stops_used(account: str) -> int:
    return Order.objects.filter(kind=OrderKind.STOP_PAYMENT, account=account).exclude(
        status__in=[OrderStatus.DRAFT, OrderStatus.FAILED]).count()


@transaction.atomic
def order_draft(*, actor, report: FraudReport, kind: str, account: str, amount_cents: int, account_name: str = "",
                bank: str = "", major: bool = False, trace: TraceRun | None = None,
                renewal_of: Order | None = None) -> Order:
    """Draft a stop-payment or freeze of ``account`` for ``amount_cents``. Raises ``DomainError``
    ``stop_payment_limit`` (a third stop-payment of the account: 银发〔2016〕86号 allows two), ``bad_amount``,
    ``bad_order_kind``."""
    _require_report_writer(actor, report)
    if kind not in OrderKind.values:
        raise DomainError(f"unknown order kind {kind!r}", code="bad_order_kind", params={"kind": kind})
    if amount_cents <= 0:
        raise DomainError("the amount must be positive", code="bad_amount", params={"what": "order",
                                                                                   "value": amount_cents})
    acct = normalise("bank_account", account) if account and not account.startswith(("CASH", "MERCHANT")) else ""
    if not acct:
        raise DomainError(f"{account!r} is not a bank account that can be stopped or frozen",
                          code="bad_identifier", params={"kind": "bank_account", "value": account,
                                                         "why": "not a bank account"})
    v = rules.legal()
    drafts_pending = Order.objects.filter(kind=OrderKind.STOP_PAYMENT, account=acct, status=OrderStatus.DRAFT)
    if kind == OrderKind.STOP_PAYMENT and not rules.stop_payment_allowed(_stops_used(acct) + drafts_pending.count(), v):
        limit = v["stop_payment"]["max_per_account"]
        raise DomainError(f"account {acct} has had {limit} emergency stop-payments, the most allowed; freeze it "
                          f"instead ({v['stop_payment']['citation_en']})", code="stop_payment_limit",
                          params={"account": acct, "limit": limit})
    order = Order.objects.create(report=report, trace=trace, kind=kind, account=acct, account_name=account_name,
                                 bank=bank, amount_cents=amount_cents, major=major, basis_version=v.id,
                                 drafted_by=actor, renewal_of=renewal_of)
    _event(order, actor, "draft", "", {"amount_cents": amount_cents})
    return order


@transaction.atomic
def orders_from_trace(*, actor, trace: TraceRun, kind: str = OrderKind.STOP_PAYMENT,
                      min_cents: int = 100) -> list[Order]:
    """Draft one order per account holding at least ``min_cents`` of the victims' money in ``trace``
    (skipping accounts that already have an order of this kind in draft or in force)."""
    out = []
    for h in trace.result.get("holdings", []):
        if h["cents"] < min_cents or h["kind"] != "account":
            continue
        busy = Order.objects.filter(account=h["account"], kind=kind).exclude(
            status__in=[OrderStatus.FAILED, OrderStatus.EXPIRED, OrderStatus.LAPSED, OrderStatus.LIFTED,
                        OrderStatus.RENEWED])
        if busy.exists():
            continue
        try:
            out.append(order_draft(actor=actor, report=trace.report, kind=kind, account=h["account"],
                                   amount_cents=h["cents"], account_name=h.get("name", ""), bank=h.get("bank", ""),
                                   trace=trace))
        except DomainError as exc:
            if exc.code not in ("stop_payment_limit", "bad_identifier"):
                raise
    return out


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _require_status(order: Order, *allowed: str) -> None:
    if order.status not in allowed:
        raise DomainError(f"order {order.pk} is {order.status}; this step needs {' or '.join(allowed)}",
                          code="order_state", params={"order": order.pk, "status": OrderStatus(order.status)})


@transaction.atomic
def order_approve(*, actor, order: Order) -> Order:
    """Approve a draft: a station chief of the centre or of the report's unit, not the drafter (four eyes)."""
    order = _lock(order)
    if actor.role != Role.STATION_CHIEF or not access.visible(actor, Order.objects.filter(pk=order.pk)).exists():
        raise PermissionDenied("only a station chief of the centre or of the report's unit approves orders",
                               message_id="order_approve_not_allowed")
    if actor.pk == order.drafted_by_id:
        raise PermissionDenied("four-eyes rule: the drafter cannot approve their own order",
                               message_id="order_four_eyes")
    _require_status(order, OrderStatus.DRAFT)
    before = order.status
    order.status, order.approved_by, order.approved_at = OrderStatus.APPROVED, actor, _now()
    order.save(update_fields=["status", "approved_by", "approved_at"])
    _event(order, actor, "approve", before)
    return order


@transaction.atomic
def order_send(*, actor, order: Order, at: dt.datetime | None = None) -> Order:
    """Record that the approved order was sent to the bank (through the 管理平台 or on paper)."""
    _require_report_writer(actor, order.report)
    order = _lock(order)
    _require_status(order, OrderStatus.APPROVED)
    before = order.status
    order.status, order.sent_at = OrderStatus.SENT, at or _now()
    order.save(update_fields=["status", "sent_at"])
    _event(order, actor, "send", before)
    return order


@transaction.atomic
def order_feedback(*, actor, order: Order, feedback: str, executed_cents: int | None = None,
                   effective_at: dt.datetime | None = None) -> Order:
    """Record the bank's answer. ``done``/``insufficient``: in force from ``effective_at`` (default now) until
    the legal deadline (``executed_cents``: what the bank could stop or freeze); ``name_mismatch``: not
    executed; ``already_frozen`` (freeze): queued behind the other authority's freeze (轮候, Art. 242).
    A renewal that takes effect extends the order it renews, which becomes ``renewed``; a renewal answered
    after that order expired is refused (``renewal_too_late``)."""
    _require_report_writer(actor, order.report)
    order = _lock(order)
    _require_status(order, OrderStatus.SENT)
    if feedback not in Feedback.values:
        raise DomainError(f"unknown bank feedback {feedback!r}", code="bad_feedback", params={"feedback": feedback})
    v = rules.legal(version=order.basis_version)
    at = effective_at or _now()
    before = order.status
    order.feedback = feedback
    if feedback == Feedback.NAME_MISMATCH:
        order.status = OrderStatus.FAILED
    elif feedback == Feedback.ALREADY_FROZEN:
        if order.kind != OrderKind.FREEZE:
            order.status = OrderStatus.FAILED
        else:
            order.status = OrderStatus.QUEUED
            order.queued_behind = Order.objects.filter(account=order.account, kind=OrderKind.FREEZE,
                                                       status__in=ACTIVE).exclude(pk=order.pk).first()
    else:
        order.executed_cents = order.amount_cents if executed_cents is None else executed_cents
        order.effective_at = at
        if order.kind == OrderKind.STOP_PAYMENT:
            order.expires_at = rules.stop_payment_expiry(at, v)
        elif order.renewal_of_id:
            old = _lock(order.renewal_of)
            try:
                order.expires_at = rules.freeze_renewal_expiry(old.expires_at, at, v, major=order.major)
            except ValueError:
                raise DomainError(f"freeze {old.pk} expired at {old.expires_at:%Y-%m-%d %H:%M} UTC; it lapsed and "
                                  "cannot be renewed — draft a new freeze", code="renewal_too_late",
                                  params={"order": old.pk}) from None
            old_before = old.status
            old.status = OrderStatus.RENEWED
            old.save(update_fields=["status"])
            _event(old, actor, "renewed", old_before, {"by": order.pk})
        else:
            order.expires_at = rules.freeze_expiry(at, v, major=order.major)
        order.status = OrderStatus.IN_FORCE
    order.save(update_fields=["status", "feedback", "executed_cents", "effective_at", "expires_at", "queued_behind"])
    _event(order, actor, "feedback", before, {"feedback": feedback, "executed_cents": order.executed_cents})
    _schedule(order)
    return order


def _schedule(order: Order) -> None:
    """Enqueue the order's reminder and expiry runs of the deadline clock once the transaction commits."""
    from pingan.antifraud import tasks  # tasks imports services

    if order.expires_at:
        transaction.on_commit(lambda: tasks.schedule_deadlines(order))


@transaction.atomic
def order_renew(*, actor, order: Order) -> Order:
    """Draft the renewal of a freeze in force (before it expires: Art. 240), or a second stop-payment
    (at most two per account). Raises ``renewal_too_late`` after expiry."""
    _require_report_writer(actor, order.report)
    order = _lock(order)
    _require_status(order, *ACTIVE)
    if order.expires_at and _now() >= order.expires_at:
        raise DomainError(f"order {order.pk} has expired and cannot be renewed", code="renewal_too_late",
                          params={"order": order.pk})
    return order_draft(actor=actor, report=order.report, kind=order.kind, account=order.account,
                       amount_cents=order.executed_cents or order.amount_cents, account_name=order.account_name,
                       bank=order.bank, major=order.major, trace=order.trace,
                       renewal_of=order if order.kind == OrderKind.FREEZE else None)


def _promote_queue(order: Order, actor, at: dt.datetime) -> None:
    """The earliest queued freeze behind ``order`` takes effect (civil-execution rule, by analogy)."""
    nxt = Order.objects.select_for_update().filter(queued_behind=order, status=OrderStatus.QUEUED).order_by(
        "sent_at", "id").first()
    if nxt is None:
        return
    v = rules.legal(version=nxt.basis_version)
    before = nxt.status
    nxt.status, nxt.effective_at = OrderStatus.IN_FORCE, at
    nxt.expires_at = rules.freeze_expiry(at, v, major=nxt.major)
    nxt.executed_cents = nxt.amount_cents
    nxt.save(update_fields=["status", "effective_at", "expires_at", "executed_cents"])
    _event(nxt, actor, "promoted", before, {"after": order.pk, "note": v["freeze"]["queue_promotion_note_en"]})
    _schedule(nxt)


@transaction.atomic
def order_lift(*, actor, order: Order, reason: str) -> Order:
    """Lift an order in force (e.g. unrelated to the case: within 3 days, Art. 247; or after the return)."""
    _require_report_writer(actor, order.report)
    if not reason.strip():
        raise DomainError("give the reason for lifting", code="reason_required", message_id="lift_reason_required")
    order = _lock(order)
    _require_status(order, *ACTIVE, OrderStatus.QUEUED)
    before = order.status
    order.status = OrderStatus.LIFTED
    order.save(update_fields=["status"])
    _event(order, actor, "lift", before, {"reason": reason})
    _promote_queue(order, actor, _now())
    return order


@transaction.atomic
def orders_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The deadline clock (run by the task every few minutes): orders in force within the reminder lead
    become ``expiring`` (a reminder event); stop-payments past their end become ``expired``, freezes
    ``lapsed`` (Art. 240), and a queued freeze behind them takes effect. Returns counts per change."""
    now = now or _now()
    pol = rules.policy()
    counts = {"expiring": 0, "expired": 0, "lapsed": 0}
    due = Order.objects.select_for_update().filter(status__in=ACTIVE, expires_at__isnull=False)
    for order in due:
        before = order.status
        if order.expires_at <= now:
            order.status = OrderStatus.EXPIRED if order.kind == OrderKind.STOP_PAYMENT else OrderStatus.LAPSED
            order.save(update_fields=["status"])
            _event(order, None, "expire", before, at=now)
            counts[order.status] += 1
            if order.kind == OrderKind.FREEZE:
                _promote_queue(order, None, now)
            continue
        lead = (dt.timedelta(hours=pol["stop_payment_remind_hours"]) if order.kind == OrderKind.STOP_PAYMENT
                else dt.timedelta(days=pol["freeze_remind_days"]))
        if order.status == OrderStatus.IN_FORCE and order.expires_at - lead <= now:
            order.status = OrderStatus.EXPIRING
            order.save(update_fields=["status"])
            _event(order, None, "remind", before, {"expires_at": order.expires_at.isoformat()}, at=now)
            counts["expiring"] += 1
    expired_blocks = Block.objects.filter(status=BlockStatus.ACTIVE, expires_at__lte=now)
    counts["blocks_expired"] = expired_blocks.update(status=BlockStatus.EXPIRED)
    return counts


@transaction.atomic
def return_plan_create(*, actor, order: Order) -> ReturnPlan:
    """Plan the return of a freeze's money (2016 rule Art. 8): what the FIFO trace attributes to each victim
    goes back directly; the rest pro-rata to the remaining losses, after a 30-day public notice; the bank then
    has 3 working days (Art. 12). Raises ``order_state`` unless the freeze is in force."""
    _require_report_writer(actor, order.report)
    _require_status(order, *ACTIVE)
    if order.kind != OrderKind.FREEZE:
        raise DomainError("money is returned from a freeze, not a stop-payment", code="order_state",
                          params={"order": order.pk, "status": OrderStatus(order.status)})
    frozen = order.executed_cents or order.amount_cents
    direct: dict[str, int] = {}
    if order.trace and order.trace.method == TraceMethod.FIFO:
        for h in order.trace.result.get("holdings", []):
            if h["account"] == order.account:
                direct = {k: int(v) for k, v in h.get("victims", {}).items()}
    reports = order.trace.result.get("reports", [order.report_id]) if order.trace else [order.report_id]
    losses = {str(r.pk): r.loss_cents or 0 for r in FraudReport.objects.filter(pk__in=reports)}
    for k, v in direct.items():
        losses[k] = max(losses.get(k, 0), v)
    shares = rules.return_allocation(frozen, direct, losses)
    pro_rata = any(not s.direct for s in shares)
    v = rules.legal(version=order.basis_version)
    today = timezone.localdate()
    notice_until = today + dt.timedelta(days=int(v["return"]["notice_days"])) if pro_rata else None
    bank_due = rules.add_working_days(notice_until or today, int(v["return"]["bank_working_days"]))
    plan = ReturnPlan.objects.create(order=order, shares=[{"victim_report": int(s.victim), "cents": s.cents,
                                                           "direct": s.direct} for s in shares],
                                     pro_rata=pro_rata, notice_until=notice_until, bank_due=bank_due,
                                     created_by=actor)
    audit.record(actor, "return_plan", "Order", order.pk, detail={"plan": plan.pk, "pro_rata": pro_rata})
    return plan


# ----------------------------------------------------------------------------------------------- blocks
@transaction.atomic
def block_create(*, actor, kind: str, value: str, reason: str, evidence: str, expires_at: dt.datetime | None = None,
                 report: FraudReport | None = None) -> Block:
    """Block a phone number, domain/URL or app. Reason and evidence are required (Art. 32: the subject is
    told the reason). Raises ``bad_identifier``, ``reason_required``, ``evidence_required``, ``already_blocked``."""
    access.require_centre(actor, "block numbers, domains and apps")
    if not reason.strip():
        raise DomainError("give the reason for the block", code="reason_required", message_id="block_reason_required")
    if not evidence.strip():
        raise DomainError("describe the evidence for the block", code="evidence_required")
    ident_kind = "domain" if kind in ("domain", "url") else kind
    try:
        key = normalise(ident_kind, value)
    except IdentifierError as exc:
        raise DomainError(str(exc), code="bad_identifier", params={"kind": kind, "value": value,
                                                                   "why": str(exc)}) from None
    same = ("domain", "url") if ident_kind == "domain" else (kind,)
    if Block.objects.filter(kind__in=same, key=key, status=BlockStatus.ACTIVE).exists():
        raise DomainError(f"{key} is already blocked", code="already_blocked", params={"value": key})
    try:
        with transaction.atomic():
            block = Block.objects.create(kind=kind, value=value.strip(), key=key, reason=reason.strip(),
                                         evidence=evidence.strip(), expires_at=expires_at, report=report,
                                         basis_version=rules.legal().id, created_by=actor)
    except IntegrityError:
        raise DomainError(f"{key} is already blocked", code="already_blocked", params={"value": key}) from None
    audit.record(actor, "block", "Block", block.pk, detail={"kind": kind, "key": key})
    return block


def _lift(block: Block, actor, reason: str) -> None:
    block.status, block.lifted_at, block.lifted_by, block.lift_reason = BlockStatus.LIFTED, _now(), actor, reason
    block.save(update_fields=["status", "lifted_at", "lifted_by", "lift_reason"])
    audit.record(actor, "unblock", "Block", block.pk, detail={"reason": reason})


@transaction.atomic
def block_lift(*, actor, block: Block, reason: str) -> Block:
    access.require_centre(actor, "lift blocks")
    if block.status != BlockStatus.ACTIVE:
        raise DomainError(f"block {block.pk} is not active", code="block_not_active", params={"block": block.pk})
    if not reason.strip():
        raise DomainError("give the reason for lifting", code="reason_required", message_id="lift_reason_required")
    _lift(block, actor, reason.strip())
    return block


@transaction.atomic
def appeal_file(*, actor, block: Block, appellant: str, contact: str, reason: str,
                documents: list[str]) -> Appeal:
    """Record an appeal received by the centre (in person, by phone or in writing: Art. 32)."""
    access.require_centre(actor, "record appeals")
    if not appellant.strip() or not contact.strip() or not reason.strip():
        raise DomainError("an appeal needs the appellant, a contact and the reason", code="appeal_incomplete")
    appeal = Appeal.objects.create(block=block, appellant=appellant.strip(), contact=contact.strip(),
                                   reason=reason.strip(), documents=[d for d in documents if d.strip()],
                                   received_by=actor)
    audit.record(actor, "appeal", "Block", block.pk, detail={"appeal": appeal.pk})
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, upheld: bool, note: str = "") -> Appeal:
    """Decide an appeal; an upheld appeal lifts the block at once (Art. 32)."""
    access.require_centre(actor, "decide appeals")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise DomainError(f"appeal {appeal.pk} was already decided", code="already_decided",
                          message_id="appeal_decided", params={"appeal": appeal.pk,
                                                               "status": AppealStatus(appeal.status)})
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, _now(), note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor, "appeal_decide", "Block", appeal.block_id, detail={"appeal": appeal.pk, "upheld": upheld})
    block = Block.objects.select_for_update().get(pk=appeal.block_id)
    if upheld and block.status == BlockStatus.ACTIVE:
        _lift(block, actor, f"appeal {appeal.pk} upheld: {note}".strip())
    return appeal


# --------------------------------------------------------------------------------------------- warnings
class SmsGateway(Protocol):
    """Sends one SMS; returns the gateway's reference (used by its delivery receipt)."""

    def send(self, *, message: SmsMessage) -> str: ...


class OutboxGateway:
    """The embedded default: the outbox *is* the gateway. ``send`` marks the message sent with a reference;
    a carrier connector (or ``pingan antifraud sms-receipt``) posts the delivery receipt later."""

    def send(self, *, message: SmsMessage) -> str:
        return f"outbox-{uuid.uuid4().hex[:16]}"


def gateway() -> SmsGateway:
    return OutboxGateway()


def watchlist():
    """The :class:`~pingan.antifraud.detect.Watchlist` of every reported identifier and active block."""
    from pingan.antifraud.detect import Watchlist

    items = [(k, key, f"report:{r}") for k, key, r in SuspectIdentifier.objects.values_list("kind", "key", "report_id")]
    items += [("domain" if k == "url" else k, key, f"block:{b}") for k, key, b in
              Block.objects.filter(status=BlockStatus.ACTIVE).values_list("kind", "key", "id")]
    return Watchlist.of(items)


def _fraud_type_of(ref: str) -> str:
    if ref.startswith("report:"):
        return FraudReport.objects.filter(pk=int(ref.split(":")[1])).values_list("fraud_type", flat=True).first() or ""
    if ref.startswith("block:"):
        block = Block.objects.filter(pk=int(ref.split(":")[1])).select_related("report").first()
        return block.report.fraud_type if block and block.report else ""
    return ""


@transaction.atomic
def warning_create(*, person_phone: str, contact_kind: str, counterpart_kind: str, counterpart: str, listed_by: str,
                   person_name: str = "", person_address: str = "", adcode: str = "", attempted_cents: int = 0,
                   source: ContactImport | None = None, now: dt.datetime | None = None, actor=None) -> Warning | None:
    """Warn the person at the other end of a contact with a listed identifier, unless they were warned within
    ``warning_window_days`` (then ``None``). The channel follows ``policy.toml``: a transfer → a call by the
    centre (due now); an app install → a face-to-face warning by the station of the person's address (due in
    ``face_to_face_due_hours``; the centre calls when no station covers the address); a call or SMS → a
    warning SMS through the gateway."""
    from pingan.core.services import unit_for_adcode

    now = now or _now()
    pol = rules.policy()
    try:
        phone = normalise("phone", person_phone)
    except IdentifierError as exc:
        raise DomainError(str(exc), code="bad_identifier", params={"kind": "phone", "value": person_phone,
                                                                   "why": str(exc)}) from None
    since = now - dt.timedelta(days=int(pol["warning_window_days"]))
    if Warning.objects.filter(person_phone=phone, created_at__gte=since).exists():
        return None
    centre = access.centre_unit()
    if centre is None:
        raise DomainError(f"the anti-fraud centre unit {access.centre_code()} does not exist", code="no_centre",
                          params={"code": access.centre_code()})
    channel = {"transfer": WarningChannel.CALL, "app": WarningChannel.FACE_TO_FACE}.get(contact_kind,
                                                                                          WarningChannel.SMS)
    unit, due = centre, now
    if channel == WarningChannel.FACE_TO_FACE:
        try:
            unit = unit_for_adcode(adcode) if adcode else None
        except DomainError:
            unit = None
        if unit is None:
            channel, unit = WarningChannel.CALL, centre
        else:
            due = now + dt.timedelta(hours=int(pol["face_to_face_due_hours"]))
    w = Warning.objects.create(unit=unit, person_phone=phone, person_name=person_name, person_address=person_address,
                               adcode=adcode, channel=channel, contact_kind=contact_kind,
                               counterpart_kind=counterpart_kind, counterpart=counterpart, listed_by=listed_by,
                               fraud_type=_fraud_type_of(listed_by), attempted_cents=attempted_cents, source=source,
                               created_at=now, due_at=due)
    if channel == WarningChannel.SMS:
        names = rules.fraud_types().get(w.fraud_type) or {"zh": "电信网络"}
        msg = SmsMessage.objects.create(warning=w, phone=phone, text=pol["sms_text_zh"].format(type=names["zh"]),
                                        created_at=now)
        msg.gateway_ref = gateway().send(message=msg)
        msg.status, msg.sent_at = SmsStatus.SENT, now
        msg.save(update_fields=["gateway_ref", "status", "sent_at"])
    # the person warned (the phone the warning and its text message go to): an auditor's phone search finds it
    audit.record(actor, "warn", "Warning", w.pk, detail={"channel": channel, "listed_by": listed_by},
                 subjects=warning_subjects(w))
    return w


@transaction.atomic
def sms_receipt(*, gateway_ref: str, delivered: bool, at: dt.datetime | None = None) -> SmsMessage:
    """Record a delivery receipt. Raises ``NotFound`` for an unknown reference."""
    msg = SmsMessage.objects.select_for_update().filter(gateway_ref=gateway_ref).first()
    if msg is None:
        raise NotFound(f"no SMS with gateway reference {gateway_ref}")
    msg.status = SmsStatus.DELIVERED if delivered else SmsStatus.FAILED
    msg.receipt_at = at or _now()
    msg.save(update_fields=["status", "receipt_at"])
    return msg


CONTACT_COLUMNS = {
    "time": ("时间", "通话时间", "交易时间", "time"),
    "phone": ("用户号码", "本机号码", "手机号", "phone", "person_phone"),
    "name": ("姓名", "用户姓名", "name"),
    "address": ("地址", "住址", "address"),
    "adcode": ("区划代码", "adcode"),
    "kind": ("类型", "记录类型", "kind"),
    "counterpart": ("对端", "对方号码", "对方账号", "域名", "应用", "counterpart"),
    "counterpart_kind": ("对端类型", "counterpart_kind"),
    "amount": ("金额", "交易金额", "amount"),
}
CONTACT_KINDS = ("call", "sms", "transfer", "app")


@transaction.atomic
def contacts_import(*, actor, data: bytes, filename: str) -> ContactImport:
    """Import a batch of contact records (CSV, UTF-8 or GBK; headers in ``CONTACT_COLUMNS``) and warn the
    people whose counterpart is a listed identifier. Every row ends accepted (matched or not) or rejected
    with its reason (``ContactImport.rejections``)."""
    from pingan.antifraud.detect import check
    from pingan.lib import csvlines, textchars
    from pingan.screening import roster as _roster

    access.require_centre(actor, "import contact records")
    meta = _roster.RosterMeta(filename=filename, format="csv")
    try:
        text = _roster._csv_text(data, filename, meta)
    except _roster.RosterError as exc:
        raise DomainError(exc.message, code="unreadable_statement", params={"name": filename,
                                                                            "why": exc.as_param()}) from None
    # line by line: a stray quote rejects its line instead of merging the rows below into one cell
    items = iter(csvlines.scan(text, meta.delimiter or ","))
    first = next((it for it in items if isinstance(it, csvlines.Record)), None)
    header = first.cells if first is not None else []
    keys = {_roster._header_key(a): f for f, al in CONTACT_COLUMNS.items() for a in al}
    cols = {keys[_roster._header_key(h)]: j for j, h in enumerate(header) if _roster._header_key(h) in keys}
    missing = [c for c in ("phone", "kind", "counterpart", "counterpart_kind") if c not in cols]
    if missing:
        raise DomainError(f"{filename}: missing columns {', '.join(missing)}", code="contact_columns",
                          params={"name": filename, "columns": missing})
    imp = ContactImport.objects.create(filename=filename, imported_by=actor)
    wl = watchlist()
    rejections, total, matched, warned, suppressed = [], 0, 0, 0, 0
    for item in items:
        rownum = item.line
        if isinstance(item, csvlines.QuoteProblem):
            total += 1
            j = item.column
            rejections.append({"row": rownum, "code": "bad_quote",
                               "value": header[j].strip() if j < len(header) else _roster.column_letter(j),
                               "kind": item.kind, "until": item.until})
            continue
        cells = [textchars.strip_invisible(c) for c in item.cells]  # zero-width characters from copy-paste
        if not any(c.strip() for c in cells):
            continue
        total += 1
        odd = next(((j, us) for j, c in enumerate(cells)
                    if (us := textchars.find_all_unsafe(c, allow_newlines=False))), None)
        if odd is not None:  # control or bidi characters (pingan.lib.textchars): every one named, never echoed
            j = odd[0]
            rejections.append({"row": rownum, "code": "control_character",
                               "value": " ".join(u.code for u in odd[1]),  # "U+202E U+001B", as Unicode writes them
                               "column": header[j].strip() if j < len(header) else _roster.column_letter(j)})
            continue

        def get(f: str, cells=cells) -> str:
            j = cols.get(f)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        kind = get("kind").lower()
        ck = get("counterpart_kind").lower()
        if kind not in CONTACT_KINDS:
            rejections.append({"row": rownum, "code": "bad_kind", "value": get("kind")})
            continue
        if ck not in IdentifierKind.values:
            rejections.append({"row": rownum, "code": "bad_counterpart_kind", "value": get("counterpart_kind")})
            continue
        try:
            normalise("phone", get("phone"))
        except IdentifierError:
            rejections.append({"row": rownum, "code": "bad_phone", "value": get("phone")})
            continue
        amount = 0
        if get("amount"):
            try:
                amount = _cents(get("amount"), "amount")
            except DomainError:
                rejections.append({"row": rownum, "code": "bad_amount", "value": get("amount")})
                continue
        hit = check({"kind": kind, "counterpart": get("counterpart"), "counterpart_kind": ck}, wl)
        if hit is None:
            continue
        matched += 1
        w = warning_create(person_phone=get("phone"), contact_kind=kind, counterpart_kind=ck,
                           counterpart=get("counterpart"), listed_by=hit.listed_by, person_name=get("name"),
                           person_address=get("address"), adcode=get("adcode"), attempted_cents=amount,
                           source=imp, actor=actor)
        if w is None:
            suppressed += 1
        else:
            warned += 1
    imp.total_rows, imp.matched, imp.warned, imp.suppressed, imp.rejections = (total, matched, warned, suppressed,
                                                                                rejections)
    imp.save(update_fields=["total_rows", "matched", "warned", "suppressed", "rejections"])
    audit.record(actor, "import", "ContactImport", imp.pk, detail={"matched": matched, "warned": warned})
    return imp


@transaction.atomic
def realtime_event(event: Mapping[str, Any], *, raise_alert: bool = True):
    """The real-time seam: one event (see :mod:`pingan.antifraud.detect`) checked against the watchlist.
    A hit raises an alert in the alerts app (P1 for a transfer, routed to the anti-fraud centre:
    :mod:`pingan.antifraud.alerting`), creates the warning (a transfer: a call, due now) and returns the
    ``Detection``; ``None`` when nothing is listed."""
    from pingan.antifraud.alerting import alert_raise
    from pingan.antifraud.detect import check

    hit = check(event, watchlist())
    if hit is None:
        return None
    if raise_alert:
        alert_raise(hit)
    person = str(event.get("person") or "")
    if person:
        # a person identifier that is not a phone number raises: the alert still goes out
        with contextlib.suppress(DomainError):
            warning_create(person_phone=person, contact_kind=str(event.get("kind") or "transfer"),
                           counterpart_kind=hit.counterpart_kind, counterpart=hit.counterpart,
                           listed_by=hit.listed_by, attempted_cents=int(event.get("amount") or 0))
    return hit


@transaction.atomic
def warning_outcome(*, actor, warning: Warning, outcome: str, note: str = "") -> Warning:
    """Record how a warning ended; ``already_paid`` opens a fraud report for the person (taken by the unit
    of the officer recording it). Raises ``bad_outcome``, ``already_done``, ``NotFound``."""
    from pingan.antifraud.selectors import warning_list

    access.require_writer(actor, "record warning outcomes")
    if not warning_list(actor=actor, audit_read=False).filter(pk=warning.pk).exists():
        raise NotFound(f"warning {warning.pk} not found")
    w = Warning.objects.select_for_update().get(pk=warning.pk)
    if outcome not in WarningOutcome.values:
        raise DomainError(f"unknown outcome {outcome!r}", code="bad_outcome", params={"outcome": outcome})
    if w.outcome:
        raise DomainError(f"warning {w.pk} already has an outcome", code="already_done", params={"warning": w.pk})
    w.outcome, w.outcome_note, w.done_at, w.done_by = outcome, note, _now(), actor
    if outcome == WarningOutcome.ALREADY_PAID:
        w.opened_report = report_create(actor=actor, victim_name=w.person_name or w.person_phone,
                                        victim_phone=w.person_phone, victim_address=w.person_address,
                                        reported_at=_now(), fraud_type=w.fraud_type or "other",
                                        loss_cents=w.attempted_cents,
                                        narrative=f"opened from warning {w.pk}: {note}".strip())
        try:
            kind = w.counterpart_kind if w.counterpart_kind in KINDS else "bank_account"
            identifier_add(actor=actor, report=w.opened_report, kind=kind, value=w.counterpart)
        except DomainError:
            pass
    w.save(update_fields=["outcome", "outcome_note", "done_at", "done_by", "opened_report"])
    audit.record(actor, "warning_outcome", "Warning", w.pk, detail={"outcome": outcome},
                 subjects=warning_subjects(w))
    return w
