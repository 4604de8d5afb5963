"""Fixtures of the web tests: risk data, rosters with good and bad rows, screened jobs in A and B, sign-in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from stdnum.cn import ric

PASSWORD = "correct horse battery staple"  # the cast's password (tests/conftest.py)

SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2022, 8, 20)


def rid(prefix: str, birth: str, seq: str) -> str:
    body = prefix + birth + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check character


RED_ID = rid("350203", "19900101", "123")
YELLOW_ID = rid("350206", "19851212", "456")
GREEN_ID = rid("110105", "19700707", "789")


def listings_table() -> pa.Table:
    from pingan.screening.riskdata.nhc import LISTING_SCHEMA

    t0, t1 = dt.datetime(2022, 8, 10, 20, tzinfo=SH), dt.datetime(2022, 8, 25, 20, tzinfo=SH)
    rows = [
        ("k-high", "福建省", "厦门市", "思明区", "莲前街道某社区", "350203", "county", None, "high", t0, t1, t1,
         "NHC", "a", "b"),
        ("k-med", "福建省", "厦门市", "湖里区", "江头街道某小区", "350206", "county", None, "medium", t0, t1, t1,
         "NHC", "a", "b"),
    ]
    cols = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(cols, LISTING_SCHEMA, strict=True)],
                                schema=LISTING_SCHEMA)


@pytest.fixture
def risk(db, tmp_path):
    from pingan.screening import riskimport, services

    services.risk_dataset_store(kind="listings", name="test listings", source="test", table=listings_table())
    mv = tmp_path / "movements.csv"
    with open(mv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id_type", "id_number", "name", "adcode", "place", "start", "end", "source"])
        w.writerow(["ric", RED_ID, "张伟", "350203", "莲前街道某社区", "2022-08-15T09:00:00+08:00",
                    "2022-08-15T18:00:00+08:00", "hotel_checkin"])
        w.writerow(["ric", YELLOW_ID, "李娜", "350206", "江头街道某小区", "2022-08-16T09:00:00+08:00",
                    "2022-08-16T12:00:00+08:00", "rail_ticket"])
    return riskimport.import_movements(mv)


def roster_bytes(names: tuple[str, str, str] = ("张伟", "李娜", "王芳")) -> bytes:
    """Three good rows (red, yellow, green as of AS_OF), one with a bad check character, one without a name."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "证件类型", "证件号码", "手机号码"])
    w.writerow([names[0], "居民身份证", RED_ID, "13800138000"])
    w.writerow([names[1], "居民身份证", YELLOW_ID, "13900139000"])
    w.writerow([names[2], "居民身份证", GREEN_ID, "13700137000"])
    w.writerow(["赵六", "居民身份证", "350203199001011234", "13600136000"])
    w.writerow(["", "居民身份证", GREEN_ID[:-1] + "0", ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def screen(actor, premises, roster: bytes | None = None):
    """A finished job for ``premises``, screened as of AS_OF (so the 2022 risk data applies)."""
    from pingan.screening import services

    job = services.screening_job_create(actor=actor, roster_name="roster.csv", roster_bytes=roster or roster_bytes(),
                                        premises=premises, as_of=AS_OF)
    return services.screening_job_run(job=job)


@pytest.fixture
def screened_by_engine(risk, cast):
    """One job in station A (landlord_a) and one in B (landlord_b), screened by the real engine."""
    return (screen(cast.landlord_a, cast.premises_a, roster_bytes(("甲红", "甲黄", "甲绿"))),
            screen(cast.landlord_b, cast.premises_b, roster_bytes(("乙红", "乙黄", "乙绿"))))


# Rows of a finished job as the engine stores them (row, status, level, reason, name, id, hits), so that page,
# API and permission tests do not depend on the batch engine: (rule, match kind, silent)
RESULT_ROWS = [
    (2, "accepted", "red", "到访高风险区", "{p}红", RED_ID, [("area-high", "id_exact", False)]),
    (3, "accepted", "yellow", "到访中风险区", "{p}黄", YELLOW_ID, [("area-medium", "id_exact", False)]),
    (4, "accepted", "green", "", "{p}绿", GREEN_ID, [("watchlist-un", "name_dob", True)]),
    (5, "rejected", "", "第 5 行：证件号码校验位错误。请核对证件号码。", "{p}错", "350203199001011234", []),
]


def make_job(owner, premises, prefix: str):
    """A finished job with the rows above stored (database rows and the engine's Parquet result files),
    marked as its premises' latest finished job."""
    import pyarrow.parquet as pq
    from django.conf import settings
    from django.utils import timezone

    from pingan.screening.models import Hit, PersonResult, ScreeningJob
    from pingan.screening.services import LATEST_JOB_HOOKS, screening_job_latest_refresh

    job = ScreeningJob.objects.create(
        premises=premises, submitted_by=owner, roster_name="roster.csv", roster_sha256="0" * 64,
        status="done", progress=100, as_of=timezone.now(), started_at=timezone.now(), finished_at=timezone.now(),
        counts={"accepted": 3, "rejected": 1, "green": 1, "yellow": 1, "red": 1, "police_hits": 3,
                "silent_hits": 1, "flagged_people": 2})
    persons, hits = [], []
    for row, status, level, reason, name, idn, row_hits in RESULT_ROWS:
        p = PersonResult.objects.create(
            job=job, row=row, status=status, level=level, reason=reason, name=name.format(p=prefix),
            doc_type="ric", id_number=idn, identity_status="valid", hit_count=len(row_hits),
            silent_hit=any(s for _r, _m, s in row_hits), rule_ids=[r for r, _m, s in row_hits if not s])
        persons.append({"row": row, "status": status, "level": level, "reason": reason, "name": p.name,
                        "doc_type": "ric", "id_number": idn, "corrected_id_number": "", "identity_status": "valid",
                        "identity_reason": ""})
        for rule, kind, silent in row_hits:
            Hit.objects.create(person=p, job=job, rule_id=rule, source="movements", record_ref="mv:1",
                               listing_ref="k-high", match_kind=kind, match_reasons=["证件号码一致"],
                               level_effect="" if silent else level, silent=silent)
            hits.append({"row": row, "rule_id": rule, "match_kind": kind, "silent": silent})
    result_dir = Path(settings.DATA_DIR) / "results" / f"test-job-{job.pk}"
    result_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(persons), result_dir / "persons.parquet")
    pq.write_table(pa.Table.from_pylist(hits), result_dir / "hits.parquet")
    job.result_dir = str(result_dir)
    job.save(update_fields=["result_dir"])
    # as finishing a job through the services does: the latest job marked, its premises' code derived
    screening_job_latest_refresh(premises_ids=[premises.pk])
    for hook in LATEST_JOB_HOOKS:
        hook(premises.pk, job.pk)
    job.refresh_from_db(fields=["is_latest"])
    return job


@pytest.fixture
def screened(cast):
    """One finished job in station A (landlord_a: 甲…) and one in station B (landlord_b: 乙…)."""
    return make_job(cast.landlord_a, cast.premises_a, "甲"), make_job(cast.landlord_b, cast.premises_b, "乙")


def sign_in(client, user, purpose: str = "epidemic_screening"):
    """Sign ``client`` in as ``user`` (police also declare a purpose of use, as the page flow requires)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = purpose
        session.save()
    return client


@pytest.fixture
def looked_at(client, cast):
    """officer_a lists the jurisdiction and opens 甲红's page (purpose: jurisdiction management)."""
    from pingan.screening.models import PersonResult

    make_job(cast.landlord_a, cast.premises_a, "甲")
    sign_in(client, cast.officer_a, purpose="jurisdiction_management")
    assert client.get("/police/").status_code == 200
    person = PersonResult.objects.get(name="甲红")
    assert client.get(f"/police/persons/{person.pk}/").status_code == 200
    client.logout()
    return person


def browser_signed_in(browser, live_server, user, *, javascript: bool = True, timeout_ms: int = 20_000):
    """A 375 px Chinese page of Debian's chromium, signed in as ``user`` (the purpose page answered)."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=javascript)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/purpose/" in page.url:
        page.check("input[value=jurisdiction_management]")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    return page


#: Debian's chromium (``apt-get install -y chromium``): nothing is downloaded at test time.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser(monkeypatch):
    """A headless Debian chromium for one test (Playwright's sync API); skips where chromium is not installed.

    Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous, so
    Django's async-safety guard must be told (the documented Playwright workaround). While that loop runs, the
    test's ORM calls get their own connection (Django keeps one per asyncio context): closed here, in that
    context, or it outlives the test database (PostgreSQL then refuses to drop it: "database ... is being
    accessed by other users")."""
    from django.db import connections

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
        connections.close_all()
