"""The spark-submit driver script: ``pingan screen`` arguments with the Spark engine, run as a file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pingan.screening import spark_submit
from pingan.screening.spark_submit import screen_argv


def test_the_spark_engine_is_added_unless_given() -> None:
    assert screen_argv(["r.csv", "--as-of", "2022-11-10"]) == ["screen", "r.csv", "--as-of", "2022-11-10",
                                                               "--engine", "spark"]
    assert screen_argv(["r.csv", "--engine", "spark"]) == ["screen", "r.csv", "--engine", "spark"]
    assert screen_argv(["r.csv", "--engine=spark"]) == ["screen", "r.csv", "--engine=spark"]


@pytest.mark.parametrize("argv", [["r.csv", "--spark-master", "local[2]"], ["r.csv", "--spark-master=yarn"],
                                  ["r.csv", "--engine", "duckdb"], ["r.csv", "--engine=duckdb"]])
def test_another_master_or_engine_is_refused(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        screen_argv(argv)
    assert exc.value.code == 2
    assert "spark-submit" in capsys.readouterr().err


def test_run_as_a_file_its_folder_does_not_shadow_the_standard_library() -> None:
    """spark-submit runs the file with its folder first on sys.path: the screening app's selectors.py must not
    replace the standard library's (asyncio, subprocess and Django import it)."""
    code = ("import os, runpy, sys; f = sys.argv[1]; sys.path.insert(0, os.path.dirname(f)); "
            "runpy.run_path(f, run_name='driver'); import selectors; print(selectors.__file__)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.run([sys.executable, "-c", code, spark_submit.__file__], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert os.path.dirname(spark_submit.__file__) not in proc.stdout
    assert proc.stdout.strip().endswith("selectors.py")
