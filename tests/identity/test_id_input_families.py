"""ID-number input families from peers' bug reports (issue 12, item 17), on the pure functions and the
column helper (which must give the same rows).

* a lower-case check character ``x``: accepted, with a note (``lowercase_x``); full-width forms and
  lower-case letters of other documents likewise;
* a stray letter (``4403061A8502141005``): ``bad_characters`` naming the character and its position
  (and the digit a look-alike letter stands for), not "cannot tell which document"; a digit missing or
  doubled: ``bad_length`` with the length;
* a checksum-valid number whose address code no bundled table lists (``430419…``, ``321119…``): valid,
  matched exactly, flagged ``area_code_unlisted``; a code whose prefecture never existed stays invalid.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from page_language import CJK

from identity.strategies import TODAY, valid_rics
from pingan.lib import adcodes
from pingan.lib.identity import normalize_document, normalize_documents, ric, ric_recovery_candidates
from pingan.lib.identity.batch import document_as_row
from pingan.lib.identity.documents import NOTES, Note, in_resident_id_column


def _ric(area: str, born: str = "19900307", seq: str = "001") -> str:
    first17 = area + born + seq
    return first17 + ric.check_character(first17)


def _codes(doc) -> list[str]:
    return [n.code for n in doc.notes]


def _agrees(numbers: list[str | None], types: list[str | None] | None = None) -> list[dict]:
    """The column helper's rows, asserted equal to the per-value function's."""
    rows = normalize_documents(numbers, types, today=TODAY).to_pylist()
    expected = [document_as_row(normalize_document(n, types[i] if types else None, today=TODAY))
                for i, n in enumerate(numbers)]
    assert rows == expected
    return rows


# ------------------------------------------------------------------------------------ lower-case x


def test_a_lower_case_check_character_is_accepted_with_a_note() -> None:
    doc = normalize_document("11010519491231002x", today=TODAY)
    assert doc.valid and doc.number == "11010519491231002X"
    assert _codes(doc) == ["lowercase_x"]
    assert "capital X" in doc.notes[0].text("en") and "大写X" in doc.notes[0].text("zh")
    assert normalize_document("11010519491231002X", today=TODAY).notes == ()


def test_the_column_helper_notes_a_lower_case_x_on_every_path() -> None:
    rows = _agrees(["11010519491231002x", "110105 19491231 002x", "110105-1949-1231-002x",
                    "11010519491231002X", "１１０１０５１９４９１２３１００２ｘ", "810000199001011234".lower()])
    assert [[n["code"] for n in r["notes"]] for r in rows] == [
        ["lowercase_x"], ["lowercase_x"], ["lowercase_x"], [], ["full_width_characters", "lowercase_x"], []]


def test_other_documents_note_lower_case_letters_and_full_width_forms() -> None:
    assert _codes(normalize_document("e12345678", "护照", today=TODAY)) == ["lowercase_letters"]
    assert _codes(normalize_document("h1234567801", today=TODAY)) == ["lowercase_letters"]
    assert _codes(normalize_document("Ｅ１２３４５６７８", "护照", today=TODAY)) == ["full_width_characters"]
    assert normalize_document("E12345678", "护照", today=TODAY).notes == ()


def test_an_invalid_number_carries_its_error_not_notes() -> None:
    doc = normalize_document("11010519491231002x"[:-2] + "1x", today=TODAY)
    assert doc.error_code == "bad_check_digit" and doc.notes == ()


@settings(max_examples=60, deadline=None)
@given(valid_rics(), st.sampled_from(["lower", "fullwidth", "spaced_lower"]))
def test_every_valid_number_typed_in_lower_case_or_full_width_is_accepted_with_its_note(number: str, how: str) -> None:
    typed = {"lower": number.lower(), "spaced_lower": f"{number[:6]} {number[6:].lower()}",
             "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in number)}[how]
    doc = normalize_document(typed, today=TODAY)
    assert doc.valid and doc.number == number
    expected = {"lower": ["lowercase_x"] if number.endswith("X") else [],
                "spaced_lower": ["lowercase_x"] if number.endswith("X") else [],
                "fullwidth": ["full_width_characters"]}[how]
    assert [c for c in _codes(doc) if c != "area_code_unlisted"] == expected
    _agrees([typed, number])


# --------------------------------------------------------------------------------- stray characters


def test_a_stray_letter_is_named_with_its_position() -> None:
    doc = normalize_document("4403061A8502141005", today=TODAY)
    assert (doc.doc_type, doc.valid, doc.error_code) == ("ric", False, "bad_characters")
    assert dict(doc.error_params) == {"position": "8", "char": "A", "count": "1"}
    assert "character 8 is 'A'" in doc.error and not CJK.search(doc.error)  # English only: pages say the code
    # under a resident-ID header it is still a resident ID number with a typo, not "not an ID number"
    assert in_resident_id_column(doc) == doc
    assert normalize_document("4403061A8502141005", resident_id_column=True, today=TODAY).error_code == \
        "bad_characters"
    _agrees(["4403061A8502141005"], ["身份证"])
    _agrees(["4403061A8502141005"])


def test_a_letter_that_looks_like_a_digit_says_which_digit() -> None:
    doc = normalize_document("44030619850214100O".replace("100O", "1O05"), today=TODAY)
    assert doc.error_code == "bad_characters"
    assert dict(doc.error_params)["looks_like"] == "0" and "probably 0" in doc.error and not CJK.search(doc.error)


def test_several_stray_characters_are_counted() -> None:
    doc = normalize_document("44030A19B502141005", today=TODAY)
    assert dict(doc.error_params) == {"position": "6", "char": "A", "count": "2"}
    assert "2 such characters" in doc.error


@pytest.mark.parametrize("number", ["4403061985021410", "44030619850214100", "4403061985021410051",
                                    "44030619850214100512", "44030619850214"])
def test_a_digit_missing_or_doubled_is_a_wrong_length_resident_id(number: str) -> None:
    doc = normalize_document(number, today=TODAY)
    assert (doc.doc_type, doc.error_code) == ("ric", "bad_length")
    assert dict(doc.error_params) == {"length": str(len(number))}
    assert f"has {len(number)} characters" in doc.error


@settings(max_examples=80, deadline=None)
@given(valid_rics(), st.integers(1, 16), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWYZ"))
def test_any_letter_in_place_of_a_digit_is_reported_where_it_is(number: str, position: int, letter: str) -> None:
    typed = number[:position] + letter + number[position + 1:]
    doc = normalize_document(typed, today=TODAY)
    assert (doc.doc_type, doc.error_code) == ("ric", "bad_characters")
    params = dict(doc.error_params)
    assert (params["position"], params["char"]) == (str(position + 1), letter)
    _agrees([typed])


@settings(max_examples=40, deadline=None)
@given(valid_rics(), st.integers(0, 16), st.booleans())
def test_a_dropped_or_doubled_digit_is_reported_with_the_length(number: str, i: int, drop: bool) -> None:
    typed = number[:i] + number[i + 1:] if drop else number[:i] + number[i] + number[i:]
    doc = normalize_document(typed, today=TODAY)
    if doc.doc_type == "ric" and doc.error_code == "bad_length":
        assert dict(doc.error_params) == {"length": str(len(typed))}
    else:  # 17 digits + X after a drop from a number ending X, or a number starting 0 after a drop
        assert not doc.valid
    _agrees([typed])


# ----------------------------------------------------------------------------- unlisted area codes


@pytest.mark.parametrize("area", ["430419", "321119"])
def test_a_checksum_valid_number_with_an_unlisted_area_code_is_valid_and_flagged(area: str) -> None:
    assert not adcodes.exists(area) and adcodes.exists(area[:4] + "00")
    number = _ric(area)
    doc = normalize_document(number, today=TODAY)
    assert doc.valid and doc.number == number and doc.area_code == area
    assert doc.birth_date == dt.date(1990, 3, 7)
    assert doc.notes == (Note("area_code_unlisted", (("area_code", area), ("prefecture", area[:4] + "00"))),)
    assert area in doc.notes[0].text("en") and "核实" in doc.notes[0].text("zh")
    # the 15-digit form, the column helper's fast path and its 15-digit path agree
    short = number[:6] + number[8:17]
    assert normalize_document(short, today=TODAY).notes == doc.notes
    _agrees([number, short, number.lower(), f"{number[:6]} {number[6:]}"])


@pytest.mark.parametrize("area", ["999999", "119999", "439919"])
def test_an_area_code_whose_prefecture_never_existed_stays_invalid(area: str) -> None:
    doc = normalize_document(_ric(area), "身份证", today=TODAY)
    assert (doc.valid, doc.error_code) == (False, "unknown_area_code")
    _agrees([_ric(area)], ["身份证"])


def test_a_typo_in_an_unlisted_area_number_can_still_be_recovered() -> None:
    number = _ric("430419")
    typo = number[:10] + number[11] + number[10] + number[12:]
    assert number in [c.number for c in ric_recovery_candidates(typo, today=TODAY)]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([d.code for d in adcodes.divisions(include_historical=True) if d.code.endswith("00")
                        and d.code[2:4] != "00"]),
       st.integers(1, 99), st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999))
def test_every_county_code_missing_from_a_listed_prefecture_is_flagged_not_rejected(
        prefecture: str, county: int, born: dt.date, seq: int) -> None:
    area = prefecture[:4] + f"{county:02d}"
    number = _ric(area, born.strftime("%Y%m%d"), f"{seq:03d}")
    doc = normalize_document(number, today=TODAY)
    assert doc.valid
    assert (_codes(doc) == ["area_code_unlisted"]) is (not adcodes.exists(area))
    assert ric.area_code_unlisted(area) is (not adcodes.exists(area))
    _agrees([number])


def test_every_note_code_renders_in_both_languages() -> None:
    params = {"area_code": "430419", "prefecture": "430400"}
    for code, (en, _zh) in NOTES.items():
        note = Note(code, tuple(params.items()) if "%(" in en else ())
        # one language at a time, never "中文 / English" (issue 11); English when none is asked for
        assert note.text("en") and note.text("zh") and note.text() == note.text("en")
        assert not CJK.search(note.text("en")) and " / " not in note.text("zh")


@pytest.mark.parametrize(("typed", "first", "last"), [
    ("4403061985****1005", 11, 14), ("440306********1005", 7, 14), ("440306xxxxxxxx1005", 7, 14),
    ("４４０３０６１９８５＊＊＊＊１００５", 11, 14), ("44030619850214####", 15, 18),
])
def test_a_masked_copy_is_reported_as_masked_with_the_hidden_span(typed: str, first: int, last: int) -> None:
    doc = normalize_document(typed, today=TODAY)
    assert (doc.doc_type, doc.error_code) == ("ric", "bad_characters")
    assert dict(doc.error_params)["masked"] == "1" and dict(doc.error_params)["position"] == str(first)
    assert f"characters {first}–{last} hidden" in doc.error and not CJK.search(doc.error)
    # the page says it from the code and params, in each language
    from django.utils import translation

    from pingan.core.texts import render

    message = {"code": "identity.bad_characters", "params": dict(doc.error_params)}
    with translation.override("zh-hans"):
        assert "遮挡" in render(message) and f"{first}" in render(message) and f"{last}" in render(message)
    with translation.override("en"):
        assert f"characters {first}–{last} hidden" in render(message)
    _agrees([typed])
    _agrees([typed], ["身份证"])


@pytest.mark.parametrize(("typed", "position", "char"), [
    ("440306198502141005号", 19, "号"), ("440306198502141005#", 19, "#"), ("4403061985021410O5", 17, "O"),
])
def test_any_stray_character_is_named_before_the_length(typed: str, position: int, char: str) -> None:
    doc = normalize_document(typed, today=TODAY)
    assert (doc.doc_type, doc.error_code) == ("ric", "bad_characters")
    assert (dict(doc.error_params)["position"], dict(doc.error_params)["char"]) == (str(position), char)
    _agrees([typed])


def test_no_note_speaks_of_ascii():
    """Issue 11's trial: "…; it was read as ASCII" in an officer's English reason — the character set's name is
    jargon; the Chinese says 半角 and so does the English ("half-width")."""
    from pingan.lib.identity.documents import NOTES

    assert NOTES["full_width_characters"][0].endswith("it was read as half-width")
    assert not [code for code, (en, zh) in NOTES.items() if "ascii" in (en + zh).lower()]
