"""Case-property benchmark (issue 17): a store of many items with long custody chains on PostgreSQL, and the
three operations the issue sets targets for.

    createdb -h 127.0.0.1 -U postgres pingan_evidence_bench
    PINGAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_evidence_bench \\
        nice -n 10 .venv/bin/python bench/evidence_bench.py --items 1000000 --events 10   # the issue's size
    ... bench/evidence_bench.py --items 100000 --events 10                               # a tenth

Loads ``--items`` items (one case per 100, one seizure list per case) with ``--events`` hash-chained custody
events each (the real chain: every hash computed by ``evidence.chain``, so every chain verifies), by COPY.
``--room`` of them (default 10,000) lie on the shelves of one room. Then, through the services a custodian
uses (audit records, row locks and all):

* ``scan`` — intake, hand-out (an approved check-out) and return scans (``services.scan``): p50/p95/max ms,
  target p95 < 100 ms;
* ``inventory`` — a full count of the room with every label scanned but one, plus one from another room
  (``services.inventory_count``): seconds, target < 10 s;
* ``verify`` — chain verification of one item (``services.item_verify``): p50/p95 ms, target < 10 ms.

Prints one JSON line per step, a Markdown table, and the load average beside every figure (the machine is
shared). Leaves the data in the database (``--reuse`` skips loading when it is there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time


def load_avg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def backend_cpu_ms() -> float | None:
    """CPU time (user + system) of this connection's PostgreSQL backend, from /proc (same machine only)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def emit(step: str, **fields) -> dict:
    row = {"step": step, **fields, "load": load_avg()}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
    if "PINGAN_DATABASE_URL" not in os.environ:
        sys.exit("set PINGAN_DATABASE_URL to a PostgreSQL database for the benchmark")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def people():
    from pingan.core.models import OrgUnit, User
    from pingan.core.reference import demo_org_load
    from pingan.core.services import user_create

    if not OrgUnit.objects.filter(code="350200-SW").exists():
        demo_org_load()
    units = {u.code: u for u in OrgUnit.objects.all()}
    out = {}
    for name, role, unit in (("bench_custodian", "custodian", "350200-SW"), ("bench_officer", "officer", "350203-LQ"),
                             ("bench_officer2", "officer", "350203-LQ"), ("bench_chief", "station_chief", "350203-LQ")):
        out[name] = User.objects.filter(username=name).first() or user_create(
            username=name, password=None, role=role, unit=units[unit], display_name=name)
    return out, units


def load(n_items: int, n_events: int, room_size: int, who, units) -> None:
    from django.db import connection, transaction

    from pingan.evidence import chain, labels, services
    from pingan.evidence.models import Case, Item, LabelCounter, Location, SeizureList

    t0 = time.perf_counter()
    store = Location.objects.filter(code="B").first() or services.location_create(
        actor=None, code="B", name="bench store", kind="store")
    rooms = []
    for r in range(max(2, -(-n_items // room_size))):
        code = f"B-R{r}"
        room = Location.objects.filter(code=code).first() or services.location_create(
            actor=None, code=code, name=code, kind="room", parent=store)
        shelves = [Location.objects.filter(code=f"{code}-S{s}").first() or services.location_create(
            actor=None, code=f"{code}-S{s}", name=f"{code}-S{s}", kind="shelf", parent=room) for s in range(20)]
        rooms.append((room, shelves))
    unit, cust = units["350203-LQ"], who["bench_custodian"]
    seized = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    n_cases = -(-n_items // 100)
    with transaction.atomic():
        base_case = Case.objects.count()
        cases = Case.objects.bulk_create([Case(number=f"BENCH-{base_case + i:08d}", title="bench", unit=unit,
                                               created_by=who["bench_officer"]) for i in range(n_cases)])
        lists = SeizureList.objects.bulk_create([SeizureList(case=c, number=f"BL-{c.number}", holder_name="持有人",
                                                             witness_name="见证人", seized_at=seized) for c in cases])
        counter, _ = LabelCounter.objects.select_for_update().get_or_create(store="SW", year=2026)
        first = counter.last + 1
        counter.last += n_items
        counter.save()
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM evidence_item")
            first_id = cur.fetchone()[0] + 1
    kinds = ["intake", "move", "check_out", "return", "move", "sample", "check_out", "return", "move", "move"]
    item_cols = ["id", "label", "case_id", "seizure_list_id", "line", "name", "quantity", "quantity_unit",
                 "features", "source", "category", "photos", "status", "location_id", "custody_id", "keeper_id",
                 "legal_hold", "hold_reason", "seized_at", "intake_at", "rule_version", "head_seq", "head_hash"]
    event_cols = ["item_id", "seq", "kind", "at", "actor_user_id", "actor", "witness", "location", "custody", "place",
                  "reason", "detail", "prev_hash", "hash"]
    rnd = random.Random(17)
    batch = 20_000
    for b0 in range(0, n_items, batch):
        with connection.cursor() as cur, transaction.atomic():
            cur.execute("SET LOCAL synchronous_commit = off")
            # The rows are consistent by construction: skip the foreign-key triggers for the load (as
            # pg_restore does). Queued for commit, 10 M deferred checks made the first loads crawl at about
            # 1,200 events/s; the (item, seq) and primary-key indexes are still maintained.
            cur.execute("SET LOCAL session_replication_role = replica")
            item_rows = []
            with cur.copy(f"COPY evidence_custodyevent ({', '.join(event_cols)}) FROM STDIN") as ev_copy:
                for k in range(b0, min(n_items, b0 + batch)):
                    pk, label = first_id + k, labels.make("SW", 2026, first + k)
                    room, shelves = rooms[k // room_size]
                    shelf = shelves[k % len(shelves)]
                    case, sl = cases[k // 100], lists[k // 100]
                    prev, at = chain.GENESIS, seized
                    for seq in range(1, n_events + 1):
                        kind = "seized" if seq == 1 else kinds[(seq - 2) % len(kinds)]
                        at = at + dt.timedelta(minutes=rnd.randint(5, 600))
                        e = {"item": label, "seq": seq, "kind": kind, "at": at, "actor": "bench_custodian:custodian",
                             "witness": "", "location": shelf.code if seq > 1 else "", "custody": unit.code,
                             "place": "", "reason": "", "detail": {}, "prev_hash": prev}
                        h = chain.event_hash(e)
                        ev_copy.write_row((pk, seq, kind, at, cust.pk, e["actor"], "", e["location"], unit.code, "",
                                           "", "{}", prev, h))
                        prev = h
                    item_rows.append((pk, label, case.pk, sl.pk, k % 100 + 1, f"物品{k}", 1, "件", "", "seized",
                                      "other", 0, "in_store", shelf.pk, unit.pk, cust.pk, False, "", seized,
                                      seized + dt.timedelta(hours=2), "2020-07", n_events, prev))
            with cur.copy(f"COPY evidence_item ({', '.join(item_cols)}) FROM STDIN") as items_copy:
                for row in item_rows:
                    items_copy.write_row(row)
        done = min(n_items, b0 + batch)
        print(json.dumps({"step": "loading", "items": done, "seconds": round(time.perf_counter() - t0, 1),
                          "cpu_s": round(time.process_time(), 1), "load": load_avg()}), flush=True)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('evidence_item', 'id'), (SELECT MAX(id) FROM evidence_item))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE evidence_item; ANALYZE evidence_custodyevent")
    emit("load", items=n_items, events=n_items * n_events, seconds=round(time.perf_counter() - t0, 1),
         items_total=Item.objects.count())


def bench_scans(who, n: int) -> dict:
    from django.utils import timezone

    from pingan.evidence import services
    from pingan.evidence.models import CheckOut, Item, ItemStatus

    cust, officer, officer2, chief = (who[k] for k in ("bench_custodian", "bench_officer", "bench_officer2",
                                                       "bench_chief"))
    case = Item.objects.filter(status=ItemStatus.IN_STORE).select_related("case").order_by("?").first().case
    case.investigators.add(officer, officer2)
    sl = services.seizure_list_create(actor=officer, case=case, number=f"BS-{time.time_ns()}", holder_name="h",
                                      witness_name="w", officers=[officer2], seized_at=timezone.now(),
                                      items=[services.ItemIn(f"新物品{i}", "other") for i in range(n)])
    fresh = list(sl.items.values_list("label", flat=True))
    times: dict[str, list[float]] = {"intake": [], "check_out": [], "return": []}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    backend: dict[str, float] = {}

    def timed(kind: str, **kw) -> None:
        t, c = time.perf_counter(), time.process_time()
        services.scan(actor=cust, **kw)
        times[kind].append((time.perf_counter() - t) * 1000)
        cpu[kind].append((time.process_time() - c) * 1000)

    b = backend_cpu_ms()
    for label in fresh:
        timed("intake", label=label, location_code="B-R0-S0")
    backend["intake"] = backend_cpu_ms() - b if b is not None else None
    old = list(Item.objects.filter(status=ItemStatus.IN_STORE, case=case).exclude(label__in=fresh)
               .values_list("label", flat=True)[:n])
    due = timezone.now() + dt.timedelta(days=2)
    for label in old:
        co = services.checkout_request(actor=officer, label=label, purpose="appraisal", reason="bench", due_back_at=due)
        services.checkout_approve(actor=chief, checkout_id=co.pk)
    b = backend_cpu_ms()
    for label in old:
        timed("check_out", label=label)
    backend["check_out"] = backend_cpu_ms() - b if b is not None else None
    b = backend_cpu_ms()
    for label in old:
        timed("return", label=label, condition="完好")
    backend["return"] = backend_cpu_ms() - b if b is not None else None
    assert CheckOut.objects.filter(item__label__in=old, status="returned").count() == len(old)
    every = [x for v in times.values() for x in v]
    out = {k: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
               "max_ms": round(max(v), 1), "python_cpu_p50_ms": round(pct(cpu[k], 50), 1),
               "backend_cpu_mean_ms": round(backend[k] / len(v), 1) if backend[k] is not None else None}
           for k, v in times.items()}
    return emit("scan", **out, all_p95_ms=round(pct(every, 95), 1), target_p95_ms=100)


def bench_inventory(who, room_size: int) -> dict:
    from pingan.evidence import services
    from pingan.evidence.models import Item, ItemStatus

    here = list(Item.objects.filter(location__code__startswith="B-R1-", status=ItemStatus.IN_STORE)
                .values_list("label", flat=True))
    other = Item.objects.filter(location__code__startswith="B-R0-").values_list("label", flat=True).first()
    scanned = [*here[1:], other]
    t = time.perf_counter()
    count = services.inventory_count(actor=who["bench_custodian"], location_code="B-R1", scanned=scanned)
    seconds = time.perf_counter() - t
    assert count.missing == [here[0]] and list(count.misplaced) == [other], (count.missing[:3], count.misplaced)
    return emit("inventory", items_in_room=len(here), seconds=round(seconds, 2), found=count.found,
                missing=len(count.missing), misplaced=len(count.misplaced), target_s=10)


def bench_verify(n: int) -> dict:
    """Each sampled chain twice: in full (``item_verify(full=True)``; then ``item_checkpoint`` checkpoints it,
    untimed, as the nightly sweep does), then incrementally from that checkpoint (``item_verify``, what the
    item page and the API do) after one more event (a move), so there is something past the checkpoint."""
    from pingan.evidence import services
    from pingan.evidence.models import Item

    top = Item.objects.order_by("-pk").values_list("pk", flat=True).first()
    rnd = random.Random()
    ids = list(Item.objects.filter(status="in_store", location__code__startswith="B-R",
                                   pk__in=[rnd.randint(1, top) for _ in range(3 * n)]).values_list("pk", flat=True)[:n])
    cust = Item.objects.get(pk=ids[0]).keeper
    full: list[float] = []
    inc: list[float] = []
    cpu_full: list[float] = []
    cpu_inc: list[float] = []
    events = []
    for pk in ids:
        item = Item.objects.get(pk=pk)
        t, c = time.perf_counter(), time.process_time()
        v = services.item_verify(item=item, full=True)
        full.append((time.perf_counter() - t) * 1000)
        cpu_full.append((time.process_time() - c) * 1000)
        assert v.ok, (item.label, v)
        events.append(v.checked)
        assert services.item_checkpoint(item=item).ok
        room, shelf = item.location.code.rsplit("-S", 1)  # another shelf of the same room
        services.item_move(actor=cust, label=item.label, location_code=f"{room}-S{(int(shelf) + 1) % 20}")
        t, c = time.perf_counter(), time.process_time()
        v = services.item_verify(item=item)
        inc.append((time.perf_counter() - t) * 1000)
        cpu_inc.append((time.process_time() - c) * 1000)
        assert v.ok and v.since == events[-1], (item.label, v)
    return emit("verify", n=len(ids), events_per_item=round(statistics.mean(events), 1),
                full_p50_ms=round(pct(full, 50), 2), full_p95_ms=round(pct(full, 95), 2),
                full_python_cpu_p50_ms=round(pct(cpu_full, 50), 2),
                p50_ms=round(pct(inc, 50), 2), p95_ms=round(pct(inc, 95), 2),
                python_cpu_p50_ms=round(pct(cpu_inc, 50), 2), target_ms=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=10, help="custody events per item")
    ap.add_argument("--room", type=int, default=10_000, help="items per room")
    ap.add_argument("--scans", type=int, default=100, help="scans of each kind")
    ap.add_argument("--reuse", action="store_true", help="skip loading when the store already has the items")
    args = ap.parse_args()
    setup_django()
    from pingan.core import audit
    from pingan.evidence.models import Item

    audit.set_context(audit.AuditContext(purpose="case_investigation"))
    who, units = people()
    if not (args.reuse and Item.objects.count() >= args.items):
        load(args.items, args.events, args.room, who, units)
    rows = [bench_scans(who, args.scans), bench_inventory(who, args.room), bench_verify(200)]
    print("\n| step | figure | target | load average |\n|---|---|---|---|")
    s, i, v = rows
    print(f"| scan (intake, hand-out, return) | p95 {s['all_p95_ms']} ms (intake {s['intake']['p95_ms']}, "
          f"out {s['check_out']['p95_ms']}, return {s['return']['p95_ms']}) | p95 < 100 ms | {s['load']} |")
    print(f"| inventory of a {i['items_in_room']:,}-item room | {i['seconds']} s | < 10 s | {i['load']} |")
    print(f"| verify one chain in full ({v['events_per_item']} events) | p50 {v['full_p50_ms']} ms, p95 "
          f"{v['full_p95_ms']} ms | < 10 ms | {v['load']} |")
    print(f"| verify one chain from its checkpoint | p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms | < 10 ms | "
          f"{v['load']} |")
    print(f"\nCPU: Python per scan p50 intake {s['intake']['python_cpu_p50_ms']} / out "
          f"{s['check_out']['python_cpu_p50_ms']} / return {s['return']['python_cpu_p50_ms']} ms, PostgreSQL backend "
          f"mean {s['intake']['backend_cpu_mean_ms']} / {s['check_out']['backend_cpu_mean_ms']} / "
          f"{s['return']['backend_cpu_mean_ms']} ms; Python per verification p50 full {v['full_python_cpu_p50_ms']} "
          f"ms, incremental {v['python_cpu_p50_ms']} ms; process total {time.process_time():.1f} s")


if __name__ == "__main__":
    main()
