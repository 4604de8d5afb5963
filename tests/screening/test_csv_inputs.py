"""CSV risk inputs are read as text: no column type is guessed from the values (issue 12, item 22).

``pingan screen --movements FILE.csv`` crashed with a traceback on a file in the documented format: DuckDB
guessed ``adcode`` to be a number and ``substr(adcode, …)`` failed; a guessed number also drops the leading
zeros of a phone. The listings CSV the engine reads had the same guess.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile

import pyarrow as pa
import pytest
from django.core.management import call_command
from test_jobs import RED_ID, YELLOW_ID, listings_table, risk, roster_bytes  # noqa: F401 - risk is a fixture

from pingan.screening.models import Hit, PersonResult, ScreeningJob

pytestmark = pytest.mark.django_db

HEADER = ["id_type", "id_number", "name", "adcode", "place", "start", "end", "source"]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def roster(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_bytes(roster_bytes())
    return src


def listings_with_a_prefecture() -> pa.Table:
    """The fixture's listings plus one whole prefecture (厦门市, 350200): prefix filters use substr(adcode)."""
    t = listings_table()
    extra = {f.name: t.column(f.name).slice(0, 1).to_pylist() for f in t.schema}
    extra.update(area_key=["k-pref"], community=[None], adcode=["350200"], adcode_level=["prefecture"],
                 level=["medium"], county=[""])
    return pa.concat_tables([t, pa.table(extra, schema=t.schema)])


def test_it_screens_with_a_movement_csv_in_the_documented_format(db, roster, tmp_path):
    from pingan.screening import services

    services.risk_dataset_store(kind="listings", name="test", source="test", table=listings_with_a_prefecture())
    # every adcode is digits only (DuckDB guessed BIGINT, and substr(adcode, 1, 4) failed); every number
    # in the first 20,480 rows (DuckDB's sniffing sample) is digits only, the last one ends in X
    filler = [["居民身份证", f"{110101199001010000 + i}", "某人", "110105", "朝阳区", "2022-08-15T09:00:00+08:00",
               "2022-08-15T10:00:00+08:00", "rail_ticket"] for i in range(20_500)]
    mv = write_csv(tmp_path / "mv.csv", [
        ["居民身份证", RED_ID, "张伟", "350203", "莲前街道某社区", "2022-08-15T09:00:00+08:00",
         "2022-08-15T18:00:00+08:00", "hotel_checkin"],
        ["居民身份证", YELLOW_ID, "李娜", "350206", "江头街道某小区", "2022-08-16T09:00:00+08:00",
         "2022-08-16T12:00:00+08:00", "rail_ticket"],
        *filler,
        ["居民身份证", "35020319900101123X", "某人", "350211", "集美区", "2022-08-15T09:00:00+08:00",
         "2022-08-15T10:00:00+08:00", "rail_ticket"],
    ])
    out = tmp_path / "out.csv"
    call_command("screen", str(roster), "--movements", str(mv), "--as-of", "2022-08-20", "--out", str(out),
                 "--no-progress")
    job = ScreeningJob.objects.get()
    assert job.status == "done", job.error
    levels = dict(PersonResult.objects.filter(job=job).values_list("row", "level"))
    assert levels[2] == "red" and levels[3] == "yellow"
    assert Hit.objects.get(job=job, person__row=2, rule_id="area-high").record_ref == "mv:0"


@pytest.mark.usefixtures("risk")
def test_it_keeps_the_leading_zeros_of_codes_in_a_movement_csv(roster, tmp_path):
    from pingan.screening import services

    # record ids of digits (guessed BIGINT: 000123 → 123) and naive local times
    mv = write_csv(tmp_path / "mv.csv", [
        ["ric", RED_ID, "张伟", "350203", "莲前街道某社区", "2022-08-15 09:00:00", "2022-08-15 18:00:00",
         "hotel_checkin", "000123"],
    ], header=[*HEADER, "record_id"])
    job = services.screening_job_create(actor=None, roster_name="roster.csv", roster_bytes=roster.read_bytes(),
                                        as_of=dt.date(2022, 8, 20))
    services.screening_job_run(job=job, movements=[str(mv)])
    assert Hit.objects.get(job=job, person__row=2, rule_id="area-high").record_ref == "000123"


def test_it_reads_a_listings_csv_as_text(db, tmp_path, roster):
    import pyarrow.csv as pcsv

    from pingan.screening import services

    listings = tmp_path / "listings.csv"
    pcsv.write_csv(listings_table(), listings)
    mv = write_csv(tmp_path / "mv.csv", [
        ["ric", RED_ID, "张伟", "350203", "莲前街道某社区", "2022-08-15T09:00:00+08:00",
         "2022-08-15T18:00:00+08:00", "hotel_checkin"]])
    job = services.screening_job_create(actor=None, roster_name="roster.csv", roster_bytes=roster.read_bytes(),
                                        as_of=dt.date(2022, 8, 20))
    services.screening_job_run(job=job, movements=[str(mv)], listings=str(listings))
    assert dict(PersonResult.objects.filter(job=job).values_list("row", "level"))[2] == "red"


@pytest.mark.usefixtures("risk")
def test_it_leaves_no_temporary_directory_behind(roster, tmp_path, settings, monkeypatch):
    """Issue 12, item 23: every screening left an empty ``pingan-duckdb-*`` directory in the temp dir."""
    from pingan.screening import batch, rules, services

    # the system temp dir the engine falls back to, here a folder of this test's own (the shared /tmp has
    # other processes' directories)
    spill_parent = tmp_path / "spill"
    spill_parent.mkdir()
    monkeypatch.delenv("PINGAN_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(spill_parent))
    data_tmp = os.path.join(settings.DATA_DIR, "tmp")
    before_data = set(os.listdir(data_tmp)) if os.path.isdir(data_tmp) else set()
    for _ in range(3):
        job = services.screening_job_create(actor=None, roster_name="roster.csv",
                                            roster_bytes=roster.read_bytes(), as_of=None)
        services.screening_job_run(job=job)
    # the engine alone, without a spill directory given (benchmarks, the identity tests), made to spill
    empty = pa.table({c: pa.array([], pa.string()) for c in ("id_number", "name", "adcode", "place", "start", "end")})
    batch.get_engine("duckdb", memory_limit="200MB").screen(
        pa.table({"row": [2], "name": ["张伟"], "id_number": [RED_ID]}), listings=listings_table(),
        movements=empty, ruleset=rules.load_ruleset(None), as_of=dt.datetime(2022, 8, 20, tzinfo=dt.UTC))
    from pingan.lib import duck

    con = duck.connect(memory_limit="30MB", threads=1)
    con.execute("SELECT count(DISTINCT md5(i::VARCHAR)) FROM range(2000000) t(i)").fetchall()
    assert os.listdir(spill_parent), "the query above should have spilled"
    con.close()
    assert os.listdir(spill_parent) == []
    assert set(os.listdir(data_tmp)) <= before_data
