"""Issue 11 on the CompStat page, the weekly PDF and the exports: a figure that cannot be given says why in the
viewer's language (never "n/a"), money carries its unit (元 / 万元, yuan / million yuan), the clearance table
says what each column counts and marks rates on small counts. The data: ``stats_support.ROWS`` (station A as
of 2024-03-06: 3 thefts this year, 2 of them cleared this year — one a 2023 theft; 1 robbery, cleared)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from stats_support import sign_in

pytestmark = pytest.mark.django_db
Q = "as_of=2024-03-06&scheme=cn_headline"
NA = re.compile(r"\bn/a\b", re.I)


REASONS = {  # language → (zero base, no offences to divide by)
    "zh-hans": ("上年同期为 0", "本年无立案"),
    "en": ("0 last year", "no offences this year"),
}


def _row(html: str, table_id: str, label: str) -> list[str]:
    """The cells' text of the row labelled ``label`` in the table ``table_id``."""
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in #{table_id}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_figure_that_cannot_be_given_says_why_on_the_page(client, cast, incidents, language):
    sign_in(client, cast.chief_a, language)
    html = client.get(f"/stats/u/350203-LQ/?{Q}").content.decode()
    zero_base, no_offences = REASONS[language]
    assert not NA.search(html)
    homicide = "命案" if language == "zh-hans" else "Homicide cases"
    assert _row(html, "window-wtd", homicide) == [homicide, "0", "0", zero_base]  # 0 against 0: no % of zero
    assert _row(html, "clearance", homicide)[3] == no_offences  # no homicide this year: no rate to give


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pdf_and_the_exports_say_why_too(client, cast, incidents, language):
    import pypdfium2
    from python_calamine import CalamineWorkbook

    sign_in(client, cast.chief_a, language)
    zero_base, no_offences = REASONS[language]
    pdf = pypdfium2.PdfDocument(client.get(f"/stats/u/350203-LQ/weekly.pdf?{Q}").content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    squashed = re.sub(r"\s+", "", text)  # a narrow cell wraps its text over lines
    assert not NA.search(text) and zero_base.replace(" ", "") in squashed and no_offences.replace(" ", "") in squashed
    csv_text = client.get(f"/stats/u/350203-LQ/compstat.csv?{Q}").content.decode("utf-8-sig")
    assert not NA.search(csv_text) and zero_base in csv_text and no_offences in csv_text
    rows = CalamineWorkbook.from_filelike(io.BytesIO(
        client.get(f"/stats/u/350203-LQ/compstat.xlsx?{Q}").content)).get_sheet_by_index(0).to_python()
    homicide = next(r for r in rows if r[0] in ("命案", "Homicide cases"))
    # the change column holds numbers only; why it is empty is said in the Note column (issue 11)
    assert homicide[1:4] == [0, 0, ""] and zero_base in homicide[-1]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_clearance_table_says_what_it_counts_and_marks_small_counts(client, cast, incidents, language):
    sign_in(client, cast.chief_a, language)
    html = client.get(f"/stats/u/350203-LQ/?{Q}").content.decode()
    head = html[html.index('id="clearance"'):]
    head = head[:head.index("</thead>")]
    if language == "zh-hans":
        for column in ("本年立案数", "本年破案数", "破案率", "连续零发案天数"):
            assert f"<th>{column}</th>" in head
        theft, explain = "盗窃", ("按案件计，不按抓获人数计", "可能超过 100%", "《美国犯罪报告 2006》")
    else:
        for column in ("Offences recorded this year", "Offences cleared this year", "Clearance rate"):
            # a heading of three words or more is marked class="long" by {% widetable %} (0cd016d)
            assert re.search(rf'<th( class="long")?>{re.escape(column)}</th>', head), head
        theft, explain = "Theft", ("not by the number of people arrested", "it can exceed 100%",
                                   "Crime in the United States 2006")
    # 3 thefts this year; 2 cleared this year (one of them a 2023 theft: counted in the year it was cleared)
    cells = _row(html, "clearance", theft)
    assert cells[1:4] == ["3", "2", "66.7% *"]
    assert 'class="few"' in html  # the mark of a rate on fewer than 20 offences, explained below the table
    how = html[html.index('id="clearance-how"'):]
    assert all(e in how for e in explain)


def test_a_rate_on_twenty_offences_or_more_is_not_marked():
    from pingan.stats import present

    assert [present.small_base(n) for n in (0, 1, 19, 20, 500)] == [False, True, True, False, False]


@pytest.mark.parametrize(("value", "currency", "zh", "en"), [
    (Decimal("1500"), "CNY", "1,500.00 元", "1,500.00 yuan"),
    (Decimal("9999.99"), "CNY", "9,999.99 元", "9,999.99 yuan"),
    (Decimal("67128560"), "CNY", "6,712.86万元", "67.13 million yuan"),
    (Decimal("4312000000"), "CNY", "43.12亿元", "4.31 billion yuan"),
    (Decimal("250.5"), "USD", "250.50 美元", "$250.50"),
    (Decimal("2500000"), "USD", "250.00万美元", "$2.50 million"),
    (Decimal("12"), "EUR", "12.00 EUR", "12.00 EUR"),
    (None, "CNY", "", ""),
])
def test_money_carries_its_unit_in_each_language(value, currency, zh, en):
    from pingan.stats import present

    assert present.money(value, currency, "zh-hans") == zh
    assert present.money(value, currency, "en") == en


def test_one_cases_amount_is_to_the_fen():
    from pingan.stats import present

    assert present.money(Decimal("25310"), "CNY", "zh-hans", exact=True) == "25,310.00 元"
    assert present.money(Decimal("25310"), "CNY", "en", exact=True) == "25,310.00 yuan"
    assert present.money(Decimal("2500000"), "USD", "en", exact=True) == "$2,500,000.00"


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", "1,500.00 元"), ("en", "1,500.00 yuan")])
def test_an_incidents_amounts_carry_their_unit(client, cast, incidents, language, shown):
    from pingan.stats.models import Incident

    sign_in(client, cast.chief_a, language)
    a1 = Incident.objects.get(source_ref="case:A1")
    html = client.get(f"/stats/incidents/{a1.pk}/").content.decode()
    assert shown in html and "(CNY)" not in html
    unit = "损失金额（元）" if language == "zh-hans" else "Property loss (yuan)"
    assert f"<label>{unit}<br>" in html  # the reclassification form's amount says its unit


def test_a_units_amounts_are_in_the_currency_of_its_sources(cast, incidents):
    from pingan.stats import present, selectors

    page = selectors.compstat_for_unit(actor=cast.chief_a, code="350203-LQ")
    assert present.page_currency(page) == "CNY"
    assert present.money_unit("CNY", "zh-hans") == "元" and present.money_unit("CNY", "en") == "yuan"


@pytest.mark.parametrize(("language", "reason", "change"), [
    ("zh-hans", "金额改至 1,000.00 元以下", "损失金额：1,500.00 元 → 800.00 元"),
    ("en", "value moved below 1,000.00 yuan", "Property loss: 1,500.00 yuan → 800.00 yuan"),
])
def test_the_downgrade_watch_says_its_reasons_and_amounts_in_words(client, cast, incidents, language, reason, change):
    """It showed ``below_threshold:1000 CNY`` and ``property_loss: 1500.00 → 800.00``."""
    from pingan.stats import services
    from pingan.stats.models import Incident

    a1 = Incident.objects.get(source_ref="case:A1")
    services.incident_reclassify(actor=cast.chief_a, incident_id=a1.pk, reason="重新估价", property_loss="800")
    sign_in(client, cast.chief_a, language)
    html = client.get("/stats/u/350203-LQ/downgrades/?since=2024-01-01").content.decode()
    assert reason in html and change in html
    assert "below_threshold" not in html and "property_loss" not in html


@pytest.mark.parametrize(("language", "change"), [
    ("zh-hans", "损失金额：1,500.00 元 → 800.00 元"),
    ("en", "Property loss: 1,500.00 yuan → 800.00 yuan"),
])
def test_the_incident_page_says_its_reclassifications_in_words(client, cast, incidents, language, change):
    """The incident page's history still showed ``<code>property_loss</code>: 1500.00 → 800.00`` (issue 11: codes
    where the downgrade watch, the same records, said them in words)."""
    from pingan.stats import services
    from pingan.stats.models import Incident

    a1 = Incident.objects.get(source_ref="case:A1")
    services.incident_reclassify(actor=cast.chief_a, incident_id=a1.pk, reason="重新估价", property_loss="800")
    sign_in(client, cast.chief_a, language)
    html = client.get(f"/stats/incidents/{a1.pk}/").content.decode()
    history = html[html.index('id="history"'):html.index("</ul>", html.index('id="history"'))]
    assert change in history and "property_loss" not in history
