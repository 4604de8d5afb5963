"""Watchlist input families from peers' bug reports (issue 12, items 19 and 20).

* Dates of birth as ``1990/3/7``, ``1990年3月7日`` or an impossible date must not drop the entry: every entry
  is kept with its document numbers, every common form is read, and year-only or year-month dates match
  at that coarser level (UN XML, OFAC remarks, bureau CSV, and a watchlist table handed to the engine).
* Entries with romanised compound surnames (``SIMA Guangming``, ``OUYANG Nana``) meet 司马光明 / 欧阳娜娜 in a
  batch screening, and 徐乾學 does not meet 徐干学.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_identity_in_screening import AS_OF, NO_LISTINGS, NO_MOVES  # the same empty risk data

from pingan.lib.identity.dates import parse_birth_dates
from pingan.lib.identity.ric import check_character
from pingan.screening.batch import get_engine
from pingan.screening.riskdata import read_un_consolidated, read_watchlist_csv
from pingan.screening.riskdata.watchlists import entry_note_text, parse_ofac_remarks, read_birth_dates
from pingan.screening.rules import load_ruleset

HEADER = "entry_id,category,name,aliases,id_type,id_number,birth_date,nationality,note\n"


def _rid(first17: str) -> str:
    return first17 + check_character(first17)


# ------------------------------------------------------------------------------ the date parser


_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)))
def test_every_common_form_of_a_full_date_reads_as_that_day(d: dt.date) -> None:
    forms = [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
             f"{d.year}-{d.month}-{d.day}", f"{d.year}年{d.month}月{d.day}日",
             f"{d.year}年{d.month:02d}月{d.day:02d}日",
             d.strftime("%Y%m%d"), f"{d.day} {_MON[d.month - 1]} {d.year}", f"{d.day:02d} {d:%B} {d.year}",
             f"{_MON[d.month - 1]} {d.day}, {d.year}", f"{d.isoformat()}T00:00:00",
             "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in f"{d.year}年{d.month}月{d.day}日")]
    if d.day > 12:
        forms += [f"{d.day}/{d.month}/{d.year}", f"{d.month}/{d.day}/{d.year}"]
    for form in forms:
        got = parse_birth_dates(form)
        assert [(b.iso, b.precision, b.note) for b in got] == [(d.isoformat(), "day", None)], form


@settings(max_examples=100, deadline=None)
@given(st.integers(1900, 2030), st.integers(1, 12))
def test_year_month_and_year_forms_keep_their_precision(year: int, month: int) -> None:
    for form in (f"{year}-{month:02d}", f"{year}/{month}", f"{year}年{month}月", f"{_MON[month - 1]} {year}",
                 f"{year}-{month:02d}-00"):
        assert [(b.iso, b.precision) for b in parse_birth_dates(form)] == [(f"{year}-{month:02d}", "month")], form
    for form in (str(year), f"{year}年", f"{year}-00-00"):
        assert [(b.iso, b.precision) for b in parse_birth_dates(form)] == [(str(year), "year")], form


@settings(max_examples=100, deadline=None)
@given(st.integers(1900, 2030), st.integers(1, 12), st.integers(29, 31))
def test_an_impossible_day_is_kept_at_its_month_with_a_note(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        for form in (f"{year}-{month:02d}-{day}", f"{year}/{month}/{day}", f"{year}年{month}月{day}日"):
            assert [(b.iso, b.note) for b in parse_birth_dates(form)] == [(f"{year}-{month:02d}", "impossible_date")]


@given(st.text(max_size=30))
def test_the_parser_never_raises_and_only_returns_iso_at_a_precision(text: str) -> None:
    for b in parse_birth_dates(text):
        assert b.precision in ("day", "month", "year") and len(b.iso) == {"day": 10, "month": 7, "year": 4}[b.precision]


def test_ambiguous_and_approximate_dates_fall_back_to_the_year_with_a_note() -> None:
    assert [(b.iso, b.note) for b in parse_birth_dates("03/07/1990")] == [("1990", "ambiguous_day_month")]
    assert [(b.iso, b.note) for b in parse_birth_dates("circa 1958")] == [("1958", "approximate")]
    assert [(b.iso, b.note) for b in parse_birth_dates("1990-13-01")] == [("1990", "impossible_date")]
    assert [b.iso for b in parse_birth_dates("1960 to 1962")] == ["1960", "1961", "1962"]
    assert parse_birth_dates("unknown") == [] and parse_birth_dates("0000-00-00") == []


# --------------------------------------------------------------------------------------- readers


def test_a_bureau_csv_keeps_every_entry_with_its_documents_whatever_its_date(tmp_path) -> None:
    good = _rid("11010519491231002")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = tmp_path / "bureau.csv"
    path.write_text(HEADER + "\n".join([
        f"W1,wanted,张伟,,居民身份证,{good},1990/3/7,,",
        "W2,wanted,李娜,,护照,E12345678,1990年3月7日,,",
        "W3,wanted,王芳,,护照,E23456789,1990-02-30,,",
        "W4,wanted,刘洋,,护照,E34567890,not known,,",
        f"W5,missing,陈静,,居民身份证,{bad_check},1985-05;1986,,",
        "W6,missing,杨磊,,,,1990-13-01,,",
    ]) + "\n", encoding="utf-8")
    entries, rejected = read_watchlist_csv(path)
    assert rejected.num_rows == 0
    rows = {r["entry_id"].split(":")[1]: r for r in entries.to_pylist()}
    assert list(rows) == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert rows["W1"]["birth_dates"] == ["1990-03-07"] and rows["W2"]["birth_dates"] == ["1990-03-07"]
    assert rows["W3"]["birth_dates"] == ["1990-02"] and rows["W6"]["birth_dates"] == ["1990"]
    assert rows["W4"]["birth_dates"] == [] and rows["W4"]["documents"][0]["number"] == "E34567890"
    assert rows["W5"]["birth_dates"] == ["1985-05", "1986"]
    assert rows["W5"]["documents"] == [{"doc_type": "resident_id", "number": bad_check, "country": None}]
    codes = {k: [n["code"] for n in r["notes"]] for k, r in rows.items()}
    assert codes == {"W1": [], "W2": [], "W3": ["impossible_date"], "W4": ["unreadable_date"],
                     "W5": ["bad_id_number"], "W6": ["impossible_date"]}
    assert json.loads(rows["W3"]["notes"][0]["params"]) == {"value": "1990-02-30", "read_as": ["1990-02"]}
    meta = json.loads(entries.schema.metadata[b"pingan.watchlist"])
    assert meta["notes"] == {"impossible_date": 2, "unreadable_date": 1, "bad_id_number": 1}


def test_ofac_remarks_keep_an_impossible_date_at_its_month() -> None:
    got = parse_ofac_remarks("DOB 30 Feb 1990; alt. DOB 1990/3/7; alt. DOB circa 1958; Passport E12345678 (China)")
    assert got["birth_dates"] == ["1990-02", "1990-03-07", "1958"]
    assert [n["code"] for n in got["notes"]] == ["impossible_date", "approximate"]
    assert got["documents"][0]["number"] == "E12345678"


def test_un_entries_keep_an_impossible_or_odd_date(tmp_path) -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS>
 <INDIVIDUAL><REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER><FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>ONE</SECOND_NAME>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1990-02-30</DATE></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1991</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>P1234567</NUMBER></INDIVIDUAL_DOCUMENT>
 </INDIVIDUAL>
 <INDIVIDUAL><REFERENCE_NUMBER>QDi.902</REFERENCE_NUMBER><FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>TWO</SECOND_NAME>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1975-00-00</DATE></INDIVIDUAL_DATE_OF_BIRTH>
 </INDIVIDUAL>
</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""
    path = tmp_path / "un.xml.gz"
    path.write_bytes(gzip.compress(xml.encode()))
    rows = {r["entry_id"]: r for r in read_un_consolidated(path)[0].to_pylist()}
    assert rows["UN:QDi.901"]["birth_dates"] == ["1990-02", "1991"]
    assert rows["UN:QDi.901"]["documents"][0]["number"] == "P1234567"
    assert [n["code"] for n in rows["UN:QDi.901"]["notes"]] == ["impossible_date"]
    assert rows["UN:QDi.902"]["birth_dates"] == ["1975"]


# ----------------------------------------------------------------------------------------- engine

DOC = pa.struct([("doc_type", pa.string()), ("number", pa.string()), ("country", pa.string())])


def _watchlist(entries: list[tuple[str, str, list[str], list[str]]]) -> pa.Table:
    return pa.table({
        "entry_id": [e[0] for e in entries], "list_name": ["test"] * len(entries),
        "category": ["sanctioned"] * len(entries), "primary_name": [e[1] for e in entries],
        "aliases": pa.array([e[2] for e in entries], pa.list_(pa.string())),
        "birth_dates": pa.array([e[3] for e in entries], pa.list_(pa.string())),
        "documents": pa.array([[] for _ in entries], pa.list_(DOC)),
    })


def _hits(roster_rows: list[tuple[str, str, str]], watchlist: pa.Table) -> dict[int, list[dict]]:
    roster = pa.table({
        "row": pa.array(range(2, 2 + len(roster_rows)), pa.int64()), "name": [r[0] for r in roster_rows],
        "id_number": [r[1] for r in roster_rows], "birth_date": [r[2] for r in roster_rows],
    })
    result = get_engine().screen(roster, listings=NO_LISTINGS, movements=NO_MOVES, watchlist=watchlist,
                                 ruleset=load_ruleset(), as_of=AS_OF)
    out: dict[int, list[dict]] = {}
    for h in result.hits.to_pylist():
        if h["source"] == "watchlist":
            out.setdefault(h["row"], []).append(h)
    persons = {p["row"]: p for p in result.persons.to_pylist()}
    # watchlist hits stay silent: never in the submitter's rule ids or reason
    assert all("watchlist" not in persons[r]["rule_ids"] and "watch" not in persons[r]["reason"] for r in out)
    return out


def test_romanised_compound_surnames_meet_their_han_names_in_a_screening() -> None:
    wl = _watchlist([
        ("W-SIMA", "SIMA Guangming", [], ["1975"]),
        ("W-OUYANG", "OUYANG Nana", ["Ouyang Na-na"], ["1990年3月7日"]),
        ("W-XU", "徐乾學", [], ["1960-05"]),
        ("W-LYU", "LYU Wei", [], ["1988-08-08"]),
    ])
    hits = _hits([
        ("司马光明", _rid("11010119750615123"), ""),       # birth date from the ID number
        ("欧阳娜娜", "", "1990-03-07"),
        ("徐干学", "", "1960-05-20"),                       # 乾 is not 干: no hit
        ("徐乾学", "", "1960-05-20"),
        ("吕伟", "", "1988-08-08"),
        ("司马光明", "", "1976-01-01"),                     # another year: no hit
    ], wl)
    assert sorted(hits) == [2, 3, 5, 6]
    assert hits[2][0]["record_ref"] == "W-SIMA" and hits[2][0]["match_kind"] == "name_dob"
    assert "birth year matches 1975" in hits[2][0]["match_reasons"]
    assert hits[3][0]["record_ref"] == "W-OUYANG" and "birth date matches 1990-03-07" in hits[3][0]["match_reasons"]
    assert "birth year and month match 1960-05" in hits[5][0]["match_reasons"]
    assert hits[6][0]["record_ref"] == "W-LYU"


def test_an_engine_watchlist_with_an_impossible_date_matches_at_the_month() -> None:
    hits = _hits([("欧阳娜娜", "", "1990-02-14")], _watchlist([("W1", "OUYANG Nana", [], ["1990-02-30"])]))
    assert "birth year and month match 1990-02" in hits[2][0]["match_reasons"]


def test_a_listed_resident_id_with_a_stray_letter_is_kept_and_the_note_names_the_character(tmp_path) -> None:
    path = tmp_path / "bureau.csv"
    path.write_text(HEADER + "W7,wanted,张伟,,身份证,4403061A8502141005,1985-02-14,,\n"
                    + f"W8,wanted,李娜,,身份证,{_rid('43041919900307001')},1990-03-07,,\n", encoding="utf-8")
    entries, rejected = read_watchlist_csv(path)
    assert rejected.num_rows == 0
    w7, w8 = entries.to_pylist()
    assert w7["documents"][0]["number"] == "4403061A8502141005"
    assert "character 8 is 'A'" in json.loads(w7["notes"][0]["params"])["why"]
    assert w8["notes"] == []  # an unlisted address code is no problem on a listed number


@pytest.mark.django_db
def test_the_import_command_names_the_entries_kept_with_a_note(tmp_path) -> None:
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "wl.csv"
    path.write_text(HEADER + "W3,wanted,王芳,,身份证,4403061A8502141005,1985/2/30,,\n"
                    "W4,wanted,刘洋,,护照,E23456789,不详,,\nW5,wanted,OUYANG Nana,,,,1990年3月7日,,\n",
                    encoding="utf-8")
    from django.utils import translation

    out = StringIO()
    with translation.override("en"):  # the command's language (pingan activates it from the locale)
        call_command("risk", "import", "watchlist", "csv", str(path), stdout=out)
    text = out.getvalue()
    assert "3 rows" in text and "kept 2 entries with notes" in text
    assert "wl:W3: the date 1985/2/30 does not exist; compared at the precision that does (1985-02)" in text
    assert "character 8 is 'A'" in text and "wl:W4: the date of birth 不详 could not be read" in text


def test_a_roster_birth_date_known_only_to_the_month_or_year_matches_at_that_level() -> None:
    wl = _watchlist([("W1", "OUYANG Nana", [], ["1990-03-07"]), ("W2", "SIMA Guangming", [], ["1975-06"])])
    hits = _hits([("欧阳娜娜", "", "1990-03"), ("司马光明", "", "1975"), ("欧阳娜娜", "", "1990-04"),
                  ("欧阳娜娜", "", "1990-03-08")], wl)
    assert sorted(hits) == [2, 3]
    assert "birth year and month match 1990-03" in hits[2][0]["match_reasons"]
    assert "birth year matches 1975" in hits[3][0]["match_reasons"]


def test_the_years_a_range_is_read_as_are_listed_in_the_language() -> None:
    # a range gives several years: stored as a list, listed as the reader's language lists (issue 11: "1958, 1959"
    # stood in Chinese text); a note stored before it was a list (one text) reads the same
    notes: list = []
    assert read_birth_dates(["circa 1958 to 1960"], notes) == ["1958", "1959", "1960"]
    note = notes[0]
    params = json.loads(note["params"]) if isinstance(note["params"], str) else note["params"]
    assert isinstance(params["read_as"], list) and len(params["read_as"]) > 1
    zh, en = entry_note_text(note["code"], params, "zh"), entry_note_text(note["code"], params, "en")
    assert "、".join(params["read_as"]) in zh and ", " not in zh
    assert ", ".join(params["read_as"]) in en
    legacy = {**params, "read_as": ", ".join(params["read_as"])}
    assert entry_note_text(note["code"], legacy, "zh") == zh


@pytest.mark.django_db
@pytest.mark.parametrize("language, said", [
    ("en", "accepted 1 entry with a warning"), ("zh-hans", "接受了 1 个带警告的条目")])
def test_an_entry_with_a_control_character_is_imported_with_a_warning_and_shown_marked(tmp_path, language,
                                                                                        said) -> None:
    """The review: such an entry was rejected, a listed person never matched. The import reports it as accepted
    with a warning; the officer's page shows the listed name with ⟨U+XXXX⟩ where the character was, while
    matching compares it without."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import translation

    from pingan.screening.services import _watchlist_entries

    path = tmp_path / "wl.csv"
    path.write_text(HEADER + "W1,wanted,李\u202e四,,,,1975,,\nW2,wanted,王芳,,,,1980,,\n", encoding="utf-8")
    out = StringIO()
    with translation.override(language):
        call_command("risk", "import", "watchlist", "csv", str(path), stdout=out)
    text = out.getvalue()
    assert said in text and "rejected 1" not in text and "拒收" not in text
    assert _watchlist_entries({"wl:W1"})["wl:W1"]["names"] == ["李⟨U+202E⟩四"]
