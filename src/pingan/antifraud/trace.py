"""Fund-flow tracing (资金追踪): follow a victim's money forward through bank accounts, in time order.

Pure code: numpy only, no Django, so it runs in the web process, a task, the CLI, a benchmark or a Spark
executor alike. Money is integer **cents** (``int64``) so that FIFO is exactly lossless; times are integer
seconds (or simulation steps); accounts are integers ``0 … n_accounts-1`` (the caller keeps the mapping to
account numbers).

Three allocation rules, the ones the tracing literature compares (Anderson et al., summarised by Schneier,
"Tracing stolen bitcoin", 2018; Möser, Böhme & Breuker, "Towards risk scoring of Bitcoin transactions",
FC 2014; Tironsakkul et al., arXiv:1906.05754):

* **FIFO** — *Clayton's case* (Devaynes v Noble, 1816): each withdrawal is paid out of the earliest money
  still in the account, the opening balance first. Deterministic and lossless: every cent of the victim's
  money is at exactly one place (an account's balance, a stop point, or beyond the hop limit). The default,
  and what the 2016 return rule's "trace to source by time" means (银监会、公安部《电信网络新型违法犯罪案件
  冻结资金返还若干规定》Art. 8).
* **haircut** (pro-rata): every withdrawal carries the account's current tainted share. The total taint is
  conserved, spread thinly; Art. 8's fallback "in proportion" when time cannot separate victims.
* **poison**: once tainted, every later withdrawal of the account counts as tainted (an upper bound on where
  the money may be; amounts are not meaningful, only the set of accounts).

Semantics shared by the three, so that their account sets nest (poison ⊇ haircut ⊇ FIFO):

* Events are ordered by ``(time, input order)``; one transfer is one event (a withdrawal at the sender and
  a deposit at the receiver at the same moment). Money received by an event can leave by a later event only.
* Overdrafts: a withdrawal larger than the balance is *funded* only up to the balance; the rest is clean
  (it cannot carry money that is not there), and does not consume later deposits.
* Hops: the victim's transfer is hop 1 (the receiving account is a 一级卡, level-1 account); money is
  followed until it reaches level ``max_hops``. Money still at a level-``max_hops`` account is *held* there;
  what left it is reported as ``beyond_limit`` with the account it left from.
* Stops: money that reaches an account whose kind is not ``NORMAL`` (cash withdrawal, merchant, exchange)
  or an account without a statement (``has_statement`` false: its outflows are unknown — the next bank
  query to send) is not followed further and is reported as stopped there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

__all__ = [
    "AccountKind",
    "FifoTrace",
    "HaircutTrace",
    "Ledger",
    "PoisonTrace",
    "Seed",
    "trace_fifo",
    "trace_haircut",
    "trace_poison",
]


class AccountKind(IntEnum):
    """What an account (node) is; everything but ``NORMAL`` stops a trace."""

    NORMAL = 0
    CASH = 1  # cash withdrawal (ATM/counter): the money leaves the banking system
    MERCHANT = 2  # acquiring merchant / goods bought: 消费
    EXCHANGE = 3  # virtual-currency exchange, foreign exchange, payment gateway out of reach


@dataclass(frozen=True, slots=True)
class Seed:
    """Where the victim's money enters: ``transfer`` (an index into the ledger) for ``amount`` cents
    (``None``: the whole transfer). ``victim`` is a label kept on the paths (e.g. a transfer id)."""

    transfer: int
    amount: int | None = None
    victim: int = 0


class Ledger:
    """A columnar, pre-indexed set of transfers, built once and traced many times.

    ``src``, ``dst``: account indices (``int64``, ``0 … n_accounts-1``); ``amount``: cents (> 0);
    ``time``: integer seconds or steps. ``opening``: opening balance per account (cents, default 0);
    ``kind``: :class:`AccountKind` per account (default ``NORMAL``); ``has_statement``: per account
    (default all true). Building is ``O(m log m)`` for ``m`` transfers and keeps ~15 ``int64`` per transfer.

    The index gives each account its own stretch of a global "money coordinate": the opening balance, then
    each deposit in event order, occupy consecutive intervals; a withdrawal consumes the interval
    ``[P_{k-1}, P_k)`` with ``P_k = min(P_{k-1} + amount_k, inflow before k)`` (the overdraft rule). FIFO
    tracing is then interval arithmetic and binary search.

    Raises ``ValueError`` for arrays of different lengths, indices outside the accounts, or amounts ≤ 0.
    """

    def __init__(self, src, dst, amount, time, *, n_accounts: int | None = None, opening=None, kind=None,
                 has_statement=None) -> None:
        src = np.ascontiguousarray(src, dtype=np.int64)
        dst = np.ascontiguousarray(dst, dtype=np.int64)
        amount = np.ascontiguousarray(amount, dtype=np.int64)
        time = np.ascontiguousarray(time, dtype=np.int64)
        m = len(src)
        if not (len(dst) == len(amount) == len(time) == m):
            raise ValueError("src, dst, amount and time must have the same length")
        if n_accounts is None:
            n_accounts = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
        n = int(n_accounts)
        if m and (src.min() < 0 or dst.min() < 0 or src.max() >= n or dst.max() >= n):
            raise ValueError(f"account indices must lie in 0…{n - 1}")
        if m and amount.min() <= 0:
            raise ValueError("every amount must be > 0 cents")
        self.n_accounts, self.n_transfers = n, m
        self.src, self.dst, self.amount, self.time = src, dst, amount, time
        self.opening = (np.zeros(n, np.int64) if opening is None
                        else np.ascontiguousarray(opening, dtype=np.int64).clip(min=0))
        self.kind = np.zeros(n, np.int8) if kind is None else np.ascontiguousarray(kind, dtype=np.int8)
        self.has_statement = (np.ones(n, bool) if has_statement is None
                              else np.ascontiguousarray(has_statement, dtype=bool))
        if len(self.opening) != n or len(self.kind) != n or len(self.has_statement) != n:
            raise ValueError("opening, kind and has_statement need one value per account")
        self._index()

    # ------------------------------------------------------------------------------------------ index
    def _index(self) -> None:
        m, n = self.n_transfers, self.n_accounts
        src, dst, amount = self.src, self.dst, self.amount
        # rank: position of each transfer in event order (time, then input order).
        order = np.argsort(self.time, kind="stable")
        rank = np.empty(m, np.int64)
        rank[order] = np.arange(m, dtype=np.int64)
        self.rank = rank
        self.by_rank = order
        # Deposits, grouped by receiver in event order.
        in_order = np.lexsort((rank, dst))
        in_amt = amount[in_order]
        in_count = np.bincount(dst, minlength=n).astype(np.int64)
        in_sum = np.zeros(n, np.int64)
        _add_sum(in_sum, dst, amount)
        # Account stretches: base[a] … base[a] + opening + deposits, then a gap of 1.
        span = self.opening + in_sum + 1
        base = np.zeros(n, np.int64)
        np.cumsum(span[:-1], out=base[1:])
        self.base = base
        in_seg = np.zeros(n + 1, np.int64)
        np.cumsum(in_count, out=in_seg[1:])
        cum_in = np.zeros(m + 1, np.int64)
        np.cumsum(in_amt, out=cum_in[1:])
        seg_of = dst[in_order]
        start_in = base[seg_of] + self.opening[seg_of] + (cum_in[:-1] - cum_in[in_seg[seg_of]])
        in_start = np.empty(m, np.int64)
        in_start[in_order] = start_in
        self.in_start = in_start
        # Withdrawals, grouped by sender in event order.
        out_order = np.lexsort((rank, src))
        out_cnt = np.bincount(src, minlength=n).astype(np.int64)
        out_seg = np.zeros(n + 1, np.int64)
        np.cumsum(out_cnt, out=out_seg[1:])
        s_of = src[out_order]
        out_amt = amount[out_order]
        # Inflow (relative to base, with the opening balance) before each withdrawal.
        key_in = dst[in_order] * m + rank[in_order] if m else np.zeros(0, np.int64)
        key_out = s_of * m + rank[out_order]
        pos = np.searchsorted(key_in, key_out, side="left")
        avail = self.opening[s_of] + (cum_in[pos] - cum_in[in_seg[s_of]])
        cum_out = np.zeros(m + 1, np.int64)
        np.cumsum(out_amt, out=cum_out[1:])
        s_incl = cum_out[1:] - cum_out[out_seg[s_of]]  # cumulative withdrawals of the account, inclusive
        x = np.maximum(s_incl - avail, 0)  # unfunded so far if this were the running maximum
        deficit = _segmented_cummax(x, out_seg)
        p_end = base[s_of] + s_incl - deficit
        p_start = np.empty(m, np.int64)
        if m:
            p_start[1:] = p_end[:-1]
            first = out_seg[:-1][out_cnt > 0]
            p_start[first] = base[s_of[first]]
        self.out_order, self.out_seg = out_order, out_seg
        self.p_start, self.p_end = p_start, p_end
        # Where each account's consumption ends (after its last withdrawal): the rest is its balance.
        p_final = base.copy()
        has_out = out_cnt > 0
        p_final[has_out] = p_end[out_seg[1:][has_out] - 1]
        self.p_final = p_final
        self.stops = (self.kind != AccountKind.NORMAL) | ~self.has_statement

    def account_of(self, coord: np.ndarray) -> np.ndarray:
        """The account whose stretch holds each global money coordinate."""
        return np.searchsorted(self.base, coord, side="right") - 1

    def balance_after(self) -> np.ndarray:
        """Each account's closing balance (cents) under the overdraft rule."""
        top = self.base + self.opening
        in_sum = np.zeros(self.n_accounts, np.int64)
        _add_sum(in_sum, self.dst, self.amount)
        return top + in_sum - self.p_final

    @property
    def nbytes(self) -> int:
        """Memory held by the ledger and its index, in bytes."""
        return sum(getattr(self, k).nbytes for k in vars(self) if isinstance(getattr(self, k), np.ndarray))


def _add_sum(out: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``out[idx] += values`` with repeats, exactly in int64 (bincount would go through float64)."""
    if len(idx) == 0:
        return
    order = np.argsort(idx, kind="stable")
    i, v = idx[order], values[order]
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    out[i[starts]] += np.add.reduceat(v, starts)


def _segmented_cummax(x: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Running maximum of non-negative ``x`` restarting at each segment boundary ``seg`` (CSR offsets).

    Each segment is lifted above every earlier one by an offset (the sum of earlier segments' maxima + 1),
    so one global ``maximum.accumulate`` never carries a value across a boundary; exact in int64.
    """
    if len(x) == 0:
        return x.copy()
    counts = np.diff(seg)
    nz = counts > 0
    starts = seg[:-1][nz]
    seg_max = np.maximum.reduceat(x, starts)
    offs = np.zeros(len(seg_max), np.int64)
    np.cumsum(seg_max[:-1] + 1, out=offs[1:])
    lifted = x + np.repeat(offs, counts[nz])
    return np.maximum.accumulate(lifted) - np.repeat(offs, counts[nz])


# ------------------------------------------------------------------------------------------------ FIFO
@dataclass
class FifoTrace:
    """The result of :func:`trace_fifo`. Amounts in cents; all arrays are aligned per row.

    * ``input`` — the victim money traced (sum of the seeds).
    * ``edges`` — per hop step: ``transfer`` (ledger index), ``hop`` (1 = the victim's transfer),
      ``amount`` (tainted cents it carried), ``parent`` (row in ``edges`` this money came through, -1 for a
      seed), ``victim`` (the seed's label). Each row is one piece of money on one transfer: following
      ``parent`` from any row gives its whole path.
    * ``held`` — ``account → cents`` still in the account at the end of the ledger (freeze candidates),
      ``held_rows`` — ``(edge row, cents)`` pairs saying which path put them there.
    * ``stopped`` — ``account → cents`` that reached a stop account (cash, merchant, exchange, no statement).
    * ``beyond_limit`` — ``account → cents`` that left a level-``max_hops`` account and was not followed.

    ``input == sum(held) + sum(stopped) + sum(beyond_limit)`` exactly (:meth:`check_conservation`).
    """

    input: int
    max_hops: int
    edges: dict[str, np.ndarray]
    held: dict[int, int]
    held_rows: list[tuple[int, int]]
    stopped: dict[int, int]
    stopped_rows: list[tuple[int, int]]
    beyond_limit: dict[int, int]
    reached: set[int] = field(default_factory=set)

    def check_conservation(self) -> bool:
        return self.input == sum(self.held.values()) + sum(self.stopped.values()) + sum(self.beyond_limit.values())

    def path(self, row: int) -> list[int]:
        """The transfers (ledger indices, in order) of the money on ``edges`` row ``row``."""
        out, parent, transfer = [], self.edges["parent"], self.edges["transfer"]
        while row >= 0:
            out.append(int(transfer[row]))
            row = int(parent[row])
        return out[::-1]

    def transfer_taint(self) -> dict[int, int]:
        """``transfer → tainted cents`` summed over pieces (for drawing the flow)."""
        t, a = self.edges["transfer"], self.edges["amount"]
        if len(t) == 0:
            return {}
        u, inv = np.unique(t, return_inverse=True)
        s = np.zeros(len(u), np.int64)
        np.add.at(s, inv, a)
        return dict(zip(u.tolist(), s.tolist(), strict=True))


def _group_sum(keys: np.ndarray, values: np.ndarray) -> dict[int, int]:
    if len(keys) == 0:
        return {}
    u, inv = np.unique(keys, return_inverse=True)
    s = np.zeros(len(u), np.int64)
    np.add.at(s, inv, values)
    return {int(k): int(v) for k, v in zip(u, s, strict=True) if v}


def _seed_arrays(ledger: Ledger, seeds: list[Seed]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.array([s.transfer for s in seeds], np.int64)
    if len(t) and (t.min() < 0 or t.max() >= ledger.n_transfers):
        raise ValueError("a seed names a transfer outside the ledger")
    full = ledger.amount[t]
    amt = np.array([full[i] if s.amount is None else s.amount for i, s in enumerate(seeds)], np.int64)
    if len(amt) and ((amt <= 0).any() or (amt > full).any()):
        raise ValueError("a seed amount must be > 0 and at most its transfer's amount")
    victim = np.array([s.victim for s in seeds], np.int64)
    return t, amt, victim


def trace_fifo(ledger: Ledger, seeds: list[Seed], *, max_hops: int = 5) -> FifoTrace:
    """Follow ``seeds`` forward under FIFO (Clayton's case) for up to ``max_hops`` transfers.

    Vectorised per hop: each piece of money is an interval of its account's money coordinate; the
    withdrawals that overlap it are found by binary search and split it. Cost grows with the number of
    pieces, not with the ledger. Raises ``ValueError`` for a bad seed or ``max_hops < 1``.
    """
    if max_hops < 1:
        raise ValueError("max_hops must be ≥ 1")
    t, amt, victim = _seed_arrays(ledger, seeds)
    lo = ledger.in_start[t]
    e_transfer = [t]
    e_amount = [amt]
    e_parent = [np.full(len(t), -1, np.int64)]
    e_hop = [np.ones(len(t), np.int64)]
    e_victim = [victim]
    n_rows = len(t)
    row = np.arange(n_rows, dtype=np.int64)
    cur_lo, cur_hi, cur_row, cur_victim = lo, lo + amt, row, victim
    acct = ledger.dst[t]
    held_k: list[np.ndarray] = []
    held_v: list[np.ndarray] = []
    held_r: list[np.ndarray] = []
    stop_k: list[np.ndarray] = []
    stop_v: list[np.ndarray] = []
    stop_r: list[np.ndarray] = []
    beyond_k: list[np.ndarray] = []
    beyond_v: list[np.ndarray] = []
    reached: set[int] = set()
    for hop in range(1, max_hops + 1):
        reached.update(np.unique(acct).tolist())
        # Pieces that landed on a stop account end there.
        stop = ledger.stops[acct]
        if stop.any():
            stop_k.append(acct[stop])
            stop_v.append(cur_hi[stop] - cur_lo[stop])
            stop_r.append(cur_row[stop])
            keep = ~stop
            acct, cur_lo, cur_hi, cur_row, cur_victim = (acct[keep], cur_lo[keep], cur_hi[keep], cur_row[keep],
                                                         cur_victim[keep])
        # What is still in the account at the end of the ledger.
        pf = ledger.p_final[acct]
        h = np.clip(cur_hi - np.maximum(cur_lo, pf), 0, None)
        if h.any():
            nz = h > 0
            held_k.append(acct[nz])
            held_v.append(h[nz])
            held_r.append(cur_row[nz])
        if hop == max_hops:
            moved = (cur_hi - cur_lo) - h
            nz = moved > 0
            beyond_k.append(acct[nz])
            beyond_v.append(moved[nz])
            break
        # Withdrawals overlapping each piece: funded interval [p_start, p_end) intersects [lo, hi).
        k0 = np.searchsorted(ledger.p_end, cur_lo, side="right")
        k1 = np.searchsorted(ledger.p_start, cur_hi, side="left")
        cnt = np.maximum(k1 - k0, 0)
        total = int(cnt.sum())
        if total == 0:
            break
        piece = np.repeat(np.arange(len(cnt)), cnt)
        offs = np.zeros(len(cnt), np.int64)
        np.cumsum(cnt[:-1], out=offs[1:])
        k = k0[piece] + (np.arange(total, dtype=np.int64) - offs[piece])
        olo = np.maximum(cur_lo[piece], ledger.p_start[k])
        ohi = np.minimum(cur_hi[piece], ledger.p_end[k])
        ok = ohi > olo
        piece, k, olo, ohi = piece[ok], k[ok], olo[ok], ohi[ok]
        tr = ledger.out_order[k]
        delta = ledger.in_start[tr] - ledger.p_start[k]
        cur_lo, cur_hi = olo + delta, ohi + delta
        acct = ledger.dst[tr]
        parent_rows = cur_row[piece]
        cur_victim = cur_victim[piece]
        cur_row = np.arange(n_rows, n_rows + len(tr), dtype=np.int64)
        n_rows += len(tr)
        e_transfer.append(tr)
        e_amount.append(ohi - olo)
        e_parent.append(parent_rows)
        e_hop.append(np.full(len(tr), hop + 1, np.int64))
        e_victim.append(cur_victim)
        if len(tr) == 0:
            break
    cat = np.concatenate
    edges = {"transfer": cat(e_transfer), "amount": cat(e_amount), "parent": cat(e_parent), "hop": cat(e_hop),
             "victim": cat(e_victim)}

    def rows(ks: list[np.ndarray], vs: list[np.ndarray], rs: list[np.ndarray]) -> list[tuple[int, int]]:
        if not rs:
            return []
        return list(zip(cat(rs).tolist(), cat(vs).tolist(), strict=True))

    empty = np.zeros(0, np.int64)
    return FifoTrace(
        input=int(amt.sum()),
        max_hops=max_hops,
        edges=edges,
        held=_group_sum(cat(held_k) if held_k else empty, cat(held_v) if held_v else empty),
        held_rows=rows(held_k, held_v, held_r),
        stopped=_group_sum(cat(stop_k) if stop_k else empty, cat(stop_v) if stop_v else empty),
        stopped_rows=rows(stop_k, stop_v, stop_r),
        beyond_limit=_group_sum(cat(beyond_k) if beyond_k else empty, cat(beyond_v) if beyond_v else empty),
        reached=reached,
    )


# ---------------------------------------------------------------------------------------------- poison
@dataclass
class PoisonTrace:
    """:func:`trace_poison`: ``first`` maps each reached account to the event rank (position in time order)
    at which tainted money first arrived within ``max_hops`` hops; ``hops`` to the fewest hops."""

    first: dict[int, int]
    hops: dict[int, int]

    @property
    def reached(self) -> set[int]:
        return set(self.first)


def trace_poison(ledger: Ledger, seeds: list[Seed], *, max_hops: int = 5) -> PoisonTrace:
    """Every account that a time-respecting path of at most ``max_hops`` transfers reaches from the seeds
    (earliest-arrival relaxation, one vectorised pass over the ledger per hop). Stop accounts receive but
    do not pass on. Raises ``ValueError`` as :func:`trace_fifo`."""
    if max_hops < 1:
        raise ValueError("max_hops must be ≥ 1")
    t, _amt, _victim = _seed_arrays(ledger, seeds)
    inf = np.iinfo(np.int64).max
    best = np.full(ledger.n_accounts, inf, np.int64)
    np.minimum.at(best, ledger.dst[t], ledger.rank[t])
    hops = np.full(ledger.n_accounts, -1, np.int64)
    hops[best < inf] = 1
    pass_on = ~ledger.stops
    for hop in range(2, max_hops + 1):
        gate = np.where(pass_on, best, inf)[ledger.src]
        live = ledger.rank > gate
        if not live.any():
            break
        nxt = best.copy()
        np.minimum.at(nxt, ledger.dst[live], ledger.rank[live])
        newly = (nxt < inf) & (hops < 0)
        hops[newly] = hop
        if np.array_equal(nxt, best):
            break
        best = nxt
    idx = np.flatnonzero(best < inf)
    return PoisonTrace(first=dict(zip(idx.tolist(), best[idx].tolist(), strict=True)),
                       hops=dict(zip(idx.tolist(), hops[idx].tolist(), strict=True)))


# --------------------------------------------------------------------------------------------- haircut
@dataclass
class HaircutTrace:
    """:func:`trace_haircut`. Amounts are float cents (pro-rata shares are fractions).

    ``held``: account → tainted share of its closing balance; ``stopped``, ``beyond_limit`` as for FIFO;
    ``transfer_taint``: transfer → tainted cents it carried; ``reached``: accounts that ever held taint.
    ``input ≈ sum(held) + sum(stopped) + sum(beyond_limit)`` up to float rounding.
    """

    input: float
    held: dict[int, float]
    stopped: dict[int, float]
    beyond_limit: dict[int, float]
    transfer_taint: dict[int, float]
    reached: set[int]


def trace_haircut(ledger: Ledger, seeds: list[Seed], *, max_hops: int = 5) -> HaircutTrace:
    """Follow ``seeds`` pro-rata: each withdrawal carries ``taint × funded / balance`` of each hop level.

    Runs an event loop over the transfers that touch the poison set (a superset of where haircut taint can
    go), so its cost is the poison set's activity, not the ledger's. Raises ``ValueError`` as :func:`trace_fifo`.
    """
    t, amt, _victim = _seed_arrays(ledger, seeds)
    poison = trace_poison(ledger, seeds, max_hops=max_hops)
    inset = np.zeros(ledger.n_accounts, bool)
    if poison.first:
        inset[np.fromiter(poison.first, np.int64)] = True
    seed_amount: dict[int, int] = {}
    for ti, a in zip(t.tolist(), amt.tolist(), strict=True):
        seed_amount[ti] = seed_amount.get(ti, 0) + a
    touch = np.flatnonzero(inset[ledger.src] | inset[ledger.dst])
    touch = touch[np.argsort(ledger.rank[touch], kind="stable")]
    balance: dict[int, float] = {}
    taint: dict[int, list[float]] = {}
    stopped: dict[int, float] = {}
    beyond: dict[int, float] = {}
    carried: dict[int, float] = {}
    reached: set[int] = set()
    opening, stops = ledger.opening, ledger.stops
    src_l, dst_l, amt_l = ledger.src[touch].tolist(), ledger.dst[touch].tolist(), ledger.amount[touch].tolist()
    for ti, s, d, a in zip(touch.tolist(), src_l, dst_l, amt_l, strict=True):
        # withdrawal at s
        moved = [0.0] * (max_hops + 1)
        if inset[s]:
            bal = balance.get(s)
            if bal is None:
                bal = float(opening[s])
            funded = min(float(a), bal)
            tv = taint.get(s)
            if tv is not None and funded > 0 and bal > 0:
                frac = funded / bal
                for lvl in range(1, max_hops + 1):
                    if tv[lvl]:
                        x = tv[lvl] * frac
                        tv[lvl] -= x
                        if lvl == max_hops:
                            beyond[s] = beyond.get(s, 0.0) + x
                        else:
                            moved[lvl + 1] += x
            balance[s] = bal - funded
        # deposit at d
        seed = seed_amount.get(ti)
        if seed:
            moved[1] += seed
        if inset[d]:
            balance[d] = balance.get(d, float(opening[d])) + a
        total = sum(moved)
        if total <= 0:
            continue
        carried[ti] = total
        reached.add(d)
        if stops[d]:
            stopped[d] = stopped.get(d, 0.0) + total
            continue
        tv = taint.setdefault(d, [0.0] * (max_hops + 1))
        for lvl in range(1, max_hops + 1):
            tv[lvl] += moved[lvl]
    held = {a: sum(v) for a, v in taint.items() if sum(v) > 0}
    return HaircutTrace(input=float(amt.sum()), held=held, stopped=stopped, beyond_limit=beyond,
                        transfer_taint=carried, reached=reached)
