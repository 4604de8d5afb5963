"""IBM AMLSim data for the tracer: load the published sample, recover its laundering patterns, measure
how well tracing from their origins reaches their members, and generate larger ledgers with the same
patterns. Pure code (numpy, pyarrow, no Django).

The sample (``20K_fanin200cycle200``: 20,000 accounts, 120,558 transfers; AMLSim, Apache-2.0, see
``src/pingan/data/amlsim/SOURCE.md``) labels accounts (``isFraud``) but not which transfer belongs to which
pattern. What the data shows, and what this module relies on:

* every transfer below 100 units is between two labelled accounts, and every transfer between unlabelled
  accounts is 100 or more (3,695 such small transfers): these are the **pattern transfers**;
* their weakly connected components are the pattern instances (309 with the sample); an instance with a
  directed cycle is typology ``cycle``, one where several accounts pay into one is ``fan_in``, else ``chain``;
* the **origins** of an instance are its accounts that receive no pattern transfer (for a pure cycle: the
  sender of its earliest pattern transfer); the **targets** are the other members.

576 labelled accounts take part in no pattern transfer (their pattern never ran in the simulated time):
they cannot be reached by following any pattern's money and are reported apart.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pingan.antifraud.trace import Ledger, Seed, trace_fifo, trace_haircut, trace_poison

SMALL = 100 * 100  # cents: pattern transfers are below 100 units


@dataclass
class AmlData:
    """``ledger`` (amounts in cents, time in steps), ``fraud`` (bool per account), ``pattern`` (boolean mask
    of pattern transfers); account index = AMLSim node id."""

    ledger: Ledger
    fraud: np.ndarray
    pattern: np.ndarray


def bundled_folder() -> Path:
    """The copy of the sample shipped with pingan (``pingan/data/amlsim``, gzipped)."""
    from importlib import resources

    return Path(str(resources.files("pingan.data").joinpath("amlsim")))


def _open(path: Path):
    if path.exists():
        return path.open(newline="", encoding="utf-8")
    gz = path.with_name(path.name + ".gz")
    return gzip.open(gz, "rt", newline="", encoding="utf-8")


def load_sample(folder: str | Path) -> AmlData:
    """Read ``nodes.csv`` and ``transactions.csv`` (or their ``.gz``) from ``folder``.

    Raises ``FileNotFoundError`` when either is missing, ``ValueError`` for a malformed row (naming it)."""
    folder = Path(folder)
    with _open(folder / "nodes.csv") as fh:
        rows = list(csv.DictReader(fh))
    n = max(int(r["nodeid"]) for r in rows) + 1
    fraud = np.zeros(n, bool)
    opening = np.zeros(n, np.int64)
    for r in rows:
        i = int(r["nodeid"])
        fraud[i] = r["isFraud"] == "1"
        opening[i] = round(float(r["init_balance"]) * 100)
    src, dst, amt, tm = [], [], [], []
    with _open(folder / "transactions.csv") as fh:
        for lineno, r in enumerate(csv.DictReader(fh), start=2):
            try:
                src.append(int(r["sourceNodeId"]))
                dst.append(int(r["targetNodeId"]))
                amt.append(round(float(r["value"]) * 100))
                tm.append(int(r["time"]))
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"transactions.csv line {lineno}: {exc}") from exc
    ledger = Ledger(src, dst, amt, tm, n_accounts=n, opening=opening)
    pattern = (ledger.amount < SMALL) & fraud[ledger.src] & fraud[ledger.dst]
    return AmlData(ledger, fraud, pattern)


@dataclass
class Instance:
    """One pattern instance: its typology, members, origins and pattern transfers (ledger indices)."""

    typology: str
    members: set[int]
    origins: set[int]
    transfers: list[int]

    @property
    def targets(self) -> set[int]:
        return self.members - self.origins


def instances(data: AmlData) -> list[Instance]:
    """The pattern instances (see the module docstring), in order of their first transfer."""
    led = data.ledger
    idx = np.flatnonzero(data.pattern)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for t in idx.tolist():
        parent[find(int(led.src[t]))] = find(int(led.dst[t]))
    groups: dict[int, list[int]] = defaultdict(list)
    for t in idx.tolist():
        groups[find(int(led.src[t]))].append(t)
    out = []
    for ts in groups.values():
        ts.sort(key=lambda t: led.rank[t])
        edges = {(int(led.src[t]), int(led.dst[t])) for t in ts}
        members = {a for e in edges for a in e}
        has_in = {d for _, d in edges}
        senders_into: dict[int, set[int]] = defaultdict(set)
        for s, d in edges:
            senders_into[d].add(s)
        if _has_cycle(edges):
            typ = "cycle"
        elif any(len(v) >= 2 for v in senders_into.values()):
            typ = "fan_in"
        else:
            typ = "chain"
        origins = members - has_in or {int(led.src[ts[0]])}
        out.append(Instance(typ, members, origins, ts))
    out.sort(key=lambda i: led.rank[i.transfers[0]])
    return out


def _has_cycle(edges: set[tuple[int, int]]) -> bool:
    adj: dict[int, list[int]] = defaultdict(list)
    for s, d in edges:
        adj[s].append(d)
    state: dict[int, int] = {}
    for start in list(adj):
        if state.get(start):
            continue
        stack = [(start, iter(adj[start]))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(adj.get(nxt, []))))
    return False


@dataclass
class Score:
    """Recall and precision of one rule on one typology (micro-averaged over its instances)."""

    typology: str
    method: str
    instances: int = 0
    targets: int = 0
    found: int = 0
    reached: int = 0
    reached_labelled: int = 0
    per_instance_full: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.targets if self.targets else 0.0

    @property
    def precision(self) -> float:
        return self.reached_labelled / self.reached if self.reached else 0.0


def evaluate(data: AmlData, *, max_hops: int = 5, methods=("fifo", "haircut", "poison")) -> list[Score]:
    """Trace each instance from its origins' pattern transfers and score, per typology and rule:
    recall = targets reached ÷ targets; precision = reached accounts that are labelled ÷ reached accounts
    (origins excluded). Returns one :class:`Score` per (typology, method)."""
    scores: dict[tuple[str, str], Score] = {}
    led = data.ledger
    for inst in instances(data):
        seeds = [Seed(t) for t in inst.transfers if int(led.src[t]) in inst.origins]
        for m in methods:
            if m == "fifo":
                reached = trace_fifo(led, seeds, max_hops=max_hops).reached
            elif m == "haircut":
                reached = trace_haircut(led, seeds, max_hops=max_hops).reached
            else:
                reached = trace_poison(led, seeds, max_hops=max_hops).reached
            reached = reached - inst.origins
            sc = scores.setdefault((inst.typology, m), Score(inst.typology, m))
            sc.instances += 1
            sc.targets += len(inst.targets)
            got = len(reached & inst.targets)
            sc.found += got
            sc.per_instance_full += got == len(inst.targets)
            sc.reached += len(reached)
            sc.reached_labelled += int(data.fraud[np.fromiter(reached, np.int64)].sum()) if reached else 0
    return sorted(scores.values(), key=lambda s: (s.typology, s.method))


# ---------------------------------------------------------------------------------------------- generator
@dataclass
class Generated:
    """A synthetic ledger in the sample's shape: ``src, dst, amount`` (cents), ``time`` (seconds),
    ``opening`` (cents), ``kind`` (:class:`~pingan.antifraud.trace.AccountKind` per account), ``fraud``,
    and per pattern instance its typology, origin transfers and members (for scoring)."""

    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    time: np.ndarray
    opening: np.ndarray
    kind: np.ndarray
    fraud: np.ndarray
    patterns: list[Instance]

    def ledger(self) -> Ledger:
        return Ledger(self.src, self.dst, self.amount, self.time, n_accounts=len(self.opening),
                      opening=self.opening, kind=self.kind)


def generate(n_transfers: int = 10_000_000, *, seed: int = 15, steps: int = 150) -> Generated:
    """Scale the sample's patterns to ``n_transfers`` transfers (``n_transfers / 6`` accounts, as in the
    sample). Background: heavy-tailed senders and receivers, 100–600 units, opening balances 100–300;
    1 % of accounts are cash points or merchants. Patterns (one per 300 transfers, half fan-in, half
    cycle, as in ``20K_fanin200cycle200``): fan-in = 4 origins paying several small amounts (2–20 units)
    into one account at steps 37 apart; cycle = 3–8 accounts paying small amounts on round the ring
    at rising steps (the sample's cycles are not in time order; these are, so tracing can follow them).
    Times are seconds: step × 86,400 plus a random second in the day. Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    n_acc = max(n_transfers // 6, 50)
    n_pat = max(n_transfers // 300, 2)
    weights = rng.pareto(1.5, n_acc) + 1.0
    weights /= weights.sum()
    cdf = np.cumsum(weights)
    p_src: list[np.ndarray] = []
    p_dst: list[np.ndarray] = []
    p_amt: list[np.ndarray] = []
    p_step: list[np.ndarray] = []
    fraud = np.zeros(n_acc, bool)
    patterns: list[Instance] = []
    n_fan = n_pat // 2
    budget = 0
    pool = rng.permutation(n_acc)
    cursor = 0

    def take(k: int) -> np.ndarray:
        nonlocal cursor
        if cursor + k > n_acc:
            cursor = 0
        got = pool[cursor:cursor + k]
        cursor += k
        return got

    for i in range(n_pat):
        if i < n_fan:
            accts = take(5)
            origins, target = accts[:4], int(accts[4])
            start = int(rng.integers(1, steps - 4 * 37 + 2)) if steps > 4 * 37 else 1
            s_l, d_l, a_l, st_l = [], [], [], []
            for j, o in enumerate(origins.tolist()):
                k = int(rng.integers(2, 6))
                s_l += [o] * k
                d_l += [target] * k
                a_l += rng.integers(200, 2000, k).tolist()
                st_l += [start + 37 * j] * k
            typ = "fan_in"
            members = {*origins.tolist(), target}
            orig = set(origins.tolist())
        else:
            k = int(rng.integers(3, 9))
            accts = take(k)
            ring = accts.tolist()
            step0 = int(rng.integers(1, max(2, steps - 2 * k)))
            s_l = ring
            d_l = ring[1:] + ring[:1]
            a_l = rng.integers(200, 2000, k).tolist()
            st_l = [step0 + 2 * j for j in range(k)]
            typ = "cycle"
            members = set(ring)
            orig = {ring[0]}
        fraud[list(members)] = True
        first = budget
        p_src.append(np.array(s_l, np.int64))
        p_dst.append(np.array(d_l, np.int64))
        p_amt.append(np.array(a_l, np.int64))
        p_step.append(np.array(st_l, np.int64))
        budget += len(s_l)
        patterns.append(Instance(typ, members, orig, list(range(first, budget))))
    n_bg = max(n_transfers - budget, 0)
    src = np.searchsorted(cdf, rng.random(n_bg)).clip(max=n_acc - 1)
    dst = np.searchsorted(cdf, rng.random(n_bg)).clip(max=n_acc - 1)
    same = src == dst
    dst[same] = (dst[same] + 1) % n_acc
    amt = rng.integers(10_000, 60_000, n_bg)
    step = rng.integers(1, steps + 1, n_bg)
    all_src = np.concatenate([*p_src, src])
    all_dst = np.concatenate([*p_dst, dst])
    all_amt = np.concatenate([*p_amt, amt])
    all_step = np.concatenate([*p_step, step])
    time = all_step * 86_400 + rng.integers(0, 86_400, len(all_step))
    kind = np.zeros(n_acc, np.int8)
    special = rng.choice(n_acc, max(n_acc // 100, 1), replace=False)
    special = special[~fraud[special]]
    kind[special] = rng.integers(1, 3, len(special))
    opening = rng.integers(10_000, 30_000, n_acc)
    return Generated(all_src, all_dst, all_amt.astype(np.int64), time.astype(np.int64), opening.astype(np.int64),
                     kind, fraud, patterns)


def evaluate_generated(gen: Generated, ledger: Ledger, *, max_hops: int = 5, limit: int | None = 200) -> list[Score]:
    """Recall/precision of FIFO, haircut and poison on (up to ``limit`` of) the generated instances."""
    data = AmlData(ledger, gen.fraud, np.zeros(ledger.n_transfers, bool))
    scores: dict[tuple[str, str], Score] = {}
    step = max(len(gen.patterns) // limit, 1) if limit else 1
    for inst in gen.patterns[::step][:limit] if limit else gen.patterns:
        seeds = [Seed(t) for t in inst.transfers if int(ledger.src[t]) in inst.origins]
        for m, fn in (("fifo", trace_fifo), ("haircut", trace_haircut), ("poison", trace_poison)):
            reached = fn(ledger, seeds, max_hops=max_hops).reached - inst.origins
            sc = scores.setdefault((inst.typology, m), Score(inst.typology, m))
            sc.instances += 1
            sc.targets += len(inst.targets)
            got = len(reached & inst.targets)
            sc.found += got
            sc.per_instance_full += got == len(inst.targets)
            sc.reached += len(reached)
            sc.reached_labelled += int(data.fraud[np.fromiter(reached, np.int64)].sum()) if reached else 0
    return sorted(scores.values(), key=lambda s: (s.typology, s.method))
