"""``pingan screen --engine spark`` gives the DuckDB engine's answers; the Spark options are checked first."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from test_jobs import risk, roster_bytes  # noqa: F401 - risk is a fixture the tests use

from pingan.screening import services
from pingan.screening.models import ScreeningJob
from pingan.screening.spark import SparkEngine, parse_conf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("risk", "commands_in_english")]


@pytest.fixture
def roster(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_bytes(roster_bytes())
    return src


def screen(*args):
    call_command("screen", *map(str, args), "--as-of", "2022-08-20", "--no-progress", "--police-view", "--codes")


def test_the_spark_engine_writes_what_the_duckdb_engine_writes(spark, roster, tmp_path):
    screen(roster, "--out", tmp_path / "duckdb.csv", "--engine", "duckdb")
    screen(roster, "--out", tmp_path / "spark.csv", "--engine", "spark", "--spark-master", "local[2]",
           "--spark-conf", "spark.sql.shuffle.partitions=2")
    duck, spark_out = (tmp_path / "duckdb.csv").read_text(), (tmp_path / "spark.csv").read_text()
    assert duck == spark_out
    assert "red" in spark_out and "area-high" in spark_out  # not an empty agreement
    jobs = list(ScreeningJob.objects.order_by("pk"))
    assert [j.stats["engine"] for j in jobs] == ["duckdb", "spark"]
    assert jobs[0].counts == jobs[1].counts


def test_spark_options_need_the_spark_engine_and_well_formed_settings(roster, tmp_path):
    with pytest.raises(CommandError, match="need --engine spark"):
        screen(roster, "--spark-master", "local[2]")
    with pytest.raises(CommandError, match=r"^--spark-conf “executor\.memory=8g”: a Spark setting is written "
                                           r"spark\.KEY=VALUE$"):
        screen(roster, "--engine", "spark", "--spark-conf", "executor.memory=8g")
    # in the command's language (issue 11's trial: the Chinese usage error ended in the module's English)
    with translation.override("zh-hans"), pytest.raises(
            CommandError, match=r"^--spark-conf 的设置“executor\.memory=8g”须写成 spark\.KEY=VALUE$"):
        screen(roster, "--engine", "spark", "--spark-conf", "executor.memory=8g")
    assert not ScreeningJob.objects.exists()  # checked before a job is made


def test_the_web_jobs_take_the_engine_from_the_settings():
    with override_settings(PINGAN={**settings.PINGAN, "SCREENING_ENGINE": "spark",
                                   "SPARK_MASTER": "spark://head:7077",
                                   "SPARK_CONF": "spark.executor.memory=8g, spark.sql.shuffle.partitions=400",
                                   "MOVEMENT_MAX_STAY_DAYS": 3}):
        engine = services.screening_engine()
    assert isinstance(engine, SparkEngine)
    assert engine.master == "spark://head:7077" and engine.max_stay_days == 3
    assert engine.conf == {"spark.executor.memory": "8g", "spark.sql.shuffle.partitions": "400"}
    assert services.screening_engine("duckdb").name == "duckdb"


def test_spark_settings_parse_from_lists_and_text():
    assert parse_conf(["spark.a=1", "spark.b = x=y"]) == {"spark.a": "1", "spark.b": "x=y"}
    assert parse_conf("") == {} and parse_conf(None) == {}
    with pytest.raises(ValueError, match=r"spark\.KEY=VALUE"):
        parse_conf("spark.a")
