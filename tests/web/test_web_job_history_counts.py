"""Issue 11's fresh-user trial (F9): the submitter's "Recent screenings" said "bad-check-digits.xlsx · Done ·
result: red 0 yellow 0 green 5 · 5 screened" for a file with 3 ID numbers to fix, and a failed screening only
"Failed". Each done screening says how many rows are to fix (as its results page counts them) and each failed
one why, in the viewer's language from the stored code and parameters."""

from __future__ import annotations

import re

import pytest
from test_web_results import csv_roster, get, part
from web_support import GREEN_ID, YELLOW_ID, screen, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, to_fix, why", [
    ("zh-hans", "2 行需要修改", "roster.csv 的前 30 行中找不到表头行"),
    ("en", "2 rows to fix", "No header row found in the first 30 rows of roster.csv"),
])
def test_the_history_says_the_rows_to_fix_and_why_a_screening_failed(client, cast, risk, lang, to_fix, why):
    from pingan.screening.models import ScreeningJob

    bad = GREEN_ID[:-1] + ("0" if GREEN_ID[-1] != "0" else "1")  # a wrong check character
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "居民身份证", bad, "13800138000", "1"],
                                                               ["李娜", "居民身份证", YELLOW_ID, "12345", "2"],
                                                               ["张伟", "居民身份证", GREEN_ID, "13700137000", "3"]]))
    failed = ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="roster.csv", roster_sha256="0" * 64,
        as_of=job.as_of, status="failed", error_code="roster_no_header",
        error_params={"rows": 30, "name": "roster.csv", "where": ""}, error="no header")
    sign_in(client, cast.landlord_a)
    history = part(get(client, "/screening/", lang), 'id="job-history"', "</ul>")
    items = re.findall(r"<li>.*?</li>", history, re.S)
    done = next(i for i in items if f"/screening/jobs/{job.pk}/" in i)
    assert to_fix in re.sub(r"\s+", " ", done), done
    assert f'href="/screening/jobs/{job.pk}/#rejected"' in done
    gone = next(i for i in items if f"/screening/jobs/{failed.pk}/" in i)
    assert why in re.search(r"data-job-failure>(.*?)</span>", gone, re.S).group(1), gone
