"""``pingan screen`` counts and lists the rows to fix as the results page does (issue 11's fresh-user trial, F8).

A roster with 3 ID numbers whose check character is wrong: the results page said "3 of the screened rows have an
ID number to fix" and listed them under "What to fix"; the command's summary said "rows: 5 screened: 5 not
screened: 0 … green 5" and nothing about them. Both now count with ``selectors.job_fix_counts``, and the summary
lists each such row with what is wrong.
"""

from __future__ import annotations

import re

import pytest
from test_jobs import GREEN_ID, RED_ID, YELLOW_ID, risk, screen_on_command_line  # noqa: F401 - risk is a fixture the tests use

from pingan.screening.models import ScreeningJob
from pingan.screening.selectors import job_fix_counts


def wrong_check(number: str) -> str:
    """``number`` with another check character (the 18th)."""
    return number[:17] + ("1" if number[17] != "1" else "2")


ROSTER = ("姓名,证件类型,证件号码,手机号码\r\n"
          f"王芳,居民身份证,{GREEN_ID},13700137000\r\n"
          f"张伟,居民身份证,{wrong_check(RED_ID)},13700137001\r\n"
          f"李娜,居民身份证,{wrong_check(YELLOW_ID)},13700137002\r\n"
          f"刘洋,居民身份证,{wrong_check(GREEN_ID)},13700137003\r\n"
          f"陈静,居民身份证,{YELLOW_ID},13700137004\r\n").encode()


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize(("language", "head", "row"), [
    ("en", r"^3 rows to fix: 3 with an ID number to check$", r"^row (\d+) to fix: "),
    ("zh-hans", r"^共 3 行需要修改：3 行证件号码需核对$", r"^第 (\d+) 行需要修改：")])
def test_the_summary_counts_and_lists_the_screened_rows_whose_id_number_is_to_fix(tmp_path, capsys, language,
                                                                                   head, row):
    screen_on_command_line(tmp_path, ROSTER, language, name="bad-check-digits.csv")
    text = capsys.readouterr().out
    job = ScreeningJob.objects.latest("pk")
    counts = job_fix_counts(job.persons.all())  # what the results page counts
    assert (counts["rejected"], counts["unverified"], counts["total"]) == (0, 3, 3), counts
    lines = text.splitlines()
    assert any(re.match(head, line) for line in lines), text
    listed = [int(m.group(1)) for line in lines if (m := re.match(row, line))]
    assert listed == [3, 4, 5], text  # the header is row 1: the three wrong numbers are rows 3-5
    # each says what is wrong with the number, the number masked as everywhere a result shows it
    for line in lines:
        if re.match(row, line):
            assert wrong_check(RED_ID) not in line and wrong_check(GREEN_ID) not in line, line


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
def test_a_roster_with_nothing_to_fix_says_nothing_of_it(tmp_path, capsys):
    screen_on_command_line(tmp_path, ROSTER.split(b"\r\n")[0] + b"\r\n" + ROSTER.split(b"\r\n")[1] + b"\r\n", "en")
    assert "to fix" not in capsys.readouterr().out
