"""The clearance rule is cited as the rule pingan applies, with a source one can check (issue 11's trial: every
page, the Chinese bureau's included, cited "FBI UCR, Summary Reporting System User Manual, “Offenses cleared”"
— a manual the standards notes never read — with no address, and said 本年发案破案率 was "the figure reported for
homicides and the eight kinds", which no source says). pingan counts clearances by the UCR rule
(``indicators.clearance_rate``: offences, arrest or exceptional, in the year cleared) for every classification;
the page, the PDF and the downloads say so, that it is not a 公安部 rule, and where the rule is published."""

from __future__ import annotations

import io

import pytest
from stats_support import sign_in

from pingan.stats import present

pytestmark = pytest.mark.django_db

Q = "as_of=2024-03-06&scheme=cn_headline"
URL = "https://web.archive.org/web/20150910045547/https://www2.fbi.gov/ucr/cius2006/offenses/clearances/index.html"


@pytest.mark.parametrize(("language", "rule", "not_mps"), [
    ("zh-hans", "破案按美国联邦调查局统一犯罪报告（UCR）规则统计", "这不是公安部的统计口径"),
    ("en", "Clearance is counted by the FBI Uniform Crime Reporting (UCR) rule", "it is not a Ministry of Public "
                                                                                  "Security counting rule")])
def test_the_page_pdf_and_downloads_cite_the_rule_pingan_applies_with_its_source(client, cast, incidents, language,
                                                                                  rule, not_mps):
    from test_stats_report_layout import pdf_lines

    assert present.CLEARANCE_SOURCE_URL == URL
    sign_in(client, cast.analyst, language)
    html = client.get(f"/stats/u/350203-LQ/?{Q}").content.decode()
    cited = html[html.index('id="clearance-rule"'):].split("</p>")[0]
    assert rule in cited and not_mps in cited and f'href="{URL}"' in cited
    assert "Summary Reporting System" not in html and "汇总报告系统用户手册" not in html
    assert "the figure reported for homicides" not in html and "通报的就是这个数" not in html
    pdf = "".join(pdf_lines(client.get(f"/stats/u/350203-LQ/weekly.pdf?{Q}").content)).replace(" ", "")
    assert rule.replace(" ", "") in pdf and "web.archive.org" in pdf
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/stats/u/350203-LQ/compstat.xlsx?{Q}").content))
    notes = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c)
    assert rule in notes and URL in notes and not_mps in notes
    assert "@" not in notes  # the classification by its name and version, not its id (cn_headline@2026.1)
    assert "@" not in pdf
