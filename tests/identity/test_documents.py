"""Document normalisation, validation and classification: table tests of real-world roster forms."""

from __future__ import annotations

import datetime as dt

import pytest

from identity.strategies import TODAY
from pingan.lib.identity import ERRORS, classify, doc_type_from_label, normalize_document, ric


def _ric(area: str, born: str, seq: str) -> str:
    first17 = area + born + seq
    return first17 + ric.check_character(first17)


HK_PERMIT = _ric("810000", "19900101", "123")
MO_PERMIT = _ric("820000", "19850615", "004")
TW_PERMIT = _ric("830000", "19790302", "218")
FPR_2023 = "9" + "31" + "840" + "19880412" + "015"
FPR_2023 += ric.check_character(FPR_2023)


@pytest.mark.parametrize(
    ("raw", "declared", "doc_type", "number"),
    [
        ("11010519491231002x", None, "ric", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", None, "ric", "11010519491231002X"),
        ("110105-1949-1231-002X", "身份证", "ric", "11010519491231002X"),
        (" 110105 19491231 002x ", "居民身份证", "ric", "11010519491231002X"),
        ("110105491231002", None, "ric", "11010519491231002X"),
        (HK_PERMIT, None, "hmt_residence", HK_PERMIT),
        (MO_PERMIT, "港澳居民居住证", "hmt_residence", MO_PERMIT),
        (TW_PERMIT, "台湾居民居住证", "hmt_residence", TW_PERMIT),
        (TW_PERMIT, "身份证", "hmt_residence", TW_PERMIT),  # typed in a 身份证 column
        (FPR_2023, None, "foreign_pr", FPR_2023),
        (FPR_2023, "外国人永久居留身份证", "foreign_pr", FPR_2023),
        ("USA318804120157", None, "foreign_pr", "USA318804120157"),
        ("h12345678", None, "hk_mo_permit", "H12345678"),
        ("M1234567802", "港澳居民来往内地通行证", "hk_mo_permit", "M12345678"),
        ("12345678", "台湾居民来往大陆通行证", "tw_permit", "12345678"),
        ("1234567801", "台胞证", "tw_permit", "12345678"),
        ("12345678(B)", "tw_permit", "tw_permit", "12345678"),
        ("E12345678", "护照", "passport", "E12345678"),
        ("EA1234567", None, "passport", "EA1234567"),
        ("CHN E12345678", None, "passport", "E12345678"),
        ("usa: 123456789", None, "passport", "123456789"),
    ],
)
def test_it_normalises_real_world_forms(raw: str, declared: str | None, doc_type: str, number: str) -> None:
    doc = normalize_document(raw, declared, today=TODAY)
    assert doc.valid, doc
    assert (doc.doc_type, doc.number) == (doc_type, number)
    assert doc.error_code is None and doc.error is None


def test_it_converts_15_digit_ids_of_people_born_in_the_1900s() -> None:
    for short, born in (("110105491231002", dt.date(1949, 12, 31)), ("350203000101123", dt.date(1900, 1, 1)),
                        ("350203991231124", dt.date(1999, 12, 31))):
        doc = normalize_document(short, today=TODAY)
        assert doc.valid and doc.converted_from_15 and doc.birth_date == born
        assert doc.number == ric.convert_15_to_18(short)
        assert doc.sex == ("M" if int(short[-1]) % 2 else "F")


def test_it_extracts_birth_date_sex_and_area_from_a_residence_permit() -> None:
    doc = normalize_document(TW_PERMIT, today=TODAY)
    assert (doc.birth_date, doc.sex, doc.area_code) == (dt.date(1979, 3, 2), "F", "830000")


def test_it_reads_the_2023_foreign_pr_card() -> None:
    doc = normalize_document(FPR_2023, today=TODAY)
    assert doc.birth_date == dt.date(1988, 4, 12)
    assert doc.area_code == "310000"  # acceptance office: Shanghai
    assert doc.sex == "M"
    bad = FPR_2023[:-1] + ("0" if FPR_2023[-1] != "0" else "1")
    assert normalize_document(bad, today=TODAY).error_code == "bad_check_digit"


@pytest.mark.parametrize(
    ("raw", "declared", "code"),
    [
        (None, None, "empty"),
        ("   ", "身份证", "empty"),
        ("110105194912310021", None, "bad_check_digit"),
        ("1101051949123100", "身份证", "bad_length"),
        ("11010519491231002Y", "身份证", "bad_characters"),
        (_ric("110105", "19491331", "002"), None, "bad_birth_date"),
        (_ric("999999", "19491231", "002"), None, "unknown_area_code"),
        ("110105491331002", None, "bad_birth_date"),  # 15-digit: no check digit, but the date is checked
        (HK_PERMIT[:-1] + ("0" if HK_PERMIT[-1] != "0" else "1"), None, "bad_check_digit"),
        ("110105194912310021", "港澳台居民居住证", "bad_check_digit"),
        ("810300197306033150", None, "bad_check_digit"),
        (_ric("810300", "19730603", "315"), None, "unknown_area_code"),
        ("USA311380412157", None, "bad_birth_date"),
        ("USA998804120157", None, "unknown_area_code"),
        ("X1234567", "回乡证", "bad_format"),
        ("H123456", "回乡证", "bad_length"),
        ("1234567", "台胞证", "bad_length"),
        ("E1234567", "护照", "passport_ok"),
        ("CHN 12345", None, "bad_format"),
        ("E1-2", "护照", "bad_length"),
        ("张三", None, "unknown_type"),
    ],
)
def test_it_reports_a_stable_error_code_for_bad_numbers(raw: str | None, declared: str | None, code: str) -> None:
    doc = normalize_document(raw, declared, today=TODAY)
    if code == "passport_ok":  # a 5–9 character ICAO number of unknown issuing state is accepted
        assert doc.valid and doc.doc_type == "passport"
        return
    assert not doc.valid
    assert doc.error_code == code, doc
    # the generic message, or one that names the specifics (which character, how many), kept as params
    assert doc.error == ERRORS[code] or doc.error_params, doc


def test_an_invalid_number_keeps_its_cleaned_form() -> None:
    doc = normalize_document("１１０１０５ 1949-1231-002１", today=TODAY)
    assert doc.number == "110105194912310021"


@pytest.mark.parametrize(
    ("label", "doc_type"),
    [
        ("居民身份证", "ric"), ("身份证", "ric"), ("RIC", "ric"), ("Resident ID", "ric"),
        ("护照", "passport"), ("Passport", "passport"), ("港澳居民居住证", "hmt_residence"),
        ("台湾居民居住证", "hmt_residence"), ("外国人永久居留身份证", "foreign_pr"), ("foreign_pr", "foreign_pr"),
        ("港澳居民来往内地通行证", "hk_mo_permit"), ("台湾居民来往大陆通行证", "tw_permit"),
        ("  身份证 ", "ric"), ("驾驶证", None), ("", None), (None, None),
    ],
)
def test_it_maps_roster_type_labels(label: str | None, doc_type: str | None) -> None:
    assert doc_type_from_label(label) == doc_type


@pytest.mark.parametrize(
    ("cleaned", "doc_type"),
    [
        ("11010519491231002X", "ric"), ("110105491231002", "ric"), (HK_PERMIT, "hmt_residence"),
        (FPR_2023, "foreign_pr"), ("USA318804120157", "foreign_pr"), ("H1234567801", "hk_mo_permit"),
        ("12345678", "tw_permit"), ("E12345678", "passport"), ("123", "unknown"), ("ABCDEFG", "unknown"),
    ],
)
def test_it_classifies_a_bare_number(cleaned: str, doc_type: str) -> None:
    assert classify(cleaned) == doc_type


# A column headed as a resident ID number (身份证号, 公民身份号码, ID number …): a fresh user's roster row
# `朱红梅,abc123,12345` under 身份证号 came out as a valid passport (classify takes 5–9 letters and digits).
@pytest.mark.parametrize("raw", ["abc123", "12345", "ABCDEFG", "1234567", "123456789", "x1", "ab-12"])
def test_a_number_in_a_resident_id_column_that_is_no_document_is_not_a_valid_id_number(raw: str) -> None:
    doc = normalize_document(raw, resident_id_column=True, today=TODAY)
    assert (doc.doc_type, doc.valid, doc.error_code) == ("unknown", False, "not_an_id_number")
    assert doc.error == ERRORS["not_an_id_number"] and "not a valid ID number" in doc.error


@pytest.mark.parametrize(
    ("raw", "doc_type"),
    [
        ("11010519491231002X", "ric"), ("110105491231002", "ric"), ("E12345678", "passport"),
        ("EA1234567", "passport"), ("G12345678", "passport"), ("C01X00T47", "passport"),  # German series
        ("AB123456", "passport"), ("N123456", "passport"),
        ("H1234567801", "hk_mo_permit"), ("M12345678", "hk_mo_permit"), ("12345678", "tw_permit"),
        ("usa: 12345", "passport"),  # an issuing state makes it an explicit passport
    ],
)
def test_documents_that_legitimately_stand_in_a_resident_id_column_are_kept(raw: str, doc_type: str) -> None:
    doc = normalize_document(raw, resident_id_column=True, today=TODAY)
    assert doc == normalize_document(raw, today=TODAY)
    assert doc.valid and doc.doc_type == doc_type


def test_the_resident_id_column_rule_leaves_generic_and_labelled_columns_alone() -> None:
    # 证件号码 (any document): a short ICAO passport number stays a passport; a 护照 label is explicit.
    assert normalize_document("abc123", today=TODAY).doc_type == "passport"
    assert normalize_document("abc123", "护照", resident_id_column=True, today=TODAY).valid
