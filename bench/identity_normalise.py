"""Benchmark: normalise 1,000,000 synthetic roster rows (ID + name + phone) with pingan.lib.identity.

Usage::

    .venv/bin/python bench/identity_normalise.py [--rows 1000000] [--seed 7]

Synthetic data only (Faker zh_CN; no real person). Faker is far too slow to call a million times
(~0.2 ms per ``ssn()``), so it seeds pools — names, ID numbers, phone prefixes — and the rows are drawn
from them the way rosters look:

* ID numbers: 20,000 from ``Faker.ssn()`` plus the rest built the same way (a Faker area code, a random
  birth date, a random sequence, the check character from python-stdnum), mostly distinct; 2 % corrupted
  by one substituted digit or one adjacent transposition; 1 % written lower-case / full-width / with
  spaces; 1 % in the 15-digit form (born 1900–1999).
* names: a pool of 40,000 Faker names drawn with a Zipf-like skew (realistic duplicates); 2 % in
  traditional characters, 1 % with stray spaces.
* phones: mobile prefixes from Faker, random subscriber digits, written with ``+86``/``0086``/spaces/dashes
  in 20 % of rows.

The timed section is what the screening engine runs: the three column helpers on Arrow arrays, after a
100-row warm-up that loads the reference data (GB/T 2260 codes, lookup tables) and with every per-value
cache cleared. Then typo recovery is run on every ID that fails its check character and the
candidates per bad ID are reported (mean, max) with how often the original was recovered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time

import opencc
import pyarrow as pa
from faker import Faker
from stdnum.cn import ric as stdnum_ric

from pingan.lib.identity import name_keys_table, normalize_documents, normalize_phones, ric
from pingan.lib.identity import names as names_mod
from pingan.lib.identity import phones as phones_mod


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def generate(rows: int, seed: int) -> tuple[list[str], list[str], list[str], dict[int, str]]:
    """(ids, names, phones, originals of corrupted IDs by row) for ``rows`` synthetic roster rows."""
    rnd = random.Random(seed)
    fake = Faker("zh_CN")
    Faker.seed(seed)
    faker_ids = [fake.ssn() for _ in range(20_000)]
    areas = sorted({s[:6] for s in faker_ids if not s.startswith(("81", "82", "83"))})
    name_pool = [fake.name() for _ in range(40_000)]
    prefixes = sorted({fake.phone_number()[:3] for _ in range(3_000)})
    t2s = opencc.OpenCC("s2t")

    start, span = dt.date(1940, 1, 1).toordinal(), (dt.date(2008, 12, 31) - dt.date(1940, 1, 1)).days
    ids: list[str] = []
    originals: dict[int, str] = {}
    for i in range(rows):
        if i < len(faker_ids):
            number = faker_ids[i]
        else:
            born = dt.date.fromordinal(start + rnd.randrange(span))
            first17 = f"{rnd.choice(areas)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
            number = first17 + stdnum_ric.calc_check_digit(first17 + "0")
        roll = rnd.random()
        if roll < 0.02:
            pos = rnd.randrange(17)
            if rnd.random() < 0.5:
                bad = number[:pos] + rnd.choice([d for d in "0123456789" if d != number[pos]]) + number[pos + 1 :]
            else:
                bad = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
            if bad != number:
                originals[i] = number
                number = bad
        elif roll < 0.03:
            number = rnd.choice([number.lower(), _full_width(number), f"{number[:6]} {number[6:14]} {number[14:]}"])
        elif roll < 0.04 and number[6:8] == "19":
            number = number[:6] + number[8:17]
        ids.append(number)

    # Zipf-like: index = pool size * u^3 puts most rows on the common names.
    names: list[str] = []
    for _ in range(rows):
        name = name_pool[int(len(name_pool) * rnd.random() ** 3)]
        roll = rnd.random()
        if roll < 0.02:
            name = t2s.convert(name)
        elif roll < 0.03:
            name = " ".join(name)
        names.append(name)

    phones: list[str] = []
    for _ in range(rows):
        digits = rnd.choice(prefixes) + f"{rnd.randrange(10**8):08d}"
        roll = rnd.random()
        if roll < 0.08:
            digits = "+86 " + digits
        elif roll < 0.12:
            digits = "0086" + digits
        elif roll < 0.16:
            digits = f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        elif roll < 0.20:
            digits = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        phones.append(digits)
    return ids, names, phones, originals


def _clear_caches() -> None:
    names_mod.name_keys.cache_clear()
    names_mod._char_t2s.cache_clear()
    names_mod._char_reading.cache_clear()
    phones_mod._via_phonenumbers.cache_clear()
    ric.parse_birth_date.cache_clear()
    ric.area_code_exists.cache_clear()


def main() -> None:
    """Generate, time the three column helpers, report throughput and typo-recovery statistics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    ids, names, phones, originals = generate(args.rows, args.seed)
    id_arr, name_arr, phone_arr = (pa.array(c, type=pa.string()) for c in (ids, names, phones))
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")

    today = dt.date.today()
    # load the reference data once (GB/T 2260 codes, birth-date and prefix tables), as a long-running
    # worker would, then drop every per-value cache so that all per-distinct work is timed.
    normalize_documents(id_arr.slice(0, 100), today=today)
    normalize_phones(phone_arr.slice(0, 100))
    name_keys_table(name_arr.slice(0, 100))
    _clear_caches()
    # wall time and this process's CPU time: on a shared machine the wall clock also measures the
    # other processes, the CPU time what this code costs.
    timings: dict[str, tuple[float, float]] = {}
    t_all, c_all = time.perf_counter(), time.process_time()
    t, c = time.perf_counter(), time.process_time()
    docs = normalize_documents(id_arr, today=today)
    timings["documents"] = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
    keys = name_keys_table(name_arr)
    timings["names"] = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
    e164 = normalize_phones(phone_arr)
    timings["phones"] = (time.perf_counter() - t, time.process_time() - c)
    total, cpu = time.perf_counter() - t_all, time.process_time() - c_all

    valid = docs.column("valid").to_pylist()
    codes = docs.column("error_code").to_pylist()
    distinct_names = len(set(names))
    print(f"normalised {args.rows:,} rows in {total:.2f} s wall = {args.rows / total:,.0f} rows/s; "
          f"CPU {cpu:.2f} s = {args.rows / cpu:,.0f} rows per CPU-second")
    print("  " + "; ".join(f"{k} {w:.2f} s wall / {c:.2f} s CPU" for k, (w, c) in timings.items()))
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"distinct names {distinct_names:,}; name keys computed {names_mod.name_keys.cache_info().misses:,} times")
    print(f"valid IDs {sum(valid):,}; errors "
          + ", ".join(f"{c} {codes.count(c):,}" for c in sorted({c for c in codes if c})))
    print(f"valid phones {args.rows - e164.column('phone').null_count:,}; "
          f"converted from 15 digits {sum(docs.column('converted_from_15').to_pylist()):,}; "
          f"pinyin sample {keys.column('pinyin')[0]}")

    bad = [(i, docs.column("number")[i].as_py()) for i, c in enumerate(codes)
           if c in ("bad_check_digit", "bad_characters") and len(docs.column("number")[i].as_py()) == 18]
    t = time.perf_counter()
    counts = []
    recovered = 0
    for i, number in bad:
        cands = ric.recovery_candidates(number, today)
        counts.append(len(cands))
        recovered += originals.get(i) in {c.number for c in cands}
    t_rec = time.perf_counter() - t
    if counts:
        print(f"typo recovery: {len(counts):,} bad IDs, candidates per bad ID mean {sum(counts) / len(counts):.2f}, "
              f"max {max(counts)}, zero {counts.count(0):,}; original recovered {recovered:,}/{len(counts):,}; "
              f"{t_rec / len(counts) * 1e6:.0f} µs per bad ID")
    undetected = sum(1 for i in originals if valid[i])
    print(f"corrupted IDs {len(originals):,}, of which passing every check (undetectable) {undetected:,}")


if __name__ == "__main__":
    main()
