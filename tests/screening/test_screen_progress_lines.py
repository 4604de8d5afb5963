"""``pingan screen`` tells how far it is when its standard error is not a terminal (issue 11: a 1,000,000-row
run in a log or a pipe printed nothing for 8+ minutes — tqdm draws only on a terminal): a line when each stage
begins and every few seconds, in the command's language — from the first few seconds on: a roster that cannot
be screened fails before, and its one line is the error (issue 11's trial: a progress line above it)."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from test_jobs import risk, roster_bytes  # noqa: F401 - risk is a fixture the test uses

from pingan.screening.management.commands import screen

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize("language, first, stages", [
    ("zh-hans", "筛查 0%：正在读取名单（已用 ", ("正在对照风险数据筛查", "正在保存结果", "正在写入结果文件")),
    ("en", "screening 0%: Reading the roster (", ("Screening", "Saving the results", "Writing the result file")),
])
def test_a_run_whose_output_is_not_a_terminal_prints_progress_lines(tmp_path, monkeypatch, language, first, stages):
    monkeypatch.setattr(screen, "PROGRESS_EVERY", 0.01)  # the demo roster is screened within the first seconds
    src = tmp_path / "roster.csv"
    src.write_bytes(roster_bytes())
    err = io.StringIO()  # not a terminal
    with translation.override(language):
        call_command("screen", str(src), "--as-of", "2022-08-20", "--out", str(tmp_path / "out.csv"), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines and all(line.startswith(first.split(" ")[0] + " ") for line in lines), lines
    assert all(any(s in line for line in lines) for s in stages), lines
    assert all(bool(CJK.search(line)) == (language == "zh-hans") for line in lines), lines
    assert not any("\r" in line or "it/s" in line for line in lines)  # no bar drawn into a file


def test_the_lines_come_every_few_seconds_while_a_stage_runs_in_the_language_of_the_command():
    said: list[str] = []
    with translation.override("zh-hans"):
        lines = screen.ProgressLines(said.append, every=0.05)
    lines.update("screen", 20, {"rows": 1_000_000})
    time.sleep(0.3)  # the engine's stage: no callback for minutes
    lines.close()
    during = [s for s in said if "正在对照风险数据筛查 1000000 行" in s]
    assert len(during) >= 3 and all(s.startswith("筛查 20%：") for s in during), said
    n = len(said)
    time.sleep(0.15)
    assert len(said) == n  # closed: no more lines


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_roster_that_cannot_be_screened_prints_its_error_and_no_progress_line(tmp_path, language):
    src = tmp_path / "roster.csv"
    src.write_text("姓名,证件号码\n", encoding="utf-8")  # a header and no one
    err = io.StringIO()  # not a terminal
    with translation.override(language), pytest.raises(CommandError) as failed:
        call_command("screen", str(src), "--as-of", "2022-08-20", "--out", str(tmp_path / "out.csv"), stderr=err)
    assert err.getvalue() == "", err.getvalue()
    assert "roster.csv" in str(failed.value)


def test_nothing_is_said_in_the_first_seconds_then_each_stage():
    said: list[str] = []
    with translation.override("en"):
        lines = screen.ProgressLines(said.append, every=0.2)
    lines.update("screen", 20, {"rows": 10})
    assert said == []  # a run that fails now says its error alone
    time.sleep(0.3)
    assert said and said[0].startswith("screening 20%: Screening 10 rows"), said
    lines.update("store", 80, {"rows": 10, "stored": 0, "total": 10})
    assert said[-1].startswith("screening 80%: Saving the results"), said
    lines.close()


def test_a_terminal_gets_the_bar_not_the_lines():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert screen.stream_is_terminal(Tty()) and not screen.stream_is_terminal(io.StringIO())
