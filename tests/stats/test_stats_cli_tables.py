"""The command line's tables for people (issue 11's trial of ``pingan stats demo``): the classification by its
name and version, not its id ("cn_headline@2026.1"); dates and the week as the language writes them, as on the
page ("12月30日至12月31日", "2025 年第 1 周"; never "12-30–12-31" or "2025-W01"); columns aligned by terminal
width — and no character of ambiguous East Asian width (an en or em dash: two columns in many Chinese
terminals) in a Chinese table, where it shifted every column after it. The other tables of the family:
``pingan stats schemes`` (its kinds stood at ragged places after Chinese labels padded by ``len``) and the
demos' account list (``core.demoguide``)."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from django.core.management import call_command
from django.utils import translation

from pingan.lib import termtable

pytestmark = pytest.mark.django_db


def run(language: str, *args: str) -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("stats", *args, stdout=out)
    return out.getvalue()


def ambiguous(text: str) -> set[str]:
    return {ch for ch in text if unicodedata.east_asian_width(ch) == "A"}


@pytest.mark.parametrize(("language", "heading", "dates"), [
    ("zh-hans", "莲前派出所 [350203-LQ] — 截至 2024年3月6日，2024 年第 10 周（2024年3月4日至3月10日），"
                "公安局主要指标（版本 2026.1）", ("3月4日至3月6日", "2023年3月6日至3月8日")),
    ("en", "Lianqian Police Station [350203-LQ] — as of 6 Mar 2024, Week 10, 2024 (4–10 Mar 2024), Bureau "
           "headline figures (version 2026.1)", ("4–6 Mar", "6–8 Mar 2023"))])
def test_the_report_names_the_classification_and_writes_dates_as_the_language_does(incidents, monkeypatch,
                                                                                   language, heading, dates):
    monkeypatch.setenv("COLUMNS", "200")
    text = run(language, "report", "350203-LQ", "--as-of", "2024-03-06", "--scheme", "cn_headline")
    assert text.splitlines()[0] == heading
    assert "@" not in text and "W10" not in text and "03-04" not in text
    for d in dates:
        assert d in text
    if language == "zh-hans":  # every line of the table: no character a Chinese terminal may draw two wide
        table = text.splitlines()[1:]
        assert not ambiguous("\n".join(table)), ambiguous("\n".join(table))


def test_the_schemes_list_aligns_its_columns_by_terminal_width(db):
    text = run("zh-hans", "schemes")
    lines = [line for line in text.splitlines() if line.startswith("    ")]
    assert "    homicide         故意杀人                  按案件计" in lines, lines[:12]
    # the kind starts at the same terminal column on each line of a scheme
    after = text.split("cn_eight_kinds_cl17")[1].split("\n")[1:]
    block = after[:next(i for i, line in enumerate(after) if not line.startswith("    "))]
    assert len(block) == 9, block  # its eight kinds and their total
    starts = {termtable.width(line) - termtable.width(line.split()[-1]) for line in block}
    assert len(starts) == 1, block


def test_the_demo_guide_pads_account_names_by_terminal_width(cast):
    from pingan.core import demoguide
    from pingan.core.models import OrgUnit, Role
    from pingan.core.services import user_create

    unit = OrgUnit.objects.get(code="350203-LQ")
    for name in ("杨帆", "chief_long_name"):
        user_create(username=name, password="correct horse battery staple", role=Role.STATION_CHIEF, unit=unit)
    lines: list[str] = []
    demoguide.guide(lines.append, visits=[], accounts=["杨帆", "chief_long_name"])
    rows = [line for line in lines if "杨帆" in line or "chief_long_name" in line]
    assert len(rows) == 2
    role = str(Role(Role.STATION_CHIEF).label)
    assert len({termtable.width(r[:r.index(role)]) for r in rows}) == 1, rows  # the roles line up


def test_a_streak_of_one_day_is_one_day_in_english(cast):
    """The trial's San Francisco table read "1 days (longest 1)". Here the robbery is on the day before the
    as-of day (5 March; the file's last day is the 6th): one day without one."""
    from stats_support import ROWS, bureau_csv

    from pingan.stats import services

    rows = [("A4", "2024-03-05 12:00", *r[2:]) if r[0] == "A4" else r for r in ROWS]
    services.bureau_import(data=bureau_csv(rows), filename="week.csv", org_code="350200")
    text = run("en", "report", "350203-LQ", "--as-of", "2024-03-06", "--scheme", "cn_lqyd_general")
    robbery = next(line for line in text.splitlines() if line.strip().startswith("Robbery "))
    assert re.search(r"(?<![\d≥])1 day \(longest", robbery), text
    assert not re.search(r"(?<![\d≥])1 days", text), text
