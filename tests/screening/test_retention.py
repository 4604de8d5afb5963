"""Retention limits (pingan.screening.retention, `pingan retention purge`): what is deleted, what is kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.cn import ric

from pingan.core import audit
from pingan.core.errors import DomainError
from pingan.core.models import AuditRecord
from pingan.screening import retention, riskimport, services
from pingan.screening.models import Hit, PersonResult, RiskDataset, ScreeningJob
from pingan.screening.riskdata.nhc import LISTING_SCHEMA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2022, 8, 20)
#: the screening clock of PINGAN_SCREENING_AS_OF=2022-08-20: the end of that day, local time
CLOCK = dt.datetime(2022, 8, 20, 23, 59, 59, tzinfo=SH)


def rid(prefix: str, birth: str, seq: str) -> str:
    body = prefix + birth + seq
    return body + ric.calc_check_digit(body + "0")


RED_ID = rid("350203", "19900101", "123")
OLD_ID = rid("350206", "19851212", "456")
GREEN_ID = rid("110105", "19700707", "789")


def listings() -> pa.Table:
    t0, t1 = dt.datetime(2022, 8, 10, 20, tzinfo=SH), dt.datetime(2022, 8, 25, 20, tzinfo=SH)
    row = ("k-high", "福建省", "厦门市", "思明区", "莲前街道某社区", "350203", "county", None, "high", t0, t1, t1,
           "NHC", "a", "b")
    return pa.Table.from_arrays([pa.array([v], f.type) for v, f in zip(row, LISTING_SCHEMA, strict=True)],
                                schema=LISTING_SCHEMA)


def movements_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A movements CSV of (id number, start, end) rows in 350203, plus one invalid row (a rejection)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id_type", "id_number", "name", "adcode", "place", "start", "end", "source"])
        for idn, start, end in rows:
            w.writerow(["ric", idn, "某人", "350203", "莲前街道某社区", start, end, "hotel_checkin"])
        w.writerow(["ric", "bad", "坏行", "12", "", "not a time", "", "rail_ticket"])
    return path


#: (id number, start, end): the last two lie either side of the cut-off 2022-06-21 23:59:59+08:00
#: (60 days before CLOCK); the record ending exactly at the cut-off is kept.
MOVEMENTS = [
    (RED_ID, "2022-08-15T09:00:00+08:00", "2022-08-15T18:00:00+08:00"),
    (OLD_ID, "2022-04-01T09:00:00+08:00", "2022-05-01T18:00:00+08:00"),
    (OLD_ID, "2022-06-21T09:00:00+08:00", "2022-06-21T23:59:58+08:00"),
    (GREEN_ID, "2022-06-21T09:00:00+08:00", "2022-06-21T23:59:59+08:00"),
]


@pytest.fixture
def risk(db, tmp_path, monkeypatch, settings):
    monkeypatch.setitem(settings.PINGAN, "SCREENING_AS_OF", "2022-08-20")
    services.risk_dataset_store(kind="listings", name="listings", source="test", table=listings())
    return riskimport.import_movements(movements_csv(tmp_path / "movements.csv", MOVEMENTS), name="travel")


def roster() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "证件类型", "证件号码", "手机号码"])
    w.writerow(["张伟", "居民身份证", RED_ID, "13800138000"])
    w.writerow(["王芳", "居民身份证", GREEN_ID, "13700137000"])
    w.writerow(["赵六", "居民身份证", "350203199001011234", "13600136000"])  # bad check character
    return buf.getvalue().encode("utf-8")


def screen(actor=None, premises=None) -> ScreeningJob:
    job = services.screening_job_create(actor=actor, roster_name="roster.csv", roster_bytes=roster(),
                                        premises=premises, as_of=AS_OF)
    return services.screening_job_run(job=job)


def age(job: ScreeningJob, days: float) -> ScreeningJob:
    """Make ``job`` look as if it finished ``days`` days ago (by the wall clock)."""
    ScreeningJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=days))
    job.refresh_from_db()
    return job


def purge_records() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="retention_purge").order_by("seq"))


def job_files(job: ScreeningJob) -> list[Path]:
    return [Path(job.roster_path), *sorted(Path(job.result_dir).iterdir())]


# ------------------------------------------------------------------------------------------- jobs


def test_it_purges_the_person_data_of_an_old_job_and_keeps_its_counts(risk, cast):
    job = age(screen(cast.landlord_a, cast.premises_a), 31)
    files = job_files(job)
    persons, hits = PersonResult.objects.filter(job=job).count(), Hit.objects.filter(job=job).count()
    # the roster, the results and hits files, and the engine roster (the rows the engine was given)
    assert persons == 3 and hits >= 1 and len(files) == 4 and all(p.exists() for p in files)
    assert Path(job.result_dir) / services.ENGINE_ROSTER_FILE in files
    counts, stats = job.counts, job.stats

    report = retention.retention_purge()

    job.refresh_from_db()
    assert job.purged_at is not None and abs(job.purged_at - timezone.now()) < dt.timedelta(minutes=1)
    assert not PersonResult.objects.filter(job=job).exists() and not Hit.objects.filter(job=job).exists()
    assert not any(p.exists() for p in files) and not Path(job.result_dir).exists()
    assert job.counts == counts and job.counts["red"] == 1 and job.stats == stats and job.status == "done"
    assert report.jobs == [job.pk] and report.errors == []
    (record,) = purge_records()
    assert record.actor == "system" and record.actor_id is None and record.object_type == "Retention"
    assert record.detail["counts"] == {"jobs": 1, "person_results": persons, "hits": hits, "job_files": 4,
                                       "movement_datasets": 0, "movement_dataset_files": 0,
                                       "movement_records": 2, "errors": 0}
    assert record.detail["job_ids"] == [job.pk] and record.detail["job_days"] == 30
    assert record.seq == report.audit_seq and audit.verify().ok


def test_it_purges_a_failed_job_too(risk):
    with pytest.raises(DomainError, match="empty"):
        services.screening_job_run(job=services.screening_job_create(
            actor=None, roster_name="empty.csv", roster_bytes=b"", as_of=AS_OF))
    job = age(ScreeningJob.objects.get(status="failed"), 40)
    roster_file = Path(job.roster_path)
    assert roster_file.exists()
    retention.retention_purge()
    job.refresh_from_db()
    assert job.purged_at is not None and not roster_file.exists() and job.error  # why it failed stays


def test_it_leaves_a_job_that_finished_within_the_period(risk):
    job = age(screen(), 29)
    report = retention.retention_purge()
    job.refresh_from_db()
    assert job.purged_at is None and report.jobs == []
    assert PersonResult.objects.filter(job=job).count() == 3 and all(p.exists() for p in job_files(job))


@pytest.mark.parametrize("status", ["queued", "running"])
def test_it_never_touches_a_job_that_has_not_finished(risk, status):
    job = services.screening_job_create(actor=None, roster_name="roster.csv", roster_bytes=roster(), as_of=AS_OF)
    long_ago = timezone.now() - dt.timedelta(days=400)
    ScreeningJob.objects.filter(pk=job.pk).update(status=status, created_at=long_ago,
                                                  started_at=long_ago if status == "running" else None)
    report = retention.retention_purge()
    job.refresh_from_db()
    assert job.purged_at is None and Path(job.roster_path).exists() and report.jobs == []


def test_a_finished_job_without_finished_at_counts_from_its_creation(risk):
    job = screen()
    ScreeningJob.objects.filter(pk=job.pk).update(finished_at=None,
                                                  created_at=timezone.now() - dt.timedelta(days=31))
    assert retention.retention_purge().jobs == [job.pk]


def test_a_dry_run_counts_what_would_go_and_changes_nothing(risk, tmp_path):
    job = age(screen(), 31)
    old = RiskDataset.objects.get(kind="movements", active=True)
    newer = riskimport.import_movements(movements_csv(tmp_path / "again.csv", MOVEMENTS[:1]), name="travel")
    RiskDataset.objects.filter(pk=old.pk).update(imported_at=timezone.now() - dt.timedelta(days=31))
    files = [*job_files(job), Path(old.path), Path(old.rejections_path)]
    digest = Path(newer.path).read_bytes()

    report = retention.retention_purge(dry_run=True)

    assert report.dry_run and report.jobs == [job.pk] and report.person_results == 3 and report.job_files == 4
    assert report.datasets == [old.pk] and report.dataset_files == 2 and report.movement_records == {}
    assert report.audit_seq is None and purge_records() == []
    job.refresh_from_db()
    old.refresh_from_db()
    assert job.purged_at is None and old.purged_at is None and PersonResult.objects.filter(job=job).count() == 3
    assert all(p.exists() for p in files) and Path(newer.path).read_bytes() == digest
    # and the real run purges exactly what the dry run announced
    real = retention.retention_purge()
    assert (real.jobs, real.person_results, real.hits, real.job_files, real.datasets, real.dataset_files) == (
        report.jobs, report.person_results, report.hits, report.job_files, report.datasets, report.dataset_files)


def test_a_second_run_purges_nothing(risk):
    job = age(screen(), 31)
    first = retention.retention_purge()
    assert first.jobs == [job.pk] and sum(first.movement_records.values()) == 2
    job.refresh_from_db()
    purged_at, ds = job.purged_at, RiskDataset.objects.get(kind="movements")
    digest = ds.sha256

    second = retention.retention_purge()

    assert second.counts() == dict.fromkeys(second.counts(), 0)
    job.refresh_from_db()
    ds.refresh_from_db()
    assert job.purged_at == purged_at and ds.sha256 == digest and ds.rows == 2
    assert [r.detail["counts"]["jobs"] for r in purge_records()] == [1, 0]  # each run leaves its record


def test_it_refuses_to_delete_a_file_outside_the_data_directory(risk, tmp_path, capsys):
    outside = tmp_path / "precious.csv"
    outside.write_bytes(b"not pingan's")
    job = age(screen(), 31)
    ScreeningJob.objects.filter(pk=job.pk).update(roster_path=str(outside))

    with pytest.raises(CommandError, match="1 items could not be purged"):
        call_command("retention", "purge")

    assert f"job {job.pk}: RetentionError: {outside} is not inside a folder of pingan's data directory" \
        in capsys.readouterr().err
    job.refresh_from_db()
    assert outside.exists() and job.purged_at is None and PersonResult.objects.filter(job=job).count() == 3
    assert Path(job.result_dir).exists()  # nothing of that job was deleted
    (record,) = purge_records()  # the run still records what it did
    assert record.detail["counts"]["errors"] == 1 and record.detail["counts"]["jobs"] == 0


@pytest.mark.parametrize("where", ["results", "keys", "."])
def test_it_refuses_to_delete_a_whole_data_folder_or_the_keys(risk, settings, where):
    job = age(screen(), 31)
    folder = (Path(settings.DATA_DIR) / where).resolve()
    folder.mkdir(exist_ok=True)
    (folder / "keep.txt").write_text("x")
    ScreeningJob.objects.filter(pk=job.pk).update(result_dir=str(folder))
    report = retention.retention_purge()
    assert report.jobs == [] and len(report.errors) == 1 and "not deleting it" in report.errors[0]
    assert (folder / "keep.txt").exists() and Path(job.roster_path).exists()


# ------------------------------------------------------------------------------------------- movements


def test_it_purges_the_files_of_a_superseded_movement_dataset(risk, tmp_path):
    old = risk
    newer = riskimport.import_movements(movements_csv(tmp_path / "again.csv", MOVEMENTS[:1]), name="travel")
    old.refresh_from_db()
    assert not old.active and newer.active and Path(old.rejections_path).exists()
    RiskDataset.objects.filter(pk=old.pk).update(imported_at=timezone.now() - dt.timedelta(days=31))

    report = retention.retention_purge()

    old.refresh_from_db()
    newer.refresh_from_db()
    assert report.datasets == [old.pk] and report.dataset_files == 2
    assert old.purged_at is not None and not Path(old.path).exists() and not Path(old.rejections_path).exists()
    assert old.rows == 4  # the record of the import stays
    assert newer.purged_at is None and Path(newer.path).exists() and newer.rows == 1
    assert purge_records()[0].detail["dataset_ids"] == [old.pk]


def test_it_keeps_a_superseded_dataset_imported_within_the_period(risk, tmp_path):
    riskimport.import_movements(movements_csv(tmp_path / "again.csv", MOVEMENTS[:1]), name="travel")
    risk.refresh_from_db()
    assert not risk.active
    assert retention.retention_purge().datasets == []
    assert Path(risk.path).exists()


def test_it_removes_only_the_records_that_ended_before_the_cut_off(risk):
    before = pq.read_table(risk.path)
    assert before.num_rows == 4

    report = retention.retention_purge()

    assert report.cutoffs.screening_clock == CLOCK
    assert report.cutoffs.movements == dt.datetime(2022, 6, 21, 23, 59, 59, tzinfo=SH)
    assert report.movement_records == {risk.pk: 2}
    risk.refresh_from_db()
    after = pq.read_table(risk.path)
    # the same columns and types (``end`` stays a timestamp with time zone); DuckDB may mark them required
    assert [(f.name, f.type) for f in after.schema] == [(f.name, f.type) for f in before.schema]
    kept = after.to_pylist()
    assert [r["id_number"] for r in kept] == [RED_ID, GREEN_ID]
    assert [r["record_id"] for r in kept] == [r["record_id"] for r in before.to_pylist() if r["id_number"] != OLD_ID]
    assert risk.rows == 2 and risk.sha256 == services._sha256_file(Path(risk.path))
    assert risk.active and risk.purged_at is None and Path(risk.rejections_path).exists()
    assert not [p for p in Path(risk.path).parent.iterdir() if "retention" in p.name]  # no temp file left


def test_screening_still_works_on_the_rewritten_file(risk):
    retention.retention_purge()
    job = screen()
    assert job.status == "done", job.error
    levels = dict(PersonResult.objects.filter(job=job).values_list("row", "level"))
    assert levels[2] == "red" and levels[3] == "green"
    assert Hit.objects.filter(job=job, person__row=2, rule_id="area-high").exists()


def test_it_uses_the_wall_clock_when_no_screening_date_is_frozen(risk, monkeypatch, settings):
    monkeypatch.setitem(settings.PINGAN, "SCREENING_AS_OF", "")
    report = retention.retention_purge()
    assert abs(report.cutoffs.screening_clock - timezone.now()) < dt.timedelta(minutes=1)
    risk.refresh_from_db()
    assert report.movement_records == {risk.pk: 4} and risk.rows == 0  # every 2022 record is past 60 days
    assert pq.read_metadata(risk.path).num_rows == 0
    job = screen()  # an empty movements file is still a valid input
    assert job.status == "done", job.error


def test_a_shorter_movement_period_from_the_settings_removes_more(risk, monkeypatch, settings):
    monkeypatch.setitem(settings.PINGAN, "RETENTION_MOVEMENT_DAYS", 6)
    # cut-off 2022-08-14 23:59:59: only the record that ended on 08-15 stays
    assert retention.retention_purge().movement_records == {risk.pk: 3}


# ------------------------------------------------------------------------------------------- command, task


def test_the_command_prints_each_category_and_the_dry_run_says_would(risk, capsys):
    job = age(screen(), 31)
    call_command("retention", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "screening jobs finished before" in out and "1 would be purged — 3 person results" in out
    assert "movement records that ended before 2022-06-21 23:59 (60 days before the screening clock, " \
           "2022-08-20 23:59): 2 would be removed from 1 active dataset" in out
    assert "dry run: nothing was changed" in out and purge_records() == []

    call_command("retention", "purge")
    out = capsys.readouterr().out
    assert ": 1 purged — 3 person results" in out and "2 removed from 1 active dataset" in out
    assert f"audit record {purge_records()[0].seq} (retention_purge) written" in out
    job.refresh_from_db()
    assert job.purged_at is not None


def test_the_task_purges_and_returns_the_counts(risk):
    from pingan.screening.tasks import retention_purge_task

    job = age(screen(), 31)
    result = retention_purge_task.enqueue()
    assert result.return_value["jobs"] == 1 and result.return_value["movement_records"] == 2
    job.refresh_from_db()
    assert job.purged_at is not None and len(purge_records()) == 1


@pytest.mark.parametrize("raw", ["0", "-5"])
def test_a_retention_period_below_one_day_stops_start_up(monkeypatch, raw):
    from pingan.config.settings import _retention_days

    monkeypatch.setenv("PINGAN_RETENTION_JOB_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match=f"PINGAN_RETENTION_JOB_DAYS={raw}"):
        _retention_days("PINGAN_RETENTION_JOB_DAYS", 30)
    monkeypatch.setenv("PINGAN_RETENTION_JOB_DAYS", "90")
    assert _retention_days("PINGAN_RETENTION_JOB_DAYS", 30) == 90


def test_cutoffs_refuse_naive_clocks_and_empty_periods(db):
    with pytest.raises(ValueError, match="timezone-aware"):
        retention.cutoffs(now=dt.datetime(2022, 1, 1))
    with pytest.raises(ValueError, match="movement_days=0"):
        retention.cutoffs(movement_days=0)
