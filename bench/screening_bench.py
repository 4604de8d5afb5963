"""Screening benchmark: accuracy per corruption type, end-to-end speed and memory, and two peers.

    .venv/bin/python bench/screening_bench.py --people 100000 --movements 10000000
    .venv/bin/python bench/screening_bench.py --people 1000000 --movements 100000000

Steps (figures printed, and written to ``<out>/report-<time>.json``):

1. Data: ``pingan.screening.synth.generate_large`` when it runs, else the local generator below (same
   file shapes: ``roster.csv`` with the ingest's Chinese headers, ``movements.parquet`` with
   ``id_type,id_number,name,adcode,place,start,end,source``, ``truth.csv``). Listings: the bundled NHC 2022
   listing intervals. The local generator writes the expected level of every roster row, because it
   plants every exposure (background stays only go to counties with no listing near the window).
2. Engine end to end in a fresh subprocess (so peak RSS is the run's own): read the roster file
   (``read_roster_arrow``), normalise, compare, apply the default rule set, write Parquet.
3. Bare DuckDB hash join of the roster and movement files on the ID number (the floor).
4. Splink (DuckDB backend), deterministic link blocked on the ID number, in a subprocess with an address
   space limit; skipped with the reason when it is not installed, fails or exceeds the limit.
5. Accuracy from the truth: recall and precision of "should be flagged" (expected level ≠ green) against
   the movement rules' level, overall and per corruption type, and exact level agreement.

Peak memory is the child's ``ru_maxrss`` (``resource.getrusage(RUSAGE_CHILDREN)``), in MiB.
"""

# SQL below is built from numbers and paths this script controls, never from outside text.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯建国建"
    "华志强海燕晓东文博子涵梓轩雨欣一诺思远嘉怡俊杰"
)
CORRUPTIONS = ("typo", "transposition", "id15", "traditional", "fullwidth", "homophone", "missing_phone",
               "missing_id", "lowercase_x", "spaces_dashes")


# ------------------------------------------------------------------------------------------ generator


def generate_local(out: Path, people: int, movements: int, as_of: dt.date, seed: int) -> None:
    """Write roster.csv, movements.parquet and truth.csv (with expected levels) using DuckDB SQL.

    Identities: GB 11643-1999 numbers built from a bijective hash of the person index (unique), current
    county codes, birth dates 1950–2004, MOD 11-2 check character computed in SQL. Population = 5 ×
    ``people``; the first ``people`` are the roster. 5 % of the roster is exposed (area_high 50 %,
    area_medium 30 %, county_high 20 %), 5 % are traps (a listed area visited 10–12 days before
    ``as_of``), 10 % carry one corruption (equal shares of CORRUPTIONS, where applicable).
    """
    import duckdb
    import pyarrow as pa

    from pingan.lib import adcodes
    from pingan.lib.duck import connect
    from pingan.screening.riskdata.nhc import bundled_nhc_listings

    out.mkdir(parents=True, exist_ok=True)
    con = connect(memory_limit="6GB")
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    listings = bundled_nhc_listings()
    con.register("listings", listings)
    d = as_of.isoformat()
    counties = [v.code for v in adcodes.divisions() if v.current and v.level == "county"]
    con.register("counties_in", pa.table({"adcode": counties}))
    # Counties listed (any level) anywhere near the window are kept out of the background.
    con.execute(f"""
        CREATE TABLE bg_counties AS
        SELECT adcode, row_number() OVER (ORDER BY adcode) - 1 AS i FROM counties_in
        WHERE substr(adcode, 1, 4) NOT IN (
            SELECT DISTINCT substr(adcode, 1, 4) FROM listings WHERE adcode IS NOT NULL
              AND listed_from < TIMESTAMPTZ '{d}' + INTERVAL 2 DAY
              AND coalesce(listed_until, 'infinity'::TIMESTAMPTZ) > TIMESTAMPTZ '{d}' - INTERVAL 45 DAY)
    """)
    con.execute(f"""
        CREATE TABLE act AS
        SELECT area_key, adcode, community, level, row_number() OVER (PARTITION BY level ORDER BY area_key) - 1 AS i
        FROM listings
        WHERE adcode_level = 'county' AND community IS NOT NULL AND length(community) >= 2
          AND level IN ('high', 'medium')
          AND listed_from < TIMESTAMPTZ '{d}' - INTERVAL 4 DAY
          AND coalesce(listed_until, 'infinity'::TIMESTAMPTZ) > TIMESTAMPTZ '{d}' - INTERVAL 3 DAY
    """)
    con.execute(f"""
        CREATE TABLE old AS
        SELECT area_key, adcode, community, row_number() OVER (ORDER BY area_key) - 1 AS i FROM listings
        WHERE adcode_level = 'county' AND community IS NOT NULL AND length(community) >= 2 AND level = 'high'
          AND listed_from < TIMESTAMPTZ '{d}' - INTERVAL 13 DAY
          AND listed_until BETWEEN TIMESTAMPTZ '{d}' - INTERVAL 12 DAY AND TIMESTAMPTZ '{d}' - INTERVAL 9 DAY
          AND adcode NOT IN (SELECT adcode FROM act)
    """)
    n_bg = con.execute("SELECT count(*) FROM bg_counties").fetchall()[0][0]
    n_hi, n_med = (con.execute(f"SELECT count(*) FROM act WHERE level = '{lv}'").fetchall()[0][0]
                   for lv in ("high", "medium"))
    n_old = con.execute("SELECT count(*) FROM old").fetchall()[0][0]
    if not (n_bg and n_hi and n_med and n_old):
        raise SystemExit(f"as_of {d}: listings too sparse (bg={n_bg}, high={n_hi}, medium={n_med}, old={n_old})")
    pop = 5 * people
    con.execute(f"CREATE MACRO h(x, s) AS hash(x + {seed} * 1000003 + s * 7919)")
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    wsum = " + ".join(f"CAST(substr(f17, {i + 1}, 1) AS INT) * {w}" for i, w in enumerate(weights))
    sur = SURNAMES
    giv = GIVEN
    con.execute(f"""
        CREATE TABLE persons AS
        WITH k AS (SELECT r.i, (r.i * 2654435761) % 4294967296 AS key FROM range({pop}) r(i))
        SELECT k.i, b.adcode || strftime(DATE '1950-01-01' + CAST((key // 1000) % 20000 AS INT), '%Y%m%d')
                  || lpad(CAST(key % 1000 AS VARCHAR), 3, '0') AS f17,
               DATE '1950-01-01' + CAST((key // 1000) % 20000 AS INT) AS born,
               substr('{sur}', CAST(h(k.i, 2) % {len(sur)} AS INT) + 1, 1)
               || substr('{giv}', CAST(h(k.i, 3) % {len(giv)} AS INT) + 1, 1)
               || CASE WHEN h(k.i, 4) % 2 = 0 THEN substr('{giv}', CAST(h(k.i, 5) % {len(giv)} AS INT) + 1, 1)
                       ELSE '' END AS name,
               '13' || lpad(CAST(h(k.i, 6) % 1000000000 AS VARCHAR), 9, '0') AS phone
        FROM k JOIN bg_counties b ON b.i = (key // 20000000 * 17) % {n_bg}
    """)
    # GB 11643-1999: check value c = (1 - sum(a_i * W_i)) mod 11, W_i = 2^(17-i) mod 11 (i from 0).
    con.execute(f"""
        CREATE TABLE people AS
        SELECT i, f17 || CASE ((1 - ({wsum})) % 11 + 11) % 11 WHEN 10 THEN 'X'
                              ELSE CAST(((1 - ({wsum})) % 11 + 11) % 11 AS VARCHAR) END AS id,
               born, name, phone FROM persons
    """)
    # scenario per roster person; outsiders get exposures too (same share) so joins are not trivial.
    con.execute(f"""
        CREATE TABLE scen AS
        SELECT i, CASE WHEN u < 25 THEN 'area_high' WHEN u < 40 THEN 'area_medium' WHEN u < 50 THEN 'county_high'
                       WHEN u < 100 THEN 'trap_window' ELSE 'background' END AS scenario,
                  h(i, 9) AS pick
        FROM (SELECT i, h(i, 8) % 1000 AS u FROM range({pop}) r(i))
    """)
    ts = "TIMESTAMPTZ '" + d + " 00:00:00+08'"
    con.execute(f"""
        CREATE TABLE exposures AS
        SELECT s.i, s.scenario, a.area_key, a.adcode,
               CASE WHEN s.scenario = 'county_high' THEN '测试大道' || (s.pick % 900 + 100) || '号'
                    WHEN s.pick % 3 = 0 THEN a.community || (s.pick % 20 + 1) || '栋' ELSE a.community END AS place,
               {ts} - INTERVAL 4 DAY + INTERVAL 10 HOUR AS t0
        FROM scen s JOIN act a ON a.level = CASE WHEN s.scenario = 'area_medium' THEN 'medium' ELSE 'high' END
                               AND a.i = s.pick % CASE WHEN s.scenario = 'area_medium' THEN {n_med} ELSE {n_hi} END
        WHERE s.scenario IN ('area_high', 'area_medium', 'county_high')
        UNION ALL
        SELECT s.i, s.scenario, o.area_key, o.adcode, o.community, {ts} - INTERVAL 15 DAY + INTERVAL 10 HOUR
        FROM scen s JOIN old o ON o.i = s.pick % {n_old}
        WHERE s.scenario = 'trap_window'
    """)
    n_exp = con.execute("SELECT count(*) FROM exposures").fetchall()[0][0]
    n_back = max(movements - n_exp, 0)
    con.execute(f"""
        COPY (
            SELECT '居民身份证' AS id_type, p.id AS id_number, p.name, e.adcode, e.place, e.t0 AS start,
                   e.t0 + INTERVAL 2 HOUR AS "end", 'hotel_checkin' AS source
            FROM exposures e JOIN people p USING (i)
            UNION ALL
            SELECT '居民身份证', p.id, p.name, b.adcode, '幸福路' || (h(r, 12) % 999 + 1) || '号',
                   {ts} - INTERVAL 30 DAY + to_seconds(CAST(h(r, 13) % (31 * 86400) AS BIGINT)),
                   {ts} - INTERVAL 30 DAY + to_seconds(CAST(h(r, 13) % (31 * 86400) AS BIGINT))
                       + INTERVAL 3 HOUR, 'rail_ticket'
            FROM range({n_back}) t(r)
            JOIN people p ON p.i = h(r, 11) % {pop}
            JOIN bg_counties b ON b.i = h(r, 14) % {n_bg}
        ) TO '{out / "movements.parquet"}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
    """)
    roster = con.execute(f"""
        SELECT p.i, p.id, p.name, p.phone, p.born, s.scenario,
               CASE WHEN h(p.i, 20) % 10 = 0 THEN {list(CORRUPTIONS)}[CAST(h(p.i, 21) % 10 AS INT) + 1]
                    ELSE 'clean' END AS corruption
        FROM people p JOIN scen s USING (i) WHERE p.i < {people} ORDER BY p.i
    """).fetchall()
    con.close()
    _write_roster(out, roster, seed)
    del duckdb


def _write_roster(out: Path, roster: list[tuple], seed: int) -> None:
    import csv
    import random

    import opencc

    s2t = opencc.OpenCC("s2t")
    homophone = {"伟": "炜", "芳": "方", "娜": "纳", "静": "靜", "丽": "莉", "强": "墙", "磊": "垒", "军": "君",
                 "洋": "阳", "勇": "涌", "杰": "洁", "涛": "韬", "明": "鸣", "超": "潮", "平": "萍", "刚": "钢",
                 "华": "化", "玉": "宇", "鑫": "新", "波": "博", "斌": "彬", "宇": "雨", "浩": "昊"}
    rng = random.Random(seed)
    expected = {"area_high": "red", "area_medium": "yellow", "county_high": "yellow"}
    full = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    with (out / "roster.csv").open("w", encoding="utf-8-sig", newline="") as fr, \
         (out / "truth.csv").open("w", encoding="utf-8", newline="") as ft:
        wr, wt = csv.writer(fr), csv.writer(ft)
        wr.writerow(("姓名", "证件类型", "证件号码", "手机号码", "性别", "出生日期"))
        wt.writerow(("row", "clean_id", "clean_name", "corruption", "scenario", "expected_level"))
        for n, (_i, number, name, phone, born, scenario, corruption) in enumerate(roster, start=2):
            id_w, name_w, phone_w, id_type = number, name, phone, "居民身份证"
            if corruption == "typo":
                k = rng.randrange(17)
                id_w = number[:k] + rng.choice([c for c in "0123456789" if c != number[k]]) + number[k + 1:]
            elif corruption == "transposition":
                spots = [k for k in range(16) if number[k] != number[k + 1]]
                k = rng.choice(spots)
                id_w = number[:k] + number[k + 1] + number[k] + number[k + 2:]
            elif corruption == "id15" and number[6:8] == "19":
                id_w = number[:6] + number[8:17]
            elif corruption == "traditional" and s2t.convert(name) != name:
                name_w = s2t.convert(name)
            elif corruption == "fullwidth":
                id_w = number.translate(full)
            elif corruption == "homophone" and any(c in homophone for c in name[1:]):
                name_w = name[0] + "".join(homophone.get(c, c) for c in name[1:])
            elif corruption == "missing_phone":
                phone_w = ""
            elif corruption == "missing_id":
                id_w, id_type = "", ""
            elif corruption == "lowercase_x" and number.endswith("X"):
                id_w = number[:-1] + "x"
            elif corruption == "spaces_dashes":
                id_w = "-".join((number[:6], number[6:14], number[14:]))
            else:
                corruption = "clean"
            sex = "男" if int(number[16]) % 2 else "女"
            wr.writerow((name_w, id_type, id_w, phone_w, sex, born.isoformat()))
            wt.writerow((n, number, name, corruption, scenario, expected.get(scenario, "green")))


# ------------------------------------------------------------------------------------------ runners


def _child(code: str, *args: str, limit_gib: float | None = None, timeout: float = 900) -> dict:
    """Run ``code`` in a fresh interpreter; returns its JSON output plus wall time and peak RSS (MiB)."""
    def limit() -> None:
        if limit_gib:
            size = int(limit_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              timeout=timeout, preexec_fn=limit, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out: dict = {"wall_s": round(wall, 2), "peak_rss_mib": round(peak / 1024, 1),
                 "peak_is_lower_bound": peak == before}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip() and "See also" not in ln]
        out.update(ok=False, error=" | ".join(lines[-2:])[:600] or f"exit status {proc.returncode}")
        return out
    out.update(ok=True, **json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


ENGINE_CODE = r"""
import datetime as dt, json, sys, time
t0 = time.perf_counter()
from zoneinfo import ZoneInfo
from pingan.screening.batch import get_engine
from pingan.screening.roster import read_roster_arrow
from pingan.screening.rules import load_ruleset
from pingan.screening.riskdata.nhc import bundled_nhc_listings
data, out, as_of = sys.argv[1], sys.argv[2], dt.date.fromisoformat(sys.argv[3])
listings = bundled_nhc_listings(); ruleset = load_ruleset()
t_start = time.perf_counter()
roster, rejected, meta = read_roster_arrow(data + "/roster.csv")
t_read = time.perf_counter() - t_start
import pyarrow as pa
rej = pa.table({"row": [r.row for r in rejected], "message": [r.message for r in rejected]}) if rejected else None
as_of_dt = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
res = get_engine("duckdb", memory_limit=sys.argv[4]).screen(
    roster, listings=listings, movements=data + "/movements.parquet", ruleset=ruleset, as_of=as_of_dt,
    rejected=rej)
res.write(out)
t_end = time.perf_counter()
print(json.dumps({"end_to_end_s": round(t_end - t_start, 2), "read_roster_s": round(t_read, 2),
                  "startup_s": round(t_start - t0, 2), "stages": res.stats["seconds"],
                  "counts": res.stats["counts"]}))
"""

SMALL_CODE = r"""
import datetime as dt, json, sys, time
from zoneinfo import ZoneInfo
import pyarrow as pa
from pingan.screening.batch import get_engine
from pingan.screening.roster import read_roster_arrow
from pingan.screening.rules import load_ruleset
from pingan.screening.riskdata.nhc import bundled_nhc_listings
data, small, out, as_of = sys.argv[1], sys.argv[2], sys.argv[3], dt.date.fromisoformat(sys.argv[4])
as_of_dt = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
t0 = time.perf_counter()
listings = bundled_nhc_listings(); ruleset = load_ruleset(); engine = get_engine("duckdb")
# start-up: imports, reference data, and one warm-up run (loads the identity module's tables).
warm = pa.table({"row": [2], "name": ["张三"], "id_number": ["11010119900307803X"]})
engine.screen(warm, listings=listings, movements=data + "/movements.parquet", ruleset=ruleset, as_of=as_of_dt)
t1 = time.perf_counter()
roster, rejected, meta = read_roster_arrow(small)
res = engine.screen(roster, listings=listings, movements=data + "/movements.parquet", ruleset=ruleset,
                    as_of=as_of_dt)
res.write(out)
t2 = time.perf_counter()
print(json.dumps({"startup_s": round(t1 - t0, 2), "small_end_to_end_s": round(t2 - t1, 3),
                  "rows": res.persons.num_rows, "stages": res.stats["seconds"]}))
"""

BARE_JOIN_CODE = r"""
import json, sys, time
import duckdb
from pingan.lib.duck import connect
data = sys.argv[1]
con = connect(memory_limit=sys.argv[2])
t0 = time.perf_counter()
n = con.execute(f'''
    SELECT count(*) FROM read_csv('{data}/roster.csv', header = true, all_varchar = true) r
    JOIN read_parquet('{data}/movements.parquet') m ON m.id_number = r."证件号码"''').fetchall()[0][0]
print(json.dumps({"join_s": round(time.perf_counter() - t0, 2), "pairs": n}))
"""

SPLINK_CODE = r"""
import json, sys, time
import duckdb
data = sys.argv[1]
t0 = time.perf_counter()
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI
con = duckdb.connect(config={"memory_limit": sys.argv[2], "threads": 2})
con.execute(f'''CREATE TABLE l AS SELECT row_number() OVER () AS unique_id, "证件号码" AS id_number, "姓名" AS name
                FROM read_csv('{data}/roster.csv', header = true, all_varchar = true)''')
con.execute(f'''CREATE TABLE r AS SELECT row_number() OVER () AS unique_id, id_number, name
                FROM read_parquet('{data}/movements.parquet')''')
db_api = DuckDBAPI(con)
settings = SettingsCreator(link_type="link_only", blocking_rules_to_generate_predictions=[block_on("id_number")],
                           comparisons=[], retain_intermediate_calculation_columns=False)
linker = Linker([db_api.register("l"), db_api.register("r")], settings, validate_settings=False)
pairs = linker.inference.deterministic_link()
n = pairs.as_duckdbpyrelation().count("*").fetchall()[0][0]
print(json.dumps({"link_s": round(time.perf_counter() - t0, 2), "pairs": n}))
"""


def accuracy(data: Path, persons_path: Path, hits_path: Path) -> dict:
    """Recall/precision of 'should be flagged' per corruption type (movement rules' level vs truth)."""
    import duckdb
    con = duckdb.connect()
    # The local truth numbers rows as Excel does (header = row 1); synth's truth numbers data rows from 1.
    first = con.execute(f"SELECT min(CAST(row AS BIGINT)) FROM read_csv('{data}/truth.csv', header = true, "
                        "all_varchar = true)").fetchall()[0][0]
    offset = 1 if first == 1 else 0
    rows = con.execute(f"""
        WITH t AS (SELECT * REPLACE (CAST(row AS BIGINT) + {offset} AS row)
                   FROM read_csv('{data}/truth.csv', header = true, all_varchar = true)),
        mv AS (SELECT row, max(CASE level_effect WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END) AS rank
               FROM read_parquet('{hits_path}') WHERE source = 'movements' AND NOT silent GROUP BY row),
        j AS (SELECT t.corruption, t.expected_level,
                     CASE coalesce(mv.rank, 0) WHEN 2 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END AS got,
                     p.level AS submitter_level, p.identity_status
              FROM t LEFT JOIN mv ON mv.row = CAST(t.row AS BIGINT)
              LEFT JOIN read_parquet('{persons_path}') p ON p.row = CAST(t.row AS BIGINT))
        SELECT coalesce(corruption, 'ALL') AS corruption, count(*) AS n,
               count(*) FILTER (WHERE expected_level <> 'green') AS should,
               count(*) FILTER (WHERE got <> 'green') AS flagged,
               count(*) FILTER (WHERE expected_level <> 'green' AND got <> 'green') AS tp,
               count(*) FILTER (WHERE expected_level = got) AS level_equal,
               count(*) FILTER (WHERE identity_status IN ('invalid', 'unverifiable')) AS needs_verification,
               count(*) FILTER (WHERE identity_status = 'corrected') AS corrected
        FROM j GROUP BY ROLLUP (corruption) ORDER BY corruption NULLS LAST
    """).fetchall()
    out = {}
    for corruption, n, should, flagged, tp, equal, needs, corrected in rows:
        out[corruption] = {
            "rows": n, "should_flag": should, "flagged": flagged, "true_pos": tp,
            "recall": round(tp / should, 5) if should else None,
            "precision": round(tp / flagged, 5) if flagged else None,
            "level_agreement": round(equal / n, 5), "needs_verification": needs, "corrected": corrected,
        }
    return out


def main() -> None:
    """Parse arguments, generate (or reuse) the data, run the three contenders, print the report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--movements", type=int, default=10_000_000)
    ap.add_argument("--as-of", default="2022-11-10")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="working directory (default bench/out/<sizes>)")
    ap.add_argument("--memory-limit", default="1.5GB", help="DuckDB memory limit for the engine")
    ap.add_argument("--splink-limit-gib", type=float, default=20.0, help="address-space cap for Splink")
    ap.add_argument("--splink-memory", default="16GB", help="DuckDB memory limit inside Splink")
    ap.add_argument("--splink-timeout", type=float, default=900.0, help="seconds before Splink is stopped")
    ap.add_argument("--skip-splink", action="store_true")
    ap.add_argument("--skip-bare", action="store_true", help="do not run the bare DuckDB join")
    ap.add_argument("--small-only", action="store_true",
                    help="only time a 50-row roster end to end after start-up, against the existing data")
    ap.add_argument("--generator", choices=("auto", "synth", "local"), default="local",
                    help="synth.generate_large has no expected levels at scale; local has (default)")
    args = ap.parse_args()
    out = args.out or ROOT / "bench" / "out" / f"screen-{args.people}x{args.movements}"
    data, result = out / "data", out / "result"
    as_of = dt.date.fromisoformat(args.as_of)
    report: dict = {"people": args.people, "movements": args.movements, "as_of": args.as_of}
    if not (data / "movements.parquet").exists() or not (data / "truth.csv").exists():
        t0 = time.perf_counter()
        gen = "local"
        if args.generator in ("auto", "synth"):
            try:
                from pingan.screening import synth
                from pingan.screening.riskdata.nhc import bundled_nhc_listings
                synth.generate_large(data, people=args.people, movements=args.movements,
                                     listings=bundled_nhc_listings(), as_of=as_of, seed=args.seed)
                gen = "synth"
            except Exception as exc:  # any failure → the local generator, reported
                print(f"note: synth.generate_large failed ({type(exc).__name__}: {exc}); using the local one")
        if gen == "local":
            generate_local(data, args.people, args.movements, as_of, args.seed)
        report["generate_s"] = round(time.perf_counter() - t0, 1)
        report["generator"] = gen
        print(f"generated data with {gen} in {report['generate_s']} s")
    small = out / "roster50.csv"
    with (data / "roster.csv").open(encoding="utf-8-sig") as fh:
        small.write_text("".join(line for _, line in zip(range(51), fh, strict=False)), encoding="utf-8")
    report["small_50"] = _child(SMALL_CODE, str(data), str(small), str(out / "result50"), args.as_of)
    print("50-row roster:", json.dumps(report["small_50"]))
    if args.small_only:
        return
    eng = _child(ENGINE_CODE, str(data), str(result), args.as_of, args.memory_limit)
    report["engine"] = eng
    print("engine:", json.dumps(eng, ensure_ascii=False))
    bare = ({"ok": False, "error": "skipped (--skip-bare)"} if args.skip_bare
            else _child(BARE_JOIN_CODE, str(data), args.memory_limit))
    report["bare_join"] = bare
    print("bare DuckDB join:", json.dumps(bare))
    if args.skip_splink:
        report["splink"] = {"ok": False, "error": "skipped (--skip-splink)"}
    else:
        try:
            import splink  # noqa: F401
            report["splink"] = _child(SPLINK_CODE, str(data), args.splink_memory, limit_gib=args.splink_limit_gib,
                                      timeout=args.splink_timeout)
        except ImportError:
            report["splink"] = {"ok": False, "error": "splink not installed: pip install 'splink>=4'"}
    print("splink:", json.dumps(report["splink"]))
    if eng.get("ok"):
        e2e = eng["end_to_end_s"]
        if bare.get("ok"):
            report["ratio_engine_to_bare_join"] = round(e2e / bare["join_s"], 2)
        if report["splink"].get("ok"):
            report["ratio_splink_to_engine"] = round(report["splink"]["link_s"] / e2e, 2)
        report["accuracy"] = accuracy(data, result / "persons.parquet", result / "hits.parquet")
        print(f"{'corruption':<15}{'rows':>9}{'should':>8}{'flagged':>8}{'recall':>9}{'precision':>10}"
              f"{'level=':>9}{'verify':>8}{'fixed':>7}")
        for k, v in report["accuracy"].items():
            print(f"{k:<15}{v['rows']:>9}{v['should_flag']:>8}{v['flagged']:>8}{v['recall']!s:>9}"
                  f"{v['precision']!s:>10}{v['level_agreement']:>9}{v['needs_verification']:>8}{v['corrected']:>7}")
    for key in ("ratio_engine_to_bare_join", "ratio_splink_to_engine"):
        if key in report:
            print(f"{key}: {report[key]}")
    (out / f"report-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(report, indent=2,
                                                                              ensure_ascii=False))


if __name__ == "__main__":
    main()
