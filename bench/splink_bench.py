"""Splink on Spark (local mode) beside pingan's engines: probabilistic linkage of the roster to the identities in
the movement records, on the data ``bench/spark_bench.py`` generated — time, peak memory, and how many roster
rows it links to the right person.

    PYTHONPATH=<dir with splink> .venv/bin/python bench/splink_bench.py bench/out/screen-100000x1000000/data

Splink is not a pingan dependency: install it apart (``pip install --target DIR splink sqlglot``; it brings
its own Spark 4 similarity jar) and put DIR on ``PYTHONPATH``. It answers another question than the rule
contract: *which movement identity is this roster row*, with a model trained on the data (Fellegi–Sunter,
u from random pairs, m by expectation maximisation), not *which rule hits*. What is compared is the first
step both do — linking rows whose number is corrupted — against ``truth.csv`` (the generator's clean number).

Model: link_only between the roster rows (``name``, the number as written, birth date from the roster's
column or the number's digits) and the distinct (number, name) pairs of all movement records; comparisons
``id_number`` (exact, Damerau–Levenshtein ≤ 1, ≤ 2), ``name`` (exact, Levenshtein ≤ 1), ``birth_date``
(exact); blocking on the number, and on birth date + first character of the name (the surname). A roster
row's link is its most probable pair above 0.9; it is right when that identity's number is the row's clean
number. The report goes to stdout as JSON (times per phase, counts, peak RSS of the process tree).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import pyarrow as pa, pyarrow.csv as pcsv
from pyspark.sql import SparkSession, functions as F
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.spark import SparkAPI, similarity_jar_location
from pingan.screening.roster import read_roster_arrow
data, master = sys.argv[1], sys.argv[2]
out = {}
spark = (SparkSession.builder.master(master).config("spark.driver.memory", "4g")
         .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
         .config("spark.jars", similarity_jar_location())
         .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
spark.sparkContext.setCheckpointDir("/tmp/splink-checkpoints")
out["session_s"] = round(time.perf_counter() - t0, 1)
t = time.perf_counter()
roster, _, _ = read_roster_arrow(data + "/roster.csv")
r = spark.createDataFrame(roster.select(["row", "name", "id_number", "birth_date"]).cast(pa.schema([
    ("row", pa.int64()), ("name", pa.string()), ("id_number", pa.string()), ("birth_date", pa.string())])))
bd = "to_date(try_to_timestamp(substr(id_number, 7, 8), 'yyyyMMdd'))"
left = r.selectExpr("CAST(row AS STRING) AS unique_id", "name", "upper(trim(id_number)) AS id_number",
                    f"coalesce(to_date(birth_date), {bd}) AS birth_date", "substr(name, 1, 1) AS surname")
mv = spark.read.parquet(data + "/movements.parquet")
right = (mv.selectExpr("upper(trim(id_number)) AS id_number", "name").distinct()
         .selectExpr("concat(id_number, '|', name) AS unique_id", "name", "id_number", f"{bd} AS birth_date",
                     "substr(name, 1, 1) AS surname").localCheckpoint(eager=True))
out["movement_identities"] = right.count()
out["roster_rows"] = left.count()
out["prepare_s"] = round(time.perf_counter() - t, 1)
settings = SettingsCreator(
    link_type="link_only",
    comparisons=[cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]), cl.LevenshteinAtThresholds("name", [1]),
                 cl.ExactMatch("birth_date")],
    blocking_rules_to_generate_predictions=[block_on("id_number"), block_on("birth_date", "surname")],
    retain_intermediate_calculation_columns=False)
db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
linker = Linker([db_api.register(left, dataset_display_name="roster"),
                 db_api.register(right, dataset_display_name="movements")], settings, log_level="WARNING")
t = time.perf_counter()
linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.9)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
out["train_s"] = round(time.perf_counter() - t, 1)
t = time.perf_counter()
pred = linker.inference.predict(threshold_match_probability=0.9).as_spark_dataframe()
best = (pred.selectExpr("unique_id_l AS row", "id_number_r AS linked", "match_probability")
        .groupBy("row").agg(F.max_by("linked", "match_probability").alias("linked")))
truth = spark.createDataFrame(pcsv.read_csv(data + "/truth.csv", convert_options=pcsv.ConvertOptions(
    column_types={"row": pa.string(), "clean_id": pa.string()})).select(["row", "clean_id", "corruption"]))
known = mv.selectExpr("upper(trim(id_number)) AS clean_id").distinct()
res = (truth.join(known.withColumn("in_movements", F.lit(True)), "clean_id", "left")
       .join(best, "row", "left")
       .groupBy(F.col("corruption") != "clean", "in_movements")
       .agg(F.count("*").alias("rows"), F.sum((F.col("linked") == F.col("clean_id")).cast("int")).alias("right"),
            F.sum((F.col("linked") != F.col("clean_id")).cast("int")).alias("wrong"))).collect()
out["predict_s"] = round(time.perf_counter() - t, 1)
out["links"] = [{"corrupted": x[0], "in_movements": bool(x[1]), "rows": x[2], "right": x[3] or 0,
                 "wrong": x[4] or 0} for x in res]
out["total_s"] = round(time.perf_counter() - t0, 1)
print(json.dumps(out))
"""


def main() -> None:
    from spark_bench import _load, _tree_rss_kib

    data = sys.argv[1]
    master = sys.argv[2] if len(sys.argv) > 2 else "local[2]"
    load0, t0, peak, cpu = _load(), time.perf_counter(), 0, {}
    # Splink's Spark steps start Python workers: the same interpreter as the driver (the machine's default
    # python3 lacks pyspark's dependencies, and a stage waited on it with no progress)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, data, master], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid, cpu))
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    res = {"data": data, "wall_s": round(time.perf_counter() - t0, 1), "peak_rss_mib": round(peak / 1024),
           "cpu_s": round(sum(cpu.values()), 1), "load_before": load0, "load_after": _load()}
    if proc.returncode:
        res["error"] = stderr.strip().splitlines()[-5:]
    else:
        res.update(json.loads(stdout.strip().splitlines()[-1]))
    print(json.dumps(res, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
