"""Fund-flow tracing (pingan.antifraud.trace): FIFO against a plain lot-queue simulation, and the three
rules' properties (FIFO conserves, haircut sums to the input, poison ⊇ haircut ⊇ FIFO). No database."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.antifraud.trace import AccountKind, Ledger, Seed, trace_fifo, trace_haircut, trace_poison


def naive_fifo(src, dst, amount, time, opening, stops, seeds, max_hops):
    """Clayton's case by hand: one queue of (cents, level) lots per account, events in (time, input) order."""
    n = len(opening)
    queues = [deque([[int(opening[a]), 0]]) if opening[a] else deque() for a in range(n)]
    seed_amt: dict[int, int] = {}
    for s in seeds:
        seed_amt[s.transfer] = seed_amt.get(s.transfer, 0) + (amount[s.transfer] if s.amount is None else s.amount)
    held, stopped, beyond = {}, {}, {}
    order = sorted(range(len(src)), key=lambda i: (time[i], i))
    for i in order:
        s, d, a = src[i], dst[i], amount[i]
        q, out, need = queues[s], [], a
        while need and q:
            take = min(need, q[0][0])
            out.append([take, q[0][1]])
            q[0][0] -= take
            need -= take
            if q[0][0] == 0:
                q.popleft()
        pieces = []
        for cents, lvl in out:
            if lvl == 0:
                pieces.append([cents, 0])
            elif lvl == max_hops:
                beyond[s] = beyond.get(s, 0) + cents
                pieces.append([cents, 0])
            else:
                pieces.append([cents, lvl + 1])
        clean_rest = a - sum(c for c, _ in out)  # the overdraft part
        if i in seed_amt:
            # the victim's part is the first part of the deposit (the seed's own sender plays no role)
            pieces = [[seed_amt[i], 1], [a - seed_amt[i], 0]]
            clean_rest = 0
        for cents, lvl in pieces:
            if not cents:
                continue
            if lvl and stops[d]:
                stopped[d] = stopped.get(d, 0) + cents
                queues[d].append([cents, 0])
            else:
                queues[d].append([cents, lvl])
        if clean_rest:
            queues[d].append([clean_rest, 0])
    for a in range(n):
        h = sum(c for c, lvl in queues[a] if lvl)
        if h:
            held[a] = h
    return held, stopped, beyond


ledgers = st.integers(min_value=2, max_value=7).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(1, 500), st.integers(0, 12)),
                 min_size=1, max_size=40),
        st.lists(st.integers(0, 300), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


def build(data):
    n, rows, opening, stop = data
    src, dst, amount, time = (list(c) for c in zip(*rows, strict=True))
    kind = [AccountKind.CASH if s else AccountKind.NORMAL for s in stop]
    return Ledger(src, dst, amount, time, n_accounts=n, opening=opening, kind=kind), (src, dst, amount, time,
                                                                                     opening, stop)


@settings(max_examples=300, deadline=None)
@given(ledgers, st.data())
def test_fifo_matches_a_lot_queue_simulation_and_conserves_every_cent(data, draw):
    ledger, (src, dst, amount, time, opening, stop) = build(data)
    seed_t = draw.draw(st.integers(0, len(src) - 1))
    max_hops = draw.draw(st.integers(1, 5))
    seeds = [Seed(seed_t)]
    tr = trace_fifo(ledger, seeds, max_hops=max_hops)
    if stop[dst[seed_t]]:
        assert tr.stopped == {dst[seed_t]: amount[seed_t]}
        return
    held, stopped, beyond = naive_fifo(src, dst, amount, time, opening, stop, seeds, max_hops)
    assert tr.held == held
    assert tr.stopped == stopped
    assert tr.beyond_limit == beyond
    assert tr.check_conservation()
    assert tr.input == amount[seed_t]


@settings(max_examples=200, deadline=None)
@given(ledgers, st.data())
def test_haircut_sums_to_the_input_and_the_sets_nest(data, draw):
    ledger, (src, *_rest) = build(data)
    seeds = [Seed(draw.draw(st.integers(0, len(src) - 1)))]
    max_hops = draw.draw(st.integers(1, 5))
    fifo = trace_fifo(ledger, seeds, max_hops=max_hops)
    hair = trace_haircut(ledger, seeds, max_hops=max_hops)
    poison = trace_poison(ledger, seeds, max_hops=max_hops)
    total = sum(hair.held.values()) + sum(hair.stopped.values()) + sum(hair.beyond_limit.values())
    assert total == pytest.approx(hair.input, rel=1e-9)
    assert fifo.reached <= hair.reached <= poison.reached
    assert set(fifo.held) <= set(hair.held)


def test_claytons_case_first_in_first_out_with_the_opening_balance_first():
    # account 1 opens with 100; the victim (0) pays 300 at t=1; 1 pays 250 to 2 at t=2, then 150 to 3 at t=3.
    ledger = Ledger([0, 1, 1], [1, 2, 3], [300, 250, 150], [1, 2, 3], n_accounts=4, opening=[0, 100, 0, 0])
    tr = trace_fifo(ledger, [Seed(0)], max_hops=5)
    # the first 250 out: 100 opening + 150 stolen; the next 150: stolen; 0 left in 1
    assert tr.held == {2: 150, 3: 150}
    assert tr.transfer_taint() == {0: 300, 1: 150, 2: 150}
    assert [tr.path(r) for r, _ in tr.held_rows] == [[0, 1], [0, 2]]


def test_haircut_spreads_the_taint_pro_rata():
    ledger = Ledger([0, 1, 1], [1, 2, 3], [300, 200, 100], [1, 2, 3], n_accounts=4, opening=[0, 100, 0, 0])
    hair = trace_haircut(ledger, [Seed(0)], max_hops=5)
    assert hair.held[2] == pytest.approx(150.0)  # 200 × 300/400
    assert hair.held[3] == pytest.approx(75.0)  # 100 × 150/200
    assert hair.held[1] == pytest.approx(75.0)


def test_money_stops_at_cash_and_at_accounts_without_statements():
    kind = [0, 0, AccountKind.CASH, 0]
    has = [True, True, True, False]
    ledger = Ledger([0, 1, 1], [1, 2, 3], [300, 100, 200], [1, 2, 3], n_accounts=4, kind=kind, has_statement=has)
    tr = trace_fifo(ledger, [Seed(0)])
    assert tr.stopped == {2: 100, 3: 200}
    assert tr.held == {}


def test_money_later_than_the_hop_limit_is_counted_beyond_it():
    ledger = Ledger([0, 1, 2], [1, 2, 3], [100, 100, 100], [1, 2, 3], n_accounts=4)
    tr = trace_fifo(ledger, [Seed(0)], max_hops=2)
    assert tr.held == {}
    assert tr.beyond_limit == {2: 100}
    assert 3 not in tr.reached


def test_a_transfer_before_the_money_arrived_does_not_carry_it():
    ledger = Ledger([1, 0], [2, 1], [100, 100], [1, 2], n_accounts=3, opening=[0, 100, 0])
    tr = trace_fifo(ledger, [Seed(1)])
    assert tr.held == {1: 100}
    assert trace_poison(ledger, [Seed(1)]).reached == {1}


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="amount"):
        Ledger([0], [1], [0], [1])
    with pytest.raises(ValueError, match="same length"):
        Ledger([0, 1], [1], [5], [1])
    ledger = Ledger([0], [1], [5], [1])
    with pytest.raises(ValueError, match="seed"):
        trace_fifo(ledger, [Seed(3)])
    with pytest.raises(ValueError, match="seed amount"):
        trace_fifo(ledger, [Seed(0, amount=6)])


def test_ledger_balances_follow_the_overdraft_rule():
    ledger = Ledger([0, 1], [1, 2], [50, 80], [1, 2], n_accounts=3, opening=np.array([100, 0, 0]))
    assert ledger.balance_after().tolist() == [50, 0, 80]  # the overdraft part arrives in full
