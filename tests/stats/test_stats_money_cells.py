"""Money and the number columns of the statistics downloads (issue 11's trial): the amounts of one sentence in
one magnitude ('1.54 million yuan involved, 754,924.00 yuan recovered' mixed two), a CSV's amounts as plain
decimals to the fen ('1544550.0' before), and a CompStat CSV's number columns holding numbers only — what an
empty cell means said in the Note column (the 'Week to date' column read 'no data source for this category')."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from stats_support import sign_in

from pingan.stats import present

Q = "as_of=2024-03-06"


def test_amounts_said_together_share_one_magnitude():
    amounts = [Decimal("1544550"), Decimal("754924")]
    assert present.money_together(amounts, "CNY", "en") == ["1.54 million yuan", "0.75 million yuan"]
    assert present.money_together(amounts, "CNY", "zh-hans") == ["154.46万元", "75.49万元"]
    assert present.money_together([Decimal("1234.5"), None], "CNY", "en") == ["1,234.50 yuan", ""]
    assert present.money(Decimal("754924"), "CNY", "en") == "754,924.00 yuan"  # alone: its own magnitude


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_compstat_csv_number_columns_hold_numbers_and_amounts_have_two_places(client, cast, incidents, language):
    sign_in(client, cast.analyst, language)
    content = client.get(f"/stats/u/350203-LQ/compstat.csv?{Q}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    head = rows[0]
    assert head[-1] == ("说明" if language == "zh-hans" else "Note")
    text_columns = {0, len(head) - 1} | {j for j, h in enumerate(head) if "Fewer than" in h or "少于" in h}
    number = re.compile(r"^-?\d+(\.\d+)?$")
    for row in rows[1:]:
        for j, cell in enumerate(row):
            if j not in text_columns:
                assert cell == "" or number.match(cell), (head[j], cell, row)
    money_columns = [j for j, h in enumerate(head) if "(元)" in h or "（元）" in h or "(yuan)" in h]
    assert len(money_columns) == 2, head
    amounts = [row[j] for row in rows[1:] for j in money_columns if row[j]]
    assert amounts and all(re.match(r"^-?\d+\.\d\d$", a) for a in amounts), amounts
    assert any(row[-1] for row in rows[1:]), rows  # the empty cells are said
