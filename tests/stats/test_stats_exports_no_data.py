"""No data is not zero in the downloads either (issue 11's trial: with nothing loaded the page said so, but the
weekly PDF, the CompStat CSV/XLSX and the public release printed tables of zeros): each says there is no data
for the period, in the reader's language, as the page does — and the command line's report too."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from stats_support import sign_in

pytestmark = pytest.mark.django_db

Q = "as_of=2024-03-06"
SAID = {"zh-hans": "尚未导入任何案件数据", "en": "No incident data has been loaded"}


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[list]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[c for c in row] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def numbers(rows: list[list]) -> list:
    """Every figure of a sheet below its header row (a table of zeros has many)."""
    return [c for row in rows[1:] for c in row
            if isinstance(c, int | float) or (isinstance(c, str) and c.strip().lstrip("-").isdigit())]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_with_nothing_loaded_every_download_says_so_instead_of_zeros(client, cast, language):
    from test_stats_report_layout import pdf_lines

    sign_in(client, cast.analyst, language)
    said = SAID[language]
    rows = csv_rows(client.get(f"/stats/u/350203-LQ/compstat.csv?{Q}").content)
    assert said in rows[1][0] and len(rows) == 2 and not numbers(rows), rows
    cells = xlsx_cells(client.get(f"/stats/u/350203-LQ/compstat.xlsx?{Q}").content)
    assert sum(said in str(c) for row in cells for c in row) == 2  # the CompStat sheet and the sub-units'
    assert not numbers(cells), cells
    pdf = " ".join(pdf_lines(client.get(f"/stats/u/350203-LQ/weekly.pdf?{Q}").content))
    assert said in pdf and "pingan stats import" in pdf
    assert ("本周至今" if language == "zh-hans" else "Week to date") not in pdf  # no table
    public = csv_rows(client.get(f"/stats/u/350203-LQ/public.csv?{Q}").content)
    assert said in public[1][0] and not numbers(public), public


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_public_release_of_a_period_the_data_do_not_reach_says_so(client, cast, incidents, language):
    sign_in(client, cast.analyst, language)
    rows = csv_rows(client.get("/stats/u/350203-LQ/public.csv?as_of=2021-12-31&from=2021-01-01").content)
    said = "不含" if language == "zh-hans" else "hold no day of"
    assert said in rows[1][0] and not numbers(rows), rows
    covered = csv_rows(client.get(f"/stats/u/350203-LQ/public.csv?{Q}").content)
    assert numbers(covered)  # a period the data reach: its counts (zeros included) are published


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_command_line_report_says_nothing_is_loaded(cast, language, tmp_path):
    out = io.StringIO()
    with translation.override(language):
        call_command("stats", "report", "350203-LQ", "--as-of", "2024-03-06", "--xlsx", str(tmp_path / "r.xlsx"),
                     stdout=out)
    text = out.getvalue()
    assert SAID[language] in text and "0/0" not in text
    assert SAID[language] in str(xlsx_cells((tmp_path / "r.xlsx").read_bytes()))


def test_the_all_units_report_says_which_organisations_have_nothing_loaded(cast, tmp_path):
    path = tmp_path / "all.xlsx"
    with translation.override("en"):
        call_command("stats", "report", "350200", "--all-units", "--as-of", "2024-03-06", "--xlsx", str(path),
                     stdout=io.StringIO())
    rows = xlsx_cells(path.read_bytes())[1:]
    assert rows and all(SAID["en"] in str(r[3]) for r in rows), rows[:3]  # one line per unit, no zeros
    assert not numbers([[], *(r[4:] for r in rows)])  # no figure after the unit code, name, scheme and text
