"""``pingan screen`` answers bad file arguments with one line naming the file, never a traceback."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from page_language import assert_language
from test_jobs import risk, roster_bytes  # noqa: F401 - risk is a fixture the tests use

from pingan.screening.models import ScreeningJob

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("risk", "commands_in_english")]


@pytest.fixture
def roster(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_bytes(roster_bytes())
    return src


def screen(*args):
    call_command("screen", *map(str, args), "--as-of", "2022-08-20", "--no-progress")


def test_it_names_a_missing_movement_file(roster, tmp_path):
    with pytest.raises(CommandError, match=r"^--movements .*nonexist\.parquet: there is no such file; check the path"):
        screen(roster, "--movements", tmp_path / "nonexist.parquet")
    assert not ScreeningJob.objects.exists()  # checked before a job is made


def test_it_refuses_a_movement_folder_and_other_formats(roster, tmp_path):
    with pytest.raises(CommandError, match=r"is a folder"):
        screen(roster, "--movements", tmp_path)
    other = tmp_path / "movements.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(CommandError, match=r"movements\.xlsx: not a \.parquet or \.csv file"):
        screen(roster, "--movements", other)


def test_it_explains_a_movement_file_without_the_required_columns(roster, tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"^the movement records: missing column\(s\) id_number, .*"
                                           r"\(the columns are a, b"):
        screen(roster, "--movements", bad)
    # said in the user's language: the pure module's English was passed through (issue 11)
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        screen(roster, "--movements", bad)
    assert str(caught.value).startswith("行程记录：缺少列 id_number、"), caught.value
    assert "（现有列：a、b" in str(caught.value), caught.value


def test_it_names_a_missing_rule_set(roster, tmp_path):
    with pytest.raises(CommandError, match=r"^--rules .*nonexist\.toml: there is no such file; check the path"):
        screen(roster, "--rules", tmp_path / "nonexist.toml")
    assert not ScreeningJob.objects.exists()


def test_it_asks_whether_a_csv_given_as_rules_is_a_rule_set(roster):
    with pytest.raises(CommandError, match=r"^--rules .*roster\.csv: not valid TOML: .*is this a rule set\?"):
        screen(roster, "--rules", roster)
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"^--rules .*roster\.csv：不是有效的 TOML："
                                                                            r".*这是规则集吗？"):
        screen(roster, "--rules", roster)


def test_it_refuses_a_folder_as_rule_set(roster, tmp_path):
    with pytest.raises(CommandError, match=r"is a folder, not a rule-set file"):
        screen(roster, "--rules", tmp_path)
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"^--rules .*：是文件夹，不是规则集文件"):
        screen(roster, "--rules", tmp_path)


def test_it_says_a_folder_is_not_a_roster(tmp_path):
    with pytest.raises(CommandError, match=r"is a folder, not a roster"):
        screen(tmp_path)


def test_it_warns_when_no_listing_covers_the_look_back_window(roster, tmp_path, capsys):
    # the fixture's listings run 2022-08-10 – 2022-08-25; "now" (2026) is years later
    with translation.override("en"):
        call_command("screen", str(roster), "--out", str(tmp_path / "o.csv"), "--no-progress")
    text = capsys.readouterr().out
    assert "WARNING: " in text and "No high, medium risk-area listing is in force in the look-back window" in text
    assert_language(text, "en", data=["roster.csv"])
    assert "the 2 listings cover 2022-08-10 to 2022-08-25" in text
    job = ScreeningJob.objects.get()
    # stored as codes only (a page says them in its reader's language), never as one language's text
    assert [n["code"] for n in job.stats["risk_data_notes"]] == ["risk.no_listings"]
    assert "risk_data_warnings" not in job.stats and "warnings" not in job.stats


def test_it_warns_when_no_movement_record_lies_in_the_window(roster, tmp_path, capsys):
    mv = tmp_path / "old.csv"
    mv.write_text("id_number,name,adcode,place,start,end\n"
                  "110105197007077890,王芳,110105,某地,2021-01-01T09:00:00+08:00,2021-01-01T10:00:00+08:00\n",
                  encoding="utf-8")
    with translation.override("en"):
        call_command("screen", str(roster), "--as-of", "2022-08-20", "--movements", str(mv),
                     "--out", str(tmp_path / "o.csv"), "--no-progress")
    text = capsys.readouterr().out
    assert "WARNING: " in text and "No movement record lies in the look-back window (2022-08-13 – 2022-08-20)" in text
    assert "the 1 record starts on 2021-01-01" in text
    assert "listing is in force" not in text


def test_it_does_not_warn_when_the_data_covers_the_window(roster, tmp_path, capsys):
    call_command("screen", str(roster), "--as-of", "2022-08-20", "--out", str(tmp_path / "o.csv"), "--no-progress")
    assert "WARNING" not in capsys.readouterr().out
    assert ScreeningJob.objects.get().stats["risk_data_notes"] == []


def trial_roster(tmp_path, extra=()):
    """Issue 11's trial: a formula name and a name with a right-to-left override (U+202E)."""
    from test_jobs import GREEN_ID

    src = tmp_path / "trial.csv"
    src.write_bytes(roster_bytes([["=HYPERLINK(\"http://x.example\",\"点我\")", "居民身份证", GREEN_ID, "13700137001"],
                                  ["王\u202e芳", "居民身份证", GREEN_ID, "13700137002"], *extra]))
    return src


@pytest.mark.parametrize(("lang", "said"), [
    ("en", ["row 6 not screened: the name is empty", "row 8 not screened: the name starts with “=”",
            "row 9 not screened: 姓名 (column A) holds a text-direction control character"]),
    ("zh-hans", ["第 6 行未筛查：", "第 8 行未筛查：", "第 9 行未筛查："]),
])
def test_the_summary_says_each_row_not_screened_and_why(tmp_path, capsys, lang, said):
    """Issue 11: the summary said only "未筛查：1" / "not screened: 1", no row number and no reason."""
    with translation.override(lang):
        screen(trial_roster(tmp_path), "--out", tmp_path / "o.csv")
    text = capsys.readouterr().out
    lines = [line for line in text.splitlines() if line.startswith(tuple(s[:8] for s in said))]
    assert len(lines) == 3, text
    for line, start in zip(lines, said, strict=True):
        assert line.startswith(start), text
    assert_language(text, "en" if lang == "en" else "zh", data=["trial.csv", "o.csv", "姓名", str(tmp_path)])


def test_the_summary_lists_twenty_rows_not_screened_then_says_how_many_more(tmp_path, capsys):
    from test_jobs import GREEN_ID

    with translation.override("en"):
        screen(trial_roster(tmp_path, [["", "居民身份证", GREEN_ID, ""]] * 21), "--out", tmp_path / "o.csv")
    text = capsys.readouterr().out
    # the rows not screened; the rows to fix follow in their own list ("row 5 to fix: …", 1398f623)
    assert len([line for line in text.splitlines() if re.match(r"row \d+ not screened: ", line)]) == 20, text
    assert f"… and 4 more rows not screened: see {tmp_path / 'o.csv'}" in text, text
