"""Watchlists: the real UN and OFAC lists (entries checked by hand in the raw files) and bureau CSV lists.

Hand checks (grep in /work/shared/data):
* UN_consolidated.xml line 1046 ff.: CDi.021 FLORIBERT NGABU NJABU, listed 2005-11-01, DOB 1971-05-23,
  Passport ``OB 0243318`` issued by the Democratic Republic of the Congo.
* QDi.001 MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE: DOB 1963-04-11 and 1960-04-11, Egypt, Arabic-script
  name, alias ``Ibrahim al-Madani`` of quality Low.
* sdn.csv line 3760: 16318 ``ZHANG, Lei`` (SDNTK): DOB 03 Jan 1976, citizen China, Passport G23851362
  (China), alt. Passport W76048374 (China), National ID No. 320202197601030513 (China); alt.csv: CHANG, Eric.
* sdn.csv line 56: 2674 ``ABBAS, Abu``: DOB 10 Dec 1948.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from pingan.screening.riskdata import (
    WATCHLIST_SCHEMA,
    WatchlistFormatError,
    read_ofac_sdn,
    read_un_consolidated,
    read_watchlist_csv,
)
from pingan.screening.riskdata.watchlists import entry_note_text, ofac_date, parse_ofac_remarks, shown_names

# the workplace's shared data sets sit beside the repository (../shared/data)
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DATA = SHARED_DATA
needs_data = pytest.mark.skipif(not (DATA / "ofac_sdn_2021").is_dir(), reason="shared lists not on this machine")


@pytest.fixture(scope="module")
def un() -> dict[str, dict]:
    table, rejected = read_un_consolidated(DATA / "un_sc_consolidated_list" / "UN_consolidated.xml")
    assert rejected.num_rows == 0
    assert table.schema.equals(WATCHLIST_SCHEMA, check_metadata=False)
    return {
        "__meta__": json.loads(table.schema.metadata[b"pingan.watchlist"]),
        **{r["entry_id"]: r for r in table.to_pylist()},
    }


@pytest.fixture(scope="module")
def ofac() -> dict[str, dict]:
    table, rejected = read_ofac_sdn(DATA / "ofac_sdn_2021")
    assert rejected.num_rows == 0
    return {
        "__meta__": json.loads(table.schema.metadata[b"pingan.watchlist"]),
        **{r["entry_id"]: r for r in table.to_pylist()},
    }


@needs_data
def test_it_reads_a_hand_checked_un_entry_with_its_passport(un):
    entry = un["UN:CDi.021"]
    assert entry["primary_name"] == "FLORIBERT NGABU NJABU"
    assert entry["birth_dates"] == ["1971-05-23"]
    assert entry["listed_on"] == date(2005, 11, 1)
    assert entry["documents"] == [
        {"doc_type": "passport", "number": "OB 0243318", "country": "Democratic Republic of the Congo"}
    ]
    assert entry["category"] == "sanctioned" and entry["program"] == "DRC"


@needs_data
def test_it_keeps_low_quality_un_aliases_and_original_script_names(un):
    entry = un["UN:QDi.001"]
    assert entry["primary_name"] == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert entry["birth_dates"] == ["1963-04-11", "1960-04-11"]
    assert entry["nationalities"] == ["Egypt"]
    assert "Ibrahim al-Madani" in entry["aliases"]  # QUALITY Low
    assert entry["names_original_script"] == ["محمد صلاح الدين عبدالحليم زيدان"]


@needs_data
def test_it_counts_the_un_individuals_and_skipped_entities(un):
    assert un["__meta__"]["individuals"] == 730 == len(un) - 1
    assert un["__meta__"]["skipped_entities"] == 273


@needs_data
def test_it_reads_a_hand_checked_ofac_entry_with_documents_from_the_remarks(ofac):
    entry = ofac["OFAC:16318"]
    assert entry["primary_name"] == "ZHANG, Lei"
    assert entry["birth_dates"] == ["1976-01-03"]
    assert entry["nationalities"] == ["China"]
    assert entry["documents"] == [
        {"doc_type": "passport", "number": "G23851362", "country": "China"},
        {"doc_type": "passport", "number": "W76048374", "country": "China"},
        {"doc_type": "national_id", "number": "320202197601030513", "country": "China"},
    ]
    assert entry["aliases"] == ["CHANG, Eric", "LEI, Zhang", "ZHANG, Shi"]
    assert ofac["OFAC:2674"]["birth_dates"] == ["1948-12-10"]


@needs_data
def test_it_skips_and_counts_ofac_entities_vessels_and_aircraft(ofac):
    meta = ofac["__meta__"]
    assert meta["individuals"] == 4620
    assert meta["skipped"] == {"entity": 3673, "vessel": 406, "aircraft": 277}


def test_it_parses_ofac_remarks_at_their_precision():
    got = parse_ofac_remarks(
        "DOB Dec 1961; alt. DOB 1960 to 1962; alt. DOB circa 1958; POB Beijing, China; nationality China; "
        "alt. citizen Cambodia; National ID No. D489833(9) (Hong Kong); Passport issued in Sarajevo; "
        "British National Overseas Passport 750200421 (United Kingdom); a.k.a. 'CHI BANG'."
    )
    assert got["birth_dates"] == ["1961-12", "1960", "1961", "1962", "1958"]
    assert got["nationalities"] == ["China", "Cambodia"]
    assert got["documents"] == [
        {"doc_type": "national_id", "number": "D489833(9)", "country": "Hong Kong"},
        {"doc_type": "passport", "number": "750200421", "country": "United Kingdom"},
    ]
    assert got["aliases"] == ["CHI BANG"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)))
def test_it_reads_every_ofac_day_month_year_date(day):
    assert ofac_date(day.strftime("%d %b %Y")) == day.isoformat()
    assert ofac_date(day.strftime("%b %Y")) == day.isoformat()[:7]
    assert ofac_date(str(day.year)) == str(day.year)


def test_it_rejects_a_file_that_is_not_the_un_list(tmp_path):
    (tmp_path / "x.xml").write_text("<OTHER/>", encoding="utf-8")
    with pytest.raises(WatchlistFormatError, match="expected CONSOLIDATED_LIST"):
        read_un_consolidated(tmp_path / "x.xml")
    with pytest.raises(WatchlistFormatError, match=r"no sdn\.csv"):
        read_ofac_sdn(tmp_path)


HEADER = "entry_id,category,name,aliases,id_type,id_number,birth_date,nationality,note\n"


def test_it_reads_a_bureau_watchlist_and_rejects_bad_rows_with_reasons(tmp_path):
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    good_id = fake.ssn()
    assert ric.calc_check_digit(good_id) == good_id[-1]
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    name = fake.name()
    path = tmp_path / "bureau.csv"
    path.write_text(
        HEADER
        + "\n".join(
            [
                f"W1,wanted,{name},{fake.name()};{fake.name()},居民身份证,{good_id},1980-05,中国,",
                f"W2,missing,{fake.name()},,,,1975,,last seen 2022-08",
                f"W1,wanted,{fake.name()},,,,,,",  # duplicate id
                f"W3,suspect,{fake.name()},,居民身份证,{bad_id},1980-13-01,,",
                "W4,key_person,,,passport,,,,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    entries, rejected = read_watchlist_csv(path)
    rows = entries.to_pylist()
    assert [r["entry_id"] for r in rows] == ["bureau:W1", "bureau:W2"]
    assert rows[0]["primary_name"] == name and len(rows[0]["aliases"]) == 2
    assert rows[0]["documents"] == [{"doc_type": "resident_id", "number": good_id, "country": None}]
    assert rows[0]["birth_dates"] == ["1980-05"] and rows[1]["category"] == "missing"
    assert {(r["row"], r["column"], r["code"]) for r in rejected.to_pylist()} == {
        (4, "entry_id", "duplicate"),
        (5, "category", "bad_category"),
        (5, "id_number", "bad_id_number"),
        (5, "birth_date", "impossible_date"),  # reported on a row rejected for its category; a note otherwise
        (6, "name", "missing"),
        (6, "id_number", "missing"),
    }


def test_it_refuses_a_watchlist_without_its_required_columns(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(WatchlistFormatError, match=r"missing column\(s\) entry_id, category"):
        read_watchlist_csv(path)


def test_a_stray_quote_in_a_bureau_watchlist_rejects_its_line_and_the_rows_below_are_still_read(tmp_path):
    """Issue 11's trial in a watchlist: the quote before W2's ID number never closes; a note typed over two
    lines (a legitimate multi-line cell) stays."""
    path = tmp_path / "bureau.csv"
    path.write_text(HEADER + "W1,wanted,李四,,居民身份证,11010119900307853X,,,\n"
                    'W2,wanted,张三,,居民身份证,"110101199003078515,,,\n'
                    "W3,missing,王五,,,,1975,,\n"
                    'W4,missing,赵六,,,,1970,,"last seen\nat the station"\n'
                    'W5,wanted,钱七,,居民身份证,110101197001010022,,,"seen\n', encoding="utf-8")
    entries, rejected = read_watchlist_csv(path)
    rows = entries.to_pylist()
    assert [(r["entry_id"], r["remarks"]) for r in rows] == [
        ("bureau:W1", None), ("bureau:W3", None), ("bureau:W4", "last seen\nat the station")]
    got = {(r["row"], r["column"], r["code"]) for r in rejected.to_pylist()}
    assert got == {(3, "id_number", "bad_quote"), (7, "note", "bad_quote")}
    msg = next(r["message"] for r in rejected.to_pylist() if r["row"] == 3)
    assert "line 3" in msg and "column id_number" in msg and "only closes on line 5" in msg  # on the note's quote
    assert "delete the stray quote" in msg


def control_notes(entry: dict) -> list[dict]:
    return [json.loads(n["params"]) for n in entry["notes"] if n["code"] == "control_characters"]


def test_a_control_character_in_a_bureau_watchlist_is_removed_and_the_entry_kept_with_a_warning(tmp_path):
    """The review: an entry dropped for a control character is a person never matched. Kept, compared
    without it (the name as matching reads it), shown as ⟨U+XXXX⟩ (the note's value); zero-width removed."""
    path = tmp_path / "bureau.csv"
    path.write_text(HEADER + "W1,wanted,李\u202e四,,,,1975,,\n"
                    "W2,wanted,张\u200b三,,,,1975,,\n", encoding="utf-8")
    entries, rejected = read_watchlist_csv(path)
    rows = entries.to_pylist()
    assert [r["primary_name"] for r in rows] == ["李四", "张三"] and rejected.num_rows == 0
    [note] = control_notes(rows[0])
    assert note == {"field": "name", "chars": "U+202E", "value": "李⟨U+202E⟩四", "as_read": "李四"}
    assert shown_names(rows[0]["notes"]) == {"李四": "李⟨U+202E⟩四"} and control_notes(rows[1]) == []
    assert json.loads(entries.schema.metadata[b"pingan.watchlist"])["accepted_with_warning"] == 1
    assert "李⟨U+202E⟩四" in entry_note_text("control_characters", note, "zh")


def test_a_stray_quote_in_an_ofac_file_refuses_the_file_naming_the_line(tmp_path):
    (tmp_path / "sdn.csv").write_text('1,"SMITH, John",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,"DOB 1970.\r\n'
                                      '2,"DOE, Jane",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\r\n',
                                      encoding="utf-8")
    with pytest.raises(WatchlistFormatError, match=r"sdn\.csv: line 1: the double quote in column 12 only closes"):
        read_ofac_sdn(tmp_path)


# ----------------------------------------------------------------- the UN and OFAC lists: the same character rule

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS>
 <INDIVIDUAL><REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER><FIRST_NAME>ALI</FIRST_NAME><SECOND_NAME>ONE</SECOND_NAME>
 </INDIVIDUAL>
 <INDIVIDUAL><REFERENCE_NUMBER>QDi.902</REFERENCE_NUMBER><FIRST_NAME>AL{bad}I</FIRST_NAME><SECOND_NAME>TWO</SECOND_NAME>
  <COMMENTS1>{comment}</COMMENTS1></INDIVIDUAL>
</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""


def test_a_un_individual_with_a_bidi_or_control_character_is_kept_without_it(tmp_path):
    """The review: UN entries with such characters were rejected — a sanctions coverage gap. XML 1.0 cannot
    carry C0 controls, but C1 and bidi pass. The entry is kept, its name compared without them and shown with
    each ⟨U+XXXX⟩ in its place; the import counts it as accepted with a warning."""
    path = tmp_path / "un.xml"
    path.write_text(UN_XML.format(bad="\u202e\u0085", comment="line one\nline two"), encoding="utf-8")
    entries, rejected = read_un_consolidated(path)
    assert entries["entry_id"].to_pylist() == ["UN:QDi.901", "UN:QDi.902"] and rejected.num_rows == 0
    entry = entries.to_pylist()[1]
    assert entry["primary_name"] == "ALI TWO"
    assert shown_names(entry["notes"]) == {"ALI": "AL⟨U+202E⟩⟨U+0085⟩I", "ALI TWO": "AL⟨U+202E⟩⟨U+0085⟩I TWO"}
    assert {n["field"] for n in control_notes(entry)} == {"FIRST_NAME", "NAME"}
    meta = json.loads(entries.schema.metadata[b"pingan.watchlist"])
    assert meta["accepted_with_warning"] == 1 and "rejected_rows" not in meta
    path.write_text(UN_XML.format(bad="", comment="line one\nline two"), encoding="utf-8")  # a line break is text
    assert all(not control_notes(e) for e in read_un_consolidated(path)[0].to_pylist())


def _ofac(tmp_path, name="SMITH, John", alias="SMITH, Jon", remark="DOB 1970") -> Path:
    (tmp_path / "sdn.csv").write_text(f'1,"{name}",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,"{remark}."\r\n'
                                      '2,"DOE, Jane",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\r\n\x1a',
                                      encoding="utf-8")
    (tmp_path / "alt.csv").write_text(f'1,101,aka,"{alias}",-0-\r\n2,102,aka,"DOE, J.",-0-\r\n', encoding="utf-8")
    return tmp_path


def test_an_ofac_row_with_such_a_character_is_kept_without_it_with_a_warning(tmp_path):
    """The review: OFAC rows with such characters were rejected (an alias dropped, or the whole entry)."""
    entries, rejected = read_ofac_sdn(_ofac(tmp_path, name="SMITH\u202e, John", alias="SMITH, \x1b[31mJon"))
    assert entries["entry_id"].to_pylist() == ["OFAC:1", "OFAC:2"] and rejected.num_rows == 0
    entry = entries.to_pylist()[0]
    assert entry["primary_name"] == "SMITH, John" and entry["aliases"] == ["SMITH, [31mJon"]
    assert shown_names(entry["notes"]) == {"SMITH, John": "SMITH⟨U+202E⟩, John",
                                           "SMITH, [31mJon": "SMITH, ⟨U+001B⟩[31mJon"}
    assert {n["field"] for n in control_notes(entry)} == {"SDN_Name", "alt_name"}
    assert json.loads(entries.schema.metadata[b"pingan.watchlist"])["accepted_with_warning"] == 1
    entries, rejected = read_ofac_sdn(_ofac(tmp_path))  # the Ctrl-Z end-of-file byte is no such character
    assert entries.num_rows == 2 and rejected.num_rows == 0 and not any(
        control_notes(e) for e in entries.to_pylist())


@given(st.text(st.sampled_from(["A", "b", " ", "\u202e", "\u200f", "\x1b", "\x9b", "\u2028"]), min_size=1, max_size=5))
def test_an_ofac_name_is_always_kept_and_warned_of_exactly_when_it_holds_such_a_character(tmp_path_factory, name):
    from pingan.lib import textchars

    entries, rejected = read_ofac_sdn(_ofac(tmp_path_factory.mktemp("ofac"), name=f"X{name}"))
    assert entries["entry_id"].to_pylist() == ["OFAC:1", "OFAC:2"] and rejected.num_rows == 0
    entry = entries.to_pylist()[0]
    assert not textchars.find_all_unsafe(entry["primary_name"])  # what matching compares
    assert bool(control_notes(entry)) == bool(textchars.find_all_unsafe(name))
