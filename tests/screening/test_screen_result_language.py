"""``pingan screen`` writes its result file for people in the command's language (issue 11: under a Chinese
locale it wrote English headings and values, ``row,status,level`` / ``accepted,green``); ``--codes`` keeps the
API's stable form for programs, and the file errors are said in the command's language too."""

from __future__ import annotations

import csv
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from test_jobs import risk, roster_bytes  # noqa: F401 - risk is a fixture the test uses

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
def test_screens_result_file_is_in_the_commands_language_and_codes_keeps_the_stable_form(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_bytes(roster_bytes())

    def header(out, *options, language):
        with translation.override(language):
            call_command("screen", str(src), "--as-of", "2022-08-20", "--out", str(out), "--no-progress", *options)
        with open(out, encoding="utf-8-sig") as fh:
            return next(csv.reader(fh)), list(csv.reader(fh))

    head, rows = header(tmp_path / "zh.csv", language="zh-hans")
    assert head[:3] == ["行号", "结果", "等级"] and head[-1] == "问题代码（供程序读取）", head
    assert not any(re.fullmatch(r"accepted|rejected|green|yellow|red", cell) for row in rows for cell in row)
    head, _rows = header(tmp_path / "en.csv", language="en")
    assert head[:3] == ["Row", "Result", "Level"], head
    head, rows = header(tmp_path / "codes.csv", "--codes", language="zh-hans")
    assert head[:3] == ["row", "status", "level"] and not any(CJK.search(c) for c in head), head
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"^--out .*o\.txt：文件名须以 \.csv"):
        call_command("screen", str(src), "--out", str(tmp_path / "o.txt"), "--no-progress")
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"^--rules .*r\.toml：没有这个文件"):
        call_command("screen", str(src), "--rules", str(tmp_path / "r.toml"), "--no-progress")


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize(
    ("name", "data", "zh", "en"),
    [
        ("empty.csv", b"", r"empty\.csv 是空文件", r"empty\.csv is empty"),
        ("header_only.csv", "姓名,证件号码\n".encode(), r"表头（第 1 行）下面没有人员行",
         r"no data rows below the header"),
        ("renamed.xlsx", b"a,b\n1,2\n", r"内容不是 Excel 工作簿", r"is not an Excel workbook"),
    ],
)
def test_a_roster_the_screening_refuses_is_said_in_the_commands_language(tmp_path, name, data, zh, en):
    """The fresh-user trial: the web page said these in Chinese, ``pingan screen`` in English (it printed the
    exception's English text, not the failed job's stored code and parameters)."""
    src = tmp_path / name
    src.write_bytes(data)
    for language, said in (("zh-hans", zh), ("en", en)):
        with translation.override(language), pytest.raises(CommandError, match=said):
            call_command("screen", str(src), "--as-of", "2022-08-20", "--no-progress")
