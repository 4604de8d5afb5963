"""What screening says and does with three rosters of the issue 11 trial, on every path (the upload page and the
job page, the downloads, the API, ``pingan screen``):

* a formula as a name (``=HYPERLINK("http://x","李四")`` with a valid ID number) was screened green without a
  remark: the row is not screened, and says why;
* a roster without an ID-number column exited 0 in ``pingan screen`` with "police hits: 20": it is refused,
  naming the column expected, and nothing reaches the police;
* rows with one ID number and different names were "the same person" ("名单中有 1 人出现不止一次"): they share
  one ID number (共用同一证件号码); "the same person" only when it is.
"""

from __future__ import annotations

import csv
import io

import pytest
from web_support import GREEN_ID, RED_ID, screen, sign_in

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]], header=("姓名", "证件类型", "证件号码", "手机号码")) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _page(client, job, lang: str) -> str:
    client.cookies["django_language"] = lang
    return client.get(f"/screening/jobs/{job.pk}/").content.decode()


def _part(html: str, start: str, end: str = "</li>") -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


class TestAFormulaAsAName:
    def test_the_reported_row_is_not_screened_and_says_why_on_the_page_in_the_files_and_the_api(self, client, cast,
                                                                                               risk):
        from pingan.screening.models import Hit, PersonResult

        job = screen(cast.landlord_a, cast.premises_a, _csv([['=HYPERLINK("http://x","李四")', "居民身份证", GREEN_ID,
                                                              "13800138000"], ["李四", "居民身份证", RED_ID, ""]]))
        row = PersonResult.objects.get(job=job, row=2)
        assert (row.status, row.level, row.to_fix_code) == ("rejected", "", "rejection.formula_name")
        assert not Hit.objects.filter(person=row).exists()
        assert PersonResult.objects.get(job=job, row=3).status == "accepted"
        sign_in(client, cast.landlord_a)
        for lang, said in (("zh-hans", "姓名以“=”开头"), ("en", "the name starts with “=”")):
            assert said in _part(_page(client, job, lang), 'id="rejected-2"')
            data = client.get(f"/screening/jobs/{job.pk}/results.csv").content.decode("utf-8-sig")
            cells = next(r for r in csv.reader(io.StringIO(data)) if r[0] == "2")
            assert any(said in c for c in cells), cells
            # the name is echoed as text, never as a live formula
            assert "'=HYPERLINK" in data and ',=HYPERLINK' not in data
            items = client.get(f"/api/v1/jobs/{job.pk}/results", HTTP_ACCEPT_LANGUAGE=lang).json()["items"]
            item = next(i for i in items if i["row"] == 2)
            assert said.lower() in item["reason"].lower() and item["to_fix_code"] == "rejection.formula_name"
