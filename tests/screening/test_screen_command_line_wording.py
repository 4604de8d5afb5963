"""``pingan screen`` says what to do at the command line, and says each thing once (issue 11's fresh-user trial).

The rows not screened and the notes on how the roster was read told the command's user to "重新上传 / upload the
file again" — the web page's words; now they say to correct the file and run the command again
(``screening.texts.for_command_line``), on the summary and in the result file it writes. A CSV cut off in the
middle of its last row was reported twice on the summary (the row's line and a note saying the same); now once.
"""

from __future__ import annotations

import csv
import re

import pytest
from django.core.management import call_command
from django.utils import translation
from page_language import assert_language
from test_jobs import GREEN_ID, risk  # noqa: F401 - risk is a fixture the tests use

from pingan.core import texts
from pingan.screening.texts import COMMAND_LINE_TEXTS, for_command_line

UPLOAD = re.compile(r"upload|上传", re.IGNORECASE)

#: Parameters each roster rejection and note is rendered with, in every variant its wording depends on.
BASE = {"label": "姓名", "letter": "A", "char": "U+001B", "position": 2, "until": 5, "row": 3, "cell": "A3",
        "field": "name", "length": 300, "limit": 200, "count": 2, "columns": ["备注"], "letters": ["D"],
        "lines": "4", "rows": 2, "name": "示例沈云", "value": "x", "filled": "备注", "encoding": "GBK",
        "sheets": 2, "sheet": "租户", "header_row": 2, "first": 3, "last": 5, "used": "证件号码", "others": "身份证号",
        "cells": "A3:A5", "chars": [], "people": 2, "pairs": "2↔5", "numbers": 1, "line": 4, "csv": True,
        "looks_like": "", "doc_type": "ric", "phone": "1380013", "status": "离开", "detail": "x"}
VARIANTS = [{}, {"mib": 20}, {"more": 2}, *({"kind": k} for k in ("unclosed", "closes_later", "encloses", "inside",
                                                                    "bidi", "separator", "control")),
            {"chars": [{"char": "U+001B", "kind": "control", "label": "姓名", "letter": "A", "position": 2},
                       {"char": "U+202E", "kind": "bidi", "label": "手机号码", "letter": "C", "position": 11}]}]


def said(code: str, language: str) -> list[str]:
    with translation.override(language):
        return [texts.render({"code": code, "params": {**BASE, **v}}) for v in VARIANTS]


ROSTER_CODES = sorted(c for c in texts.registered() if c.startswith(("rejection.", "roster.")))


@pytest.mark.parametrize("code", ROSTER_CODES)
def test_every_roster_message_that_says_upload_has_a_command_line_wording_that_does_not(code):
    """The whole family: a rejection or note whose web wording tells its reader to upload again (in either
    language) has a command-line wording; that one never says upload, and says to run the command again."""
    web = said(code, "en") + said(code, "zh-hans")
    if not any(UPLOAD.search(t) for t in web):
        assert code not in COMMAND_LINE_TEXTS, f"{code} says nothing of uploading: no other wording needed"
        return
    assert code in COMMAND_LINE_TEXTS, f"{code} tells the command line's user to upload: {web[0]}"
    for language, again in (("en", "run the command again"), ("zh-hans", "重新运行命令")):
        with translation.override(language):
            cli = [texts.render(for_command_line({"code": code, "params": {**BASE, **v}})) for v in VARIANTS]
        assert not any(UPLOAD.search(t) for t in cli), cli
        assert all(again in t for t in cli), cli
        assert cli != said(code, language)


def test_for_command_line_rewords_a_rejection_nested_in_a_reason_and_keeps_other_codes():
    reason = [{"code": "not_screened", "params": {"detail": {"code": "rejection.nul_byte", "params": BASE}}},
              {"code": "rejection.missing_name", "params": {}}]
    assert for_command_line(reason) == [
        {"code": "not_screened", "params": {"detail": {"code": "cli.rejection.nul_byte", "params": BASE}}},
        {"code": "rejection.missing_name", "params": {}}]


#: A roster whose rows say what to fix: a formula name, control characters in two cells, a column that is no
#: roster field, and a last row cut off in the middle (no line break, fewer cells than the row before).
ROSTER = ("姓名,证件类型,证件号码,手机号码,备注\r\n"
          f"王芳,居民身份证,{GREEN_ID},13700137000,x\r\n"
          f"=1+2,居民身份证,{GREEN_ID},13700137001,\r\n"
          f"李\x1b四,居民身份证,{GREEN_ID},1370013\u202e7002,\r\n"
          "赵六,居民身份证,1101011990").encode()


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize(("language", "again", "cut"), [
    ("en", "run the command again", "looks cut off"), ("zh-hans", "重新运行命令", "像是被截断了")])
def test_the_summary_and_the_result_file_say_what_to_do_at_the_command_line_and_the_cut_off_once(
        tmp_path, capsys, language, again, cut):
    roster, out = tmp_path / "tenants.csv", tmp_path / "result.csv"
    roster.write_bytes(ROSTER)
    with translation.override(language):
        call_command("screen", str(roster), "--as-of", "2022-08-20", "--out", str(out), "--no-progress")
    text = capsys.readouterr().out
    rows = [line for line in text.splitlines() if re.match(r"row \d+ not screened|第 \d+ 行未筛查", line)]
    assert len(rows) == 3 and all(again in line for line in rows), text
    assert not UPLOAD.search(text), text
    # the cut-off row said once: its own line, not again as a note
    assert text.count(cut) == 1 and cut in rows[-1], text
    assert again in next(line for line in text.splitlines() if line.startswith(("note:", "说明："))), text
    assert_language(text, "en" if language == "en" else "zh",
                    data=["tenants.csv", str(out), "姓名", "证件类型", "证件号码", "手机号码", "备注", str(tmp_path)])
    with open(out, encoding="utf-8-sig") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert any(again in c for c in cells) and not any(UPLOAD.search(c) for c in cells), cells


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
def test_a_cut_off_row_beyond_the_rows_listed_is_said_by_its_note(tmp_path, capsys):
    """More rows not screened than the summary lists: the cut-off row is not among them, so the note says it."""
    from pingan.screening.management.commands.screen import REJECTED_SHOWN

    body = "".join(f",居民身份证,{GREEN_ID},\r\n" for _ in range(REJECTED_SHOWN + 1))
    roster = tmp_path / "tenants.csv"
    roster.write_bytes(ROSTER.replace("王芳,".encode(), f"{body}王芳,".encode(), 1))
    with translation.override("en"):
        call_command("screen", str(roster), "--as-of", "2022-08-20", "--out", str(tmp_path / "r.csv"),
                     "--no-progress")
    text = capsys.readouterr().out
    assert text.count("looks cut off") == 1 and "note: The file ends in the middle of row" in text, text
    assert "run the command again" in text.split("note: The file ends")[1], text
