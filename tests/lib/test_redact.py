"""pingan.lib.redact: long digit runs (ID, phone, bank-card numbers) are masked wherever they stand in a text;
row numbers, dates and times are left as they are."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from pingan.lib.redact import mask_id, mask_numbers, mask_values


def _id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


ids = st.builds(lambda a, y, m, d, s: _id(f"{a}{y}{m:02d}{d:02d}{s:03d}"),
                st.sampled_from(["110101", "350203", "440305"]), st.integers(1930, 2020), st.integers(1, 12),
                st.integers(1, 28), st.integers(0, 999))
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
cards = st.from_regex(r"62[0-9]{14,17}", fullmatch=True)
# what a cell or a message may hold around a number: CJK, letters, punctuation, quotes, line breaks
filler = st.text(st.sampled_from(list("张三李四王五,，;；：:\"' \n\r\t()（）/-abcXx行第号")), max_size=12)


def _shown(number: str, text: str) -> bool:
    return number in text or number.upper() in text or number.lower() in text


@given(st.lists(st.tuples(filler, st.one_of(ids, phones, cards)), min_size=1, max_size=5), filler)
def test_no_number_survives_whatever_surrounds_it(parts, tail):
    text = "".join(f + n for f, n in parts) + tail
    masked = mask_numbers(text)
    for _, number in parts:
        assert not _shown(number, masked), (number, masked)
    assert not re.search(r"\d{9}", masked)
    # the text around the numbers is kept (a space or hyphen between two numbers joins them into one run)
    assert re.sub(r"[0-9*Xx \-]", "", masked) == re.sub(r"[0-9Xx \-]", "", text)


@given(ids)
def test_spaced_hyphenated_and_full_width_numbers_are_masked_too(number):
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    hyphened = f"{number[:6]}-{number[6:14]}-{number[14:]}"
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    for text in (spaced, hyphened, full_width):
        masked = mask_numbers(f"张三{text}")
        assert masked.startswith("张三") and "*" * 10 in masked, masked


def test_row_numbers_dates_times_and_postcodes_stay():
    for text in ("第 1048576 行", "rows 3–5, 7", "2024-03-01", "20240301", "2022-08-20 12:00:00",
                 "2026-12-06T21:02:00+08:00", "邮编 361000", "same person as row 12345678"):
        assert mask_numbers(text) == text


def test_a_standards_number_and_year_stay_but_an_id_after_gb_is_masked():
    """The trial saw the lower-case-x note read "GB 116****99 writes a capital X"."""
    for text in ("GB 11643-1999 writes a capital X", "按 GB/T 2260-2007", "GB 11643-1999规定为大写X"):
        assert mask_numbers(text) == text
    assert mask_numbers("GB 110101199003078515") == "GB 110*************15"
    assert mask_numbers("GB 110101-19900307-8515") == "GB 110*************15"


def test_the_masked_form_keeps_the_first_three_and_last_two():
    assert mask_numbers("110101199003078515") == "110*************15"
    assert mask_numbers("11010119900307851X") == "110*************1X"
    assert mask_numbers("13800138000") == "138******00"
    assert mask_values({"a": ["x 13800138000"], "b": 3}) == {"a": ["x 138******00"], "b": 3}


@given(st.integers(1, 9), st.text("0123456789", max_size=14), st.integers(8, 20),
       st.sampled_from(["E+", "E", "e+", "e", "Ｅ+"]))
def test_an_excel_number_in_its_general_format_is_never_shown_unmasked(lead, rest, exponent, mark):
    """Excel's General format trims the mantissa (``1.5E+17``, ``3.70923E+17``, ``1E+17``): issue 11 found
    ``1.5E+17`` — shorter than a number run — shown in full beside a masked ``370*************00``."""
    mantissa = f"{lead}.{rest}" if rest else str(lead)
    text = f"{mantissa}{mark}{exponent}"
    masked = mask_id(text)
    assert "*" in masked and masked == mask_numbers(text)  # one masked form, alone or inside a reason
    assert mask_numbers(f"证件号码 {text} 被存成了数字") == f"证件号码 {masked} 被存成了数字"
