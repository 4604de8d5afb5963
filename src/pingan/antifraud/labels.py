"""Account labels for a trace (账户标签): transit 中转, sink 沉淀, fast-in-fast-out 快进快出.

Pure code (numpy, no Django). The definitions follow the tactics of a Chinese police fund-analysis tool
(``Alexzkh/analysis``, ``…/chain/handler/TransferHandler.java`` and ``PrecipitationHandler.java``, as
summarised in docs/antifraud.md): an account is

* **transit** (中转) when ``|credits − debits| ÷ (credits + debits) ≤ transit_max_net_share``: the money
  passes through;
* **sink** (沉淀) when ``credits ÷ (credits + debits) ≥ sink_min_credit_share``: the money stays;
* **fast-in-fast-out** (快进快出) when some deposit of at least ``fifo_min_amount`` cents is followed,
  within ``fifo_window`` (seconds, or steps for simulated data), by withdrawals totalling at least
  ``fifo_min_out_share`` of it.

Every label carries the figures and the thresholds that produced it, so the page can say why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from pingan.antifraud.trace import Ledger


@dataclass(frozen=True, slots=True)
class LabelParams:
    """Thresholds (defaults: the analysis tool's usual settings; tune per case)."""

    transit_max_net_share: float = 0.10
    sink_min_credit_share: float = 0.80
    fifo_min_amount: int = 100_000  # cents (1,000 yuan)
    fifo_window: int = 86_400  # seconds (one day)
    fifo_min_out_share: float = 0.90


def account_labels(ledger: Ledger, accounts, params: LabelParams | None = None) -> dict[int, list[dict]]:
    """``account → [{"label": "transit"|"sink"|"fast_in_fast_out", "figures": {...}, "params": {...}}]``
    for each of ``accounts`` (iterable of indices) that earns a label; accounts with no movement get none.
    Credits and debits are the account's whole ledger (its statement)."""
    p = params or LabelParams()
    accts = np.unique(np.fromiter((int(a) for a in accounts), np.int64))
    out: dict[int, list[dict]] = {}
    if len(accts) == 0:
        return out
    want = np.zeros(ledger.n_accounts, bool)
    want[accts] = True
    ins = np.flatnonzero(want[ledger.dst])
    outs = np.flatnonzero(want[ledger.src])
    credit = np.zeros(ledger.n_accounts, np.int64)
    debit = np.zeros(ledger.n_accounts, np.int64)
    np.add.at(credit, ledger.dst[ins], ledger.amount[ins])
    np.add.at(debit, ledger.src[outs], ledger.amount[outs])
    pdict = asdict(p)
    # fast-in-fast-out: per account, deposits and withdrawals in time order
    in_by = _group(ledger.dst[ins], ins)
    out_by = _group(ledger.src[outs], outs)
    for a in accts.tolist():
        c, d = int(credit[a]), int(debit[a])
        total = c + d
        if total == 0:
            continue
        labels = []
        net_share = abs(c - d) / total
        if c and d and net_share <= p.transit_max_net_share:
            labels.append({"label": "transit", "figures": {"credits": c, "debits": d, "net_share": round(net_share, 4)},
                           "params": {"transit_max_net_share": pdict["transit_max_net_share"]}})
        credit_share = c / total
        if credit_share >= p.sink_min_credit_share:
            labels.append({"label": "sink", "figures": {"credits": c, "debits": d,
                                                         "credit_share": round(credit_share, 4)},
                           "params": {"sink_min_credit_share": pdict["sink_min_credit_share"]}})
        hit = _fast_in_fast_out(ledger, in_by.get(a), out_by.get(a), p)
        if hit is not None:
            labels.append({"label": "fast_in_fast_out", "figures": hit,
                           "params": {k: pdict[k] for k in ("fifo_min_amount", "fifo_window", "fifo_min_out_share")}})
        if labels:
            out[a] = labels
    return out


def _group(keys: np.ndarray, idx: np.ndarray) -> dict[int, np.ndarray]:
    if len(keys) == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], idx[order]
    cuts = np.flatnonzero(np.r_[True, k[1:] != k[:-1], True])
    return {int(k[cuts[i]]): v[cuts[i]:cuts[i + 1]] for i in range(len(cuts) - 1)}


def _fast_in_fast_out(ledger: Ledger, ins, outs, p: LabelParams) -> dict | None:
    if ins is None or outs is None:
        return None
    big = ins[ledger.amount[ins] >= p.fifo_min_amount]
    if len(big) == 0:
        return None
    o = outs[np.argsort(ledger.rank[outs], kind="stable")]
    o_rank, o_time = ledger.rank[o], ledger.time[o]
    cum = np.r_[0, np.cumsum(ledger.amount[o])]
    for t in big[np.argsort(ledger.rank[big])].tolist():
        r, tm, amt = ledger.rank[t], ledger.time[t], int(ledger.amount[t])
        i0 = int(np.searchsorted(o_rank, r, side="right"))
        i1 = int(np.searchsorted(o_time, tm + p.fifo_window, side="right"))
        if i1 <= i0:
            continue
        got = int(cum[i1] - cum[i0])
        if got >= p.fifo_min_out_share * amt:
            return {"deposit": amt, "out_within_window": got, "transfer": int(t)}
    return None
