"""``pingan stats report`` speaks the user's language (issue 11: the CompStat printed English labels beside
Chinese placeholders, "n/a"-style dashes and "(no source covers it)"): the language comes from PINGAN_LANGUAGE
or the locale (LANG …), every word of the table is in it, and a figure that cannot be given says why."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from pingan.cli import language

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("env", "expected"), [
    ({"PINGAN_LANGUAGE": "en"}, "en"), ({"PINGAN_LANGUAGE": "zh_CN"}, "zh-hans"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "zh-hans"),
    ({}, "zh-hans"), ({"PINGAN_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_language_comes_from_pingan_language_then_the_locale(env, expected):
    assert language(env, "zh-hans") == expected


def report(lang: str) -> str:
    out = io.StringIO()
    with translation.override(lang):
        call_command("stats", "report", "350203-LQ", "--as-of", "2024-03-06", stdout=out)
    return out.getvalue()


def test_the_report_is_all_in_english_or_all_in_chinese(incidents):
    en = report("en")
    assert "Lianqian Police Station [350203-LQ] — as of 6 Mar 2024" in en
    assert "Week to date" in en and "Clearance rate" in en
    assert not CJK.search(en), [line for line in en.splitlines() if CJK.search(line)][:3]
    for placeholder in ("n/a", "N/A", "no source covers it"):
        assert placeholder not in en
    # figures that cannot be given say why, in words (no offences, no data last year, 0 last year)
    assert re.search(r"no offences this year|no data for the same period last year|0 last year|no data source", en)

    zh = report("zh-hans")
    assert "莲前派出所 [350203-LQ] — 截至 2024年3月6日" in zh and "本周至今" in zh and "破案率" in zh
    assert re.search(r"本年无立案|上年同期无数据|上年同期为 0", zh) or "无" in zh
    assert "as of" not in zh and "week to date" not in zh


def _pieces(text: str) -> list[str]:
    from pingan.lib import termtable

    return [p for p, _space in termtable.tokens(text)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("columns", ["80", "200"])
def test_no_text_of_the_report_is_cut_mid_word(incidents, monkeypatch, language, columns):
    """Issue 11: in English the category column read "Eight kinds of serious violen" (cut to 30 columns).
    Every word of every label and placeholder is printed whole — on a narrow terminal the columns wrap between
    words (in Chinese between words and after punctuation) — in both languages."""
    from pingan.stats import classify, present

    monkeypatch.setenv("COLUMNS", columns)
    out = report(language)
    printed = {p for line in out.splitlines() for p in _pieces(line)}
    scheme = classify.scheme("cn_headline")
    texts = [c.label(language) for c in scheme.categories]
    with translation.override(language):
        texts += [present.no_base_text(), present.no_offences_text()]
    for text in texts:
        for piece in _pieces(text):
            assert piece in printed, (piece, text, out)
    assert max(len(line) for line in out.splitlines()) <= max(int(columns), 120) or language == "zh-hans"


def test_terminal_tables_wrap_between_words_and_count_chinese_as_two_columns():
    from pingan.lib import termtable

    assert termtable.width("电信网络诈骗") == 12 and termtable.width("abc") == 3
    assert termtable.wrap("Eight kinds of serious violent crime", 15) == ["Eight kinds of", "serious violent", "crime"]
    assert termtable.wrap("401 天（最长 401 天）", 10) == ["401 天", "（最长 401", "天）"]
    assert termtable.wrap("电信网络诈骗", 4) == ["电信网络诈骗"]  # a word wider than the column stays whole
    lines = termtable.render([["类别", "破案率"], ["电信网络诈骗", "19.3%"], ["盗窃", "104.5%†"]], right=[False, True])
    assert lines == ["  类别           破案率", "  电信网络诈骗    19.3%", "  盗窃          104.5%†"]  # aligned
    narrow = termtable.render([["category", "n"], ["Eight kinds of serious violent crime", "22"]], max_width=20)
    assert narrow == ["  category        n", "  Eight kinds of  22", "  serious", "  violent crime"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_import_prints_every_line_in_the_users_language(cast, tmp_path, language):
    """Issue 11: ``pingan stats demo`` under a Chinese locale printed its import lines in English ("rows 5000:
    incidents …", "note: encoding utf-8", "rejected: row 13203: column 辖区: …"). The counts, the notes and the
    rejections are said in the user's language (the notes are stored as codes and parameters)."""
    from page_language import assert_language
    from stats_support import ROWS, bureau_csv

    path = tmp_path / "week.csv"
    rows = [*ROWS, ("X1", "2024-03-05 09:00", "偷东西", "莲前派出所", "", "")]  # an unknown charge: rejected
    path.write_bytes(("厦门市公安局案件统计 2024\n").encode() + bureau_csv(rows))
    out = io.StringIO()
    with translation.override(language):
        call_command("stats", "import", "bureau", str(path), "--org", "350200", stdout=out)
    text = out.getvalue()
    if language == "en":
        assert "rows 9: incidents 8" in text and "note: header on row 2" in text and "rejected: row" in text
        assert not CJK.search(text.replace("偷东西", "").replace("案由", "")), text
    else:
        assert "共 9 行：案件 8 起" in text and "说明：表头在第 2 行" in text and "拒收：第" in text, text
        for english in ("rows ", "incidents ", "note:", "rejected:", "encoding ", "header on row"):
            assert english not in text, (english, text)
        assert_language(text.replace("week.csv", "").replace("bureau", "").replace("utf-8", ""), language)


def test_import_notes_are_stored_as_codes_and_said_by_core_texts(cast, tmp_path):
    """Issue 11: a bureau import stored each note with its English beside the code, rendered by a registry of
    the stats app's own. A note is a ``pingan.core.texts`` message now: code and parameters, no text; the page
    and the command line say it in the reader's language, the API in English."""
    from stats_support import ROWS, bureau_csv

    from pingan.core import texts
    from pingan.stats.models import ImportBatch

    path = tmp_path / "week.csv"
    path.write_bytes("厦门市公安局案件统计 2024\n".encode() + bureau_csv(ROWS))
    call_command("stats", "import", "bureau", str(path), "--org", "350200", stdout=io.StringIO())
    notes = ImportBatch.objects.get(filename="week.csv").notes
    assert {"code": "stats_import.header_row", "params": {"row": 2}} in notes, notes
    assert all(set(n) == {"code", "params"} for n in notes), notes
    header = next(n for n in notes if n["code"] == "stats_import.header_row")
    with translation.override("zh-hans"):
        assert texts.render(header) == "表头在第 2 行；其上各行作为标题跳过"
    with translation.override("en"):
        assert texts.render(header) == "header on row 2; rows above it skipped as titles"
    from pingan.stats.schemas import ImportOut

    with translation.override("zh-hans"):  # the API's notes stay English whoever asks
        assert "header on row 2; rows above it skipped as titles" in ImportOut.resolve_notes(
            ImportBatch.objects.get(filename="week.csv"))


def test_the_migration_turns_stored_notes_into_codes_and_back():
    import importlib

    migration = importlib.import_module("pingan.stats.migrations.0006_import_notes_as_codes")
    stored = [{"code": "encoding", "params": {"encoding": "gb18030"}, "en": "encoding gb18030"}, "an early note"]
    forward = migration._convert(stored, True)
    assert forward == [{"code": "stats_import.encoding", "params": {"encoding": "gb18030"}}, "an early note"]
    with translation.override("zh-hans"):
        from pingan.stats.present import note_text

        assert [note_text(n) for n in forward] == ["编码 gb18030", "an early note"]
    assert migration._convert(forward, False) == [{"code": "encoding", "params": {"encoding": "gb18030"}},
                                                  "an early note"]
