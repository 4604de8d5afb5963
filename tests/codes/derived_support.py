"""Real screenings for the derived-code tests: a high-risk listing of 思明区 (350203, 2022-08-10 to 08-25),
one movement record of a red tenant there, rosters of N people built from valid resident ID numbers, and a
run through the screening services (the path `pingan worker` takes), so the code hook fires as in use."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pyarrow as pa
from stdnum.cn import ric

SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2022, 8, 20)
LISTED_FROM, LISTED_UNTIL = dt.datetime(2022, 8, 10, 20, tzinfo=SH), dt.datetime(2022, 8, 25, 20, tzinfo=SH)


def rid(prefix: str, birth: str, seq: str) -> str:
    body = prefix + birth + seq
    return body + ric.calc_check_digit(body + "0")


RED_ID = rid("350203", "19900101", "123")
TENANTS = [(f"租户{i:02d}", rid("110105", f"1980{(i % 12) + 1:02d}{(i % 27) + 1:02d}", f"{100 + i:03d}"))
           for i in range(30)]


def listing_table(area_key: str = "k-high", adcode: str = "350203", community: str = "莲前街道某社区",
                  listed_until: dt.datetime | None = LISTED_UNTIL, level: str = "high") -> pa.Table:
    from pingan.screening.riskdata.nhc import LISTING_SCHEMA

    row = (area_key, "福建省", "厦门市", "思明区", community, adcode, "county", None, level, LISTED_FROM,
           listed_until, listed_until, "NHC", "a", "b")
    return pa.Table.from_arrays([pa.array([v], f.type) for v, f in zip(row, LISTING_SCHEMA, strict=True)],
                                schema=LISTING_SCHEMA)


def listings(*tables: pa.Table) -> pa.Table:
    return pa.concat_tables(tables)


def import_risk(tmp_path, movements: list[tuple[str, str]] = ((RED_ID, "张伟"),), *, extra=()):
    """Store the listing and movement records of ``movements`` (ID, name) in 莲前街道 on 2022-08-15, and
    ``extra`` records ``(ID, name, adcode, place, day)``."""
    from pingan.screening import services

    services.risk_dataset_store(kind="listings", name="test listings", source="test", table=listing_table())
    records = [(i, n, "350203", "莲前街道某社区", "2022-08-15") for i, n in movements] + list(extra)
    return import_movements(tmp_path, "movements.csv", records)


def import_movements(tmp_path, name: str, records):
    """Import movement records ``(ID, name, adcode, place, day)`` (9:00–18:00 that day) as dataset ``name``."""
    from pingan.screening import riskimport

    mv = tmp_path / name
    with open(mv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id_type", "id_number", "name", "adcode", "place", "start", "end", "source"])
        for id_number, person, adcode, place, day in records:
            w.writerow(["ric", id_number, person, adcode, place, f"{day}T09:00:00+08:00", f"{day}T18:00:00+08:00",
                        "hotel_checkin"])
    return riskimport.import_movements(mv)


def roster(people: list[tuple[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "证件类型", "证件号码"])
    for name, id_number in people:
        w.writerow([name, "居民身份证", id_number])
    return buf.getvalue().encode("utf-8")


def run(premises, people: list[tuple[str, str]]):
    """Screen ``people`` for ``premises`` as its owner, through the services; returns the finished job."""
    from pingan.screening import services

    job = services.screening_job_create(actor=premises.owner, roster_name="roster.csv", roster_bytes=roster(people),
                                        premises=premises, as_of=AS_OF)
    return services.screening_job_run(job=job)
