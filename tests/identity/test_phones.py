"""Phone numbers → E.164: the fast path agrees with phonenumbers; HK/MO/TW and foreign numbers survive."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.lib.identity import normalize_phone
from pingan.lib.identity.phones import normalize_phone_reference


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+86-13812345678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("86 13812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("010-12345678", "+861012345678"),
        ("(0592) 5123456", "+865925123456"),
        ("+86 592 5123456", "+865925123456"),
        ("+852 9123 4567", "+85291234567"),
        ("+853 6612 3456", "+85366123456"),
        ("+886 912 345 678", "+886912345678"),
        ("+1 650-253-0000", "+16502530000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12345", None),
        ("10012345678", None),  # 100 is not a mobile prefix
        ("", None),
        ("   ", None),
        (None, None),
        ("无", None),
    ],
)
def test_it_normalises_to_e164(raw: str | None, e164: str | None) -> None:
    assert normalize_phone(raw) == e164


def test_a_bare_hong_kong_number_needs_its_region() -> None:
    assert normalize_phone("9123 4567") is None
    assert normalize_phone("9123 4567", default_region="HK") == "+85291234567"


_prefix = st.sampled_from(["", "+86", "+86 ", "0086", "86", "+86-"])
_sep = st.sampled_from(["", " ", "-"])


@settings(max_examples=300, deadline=None)
@given(_prefix, st.text(alphabet="0123456789", min_size=10, max_size=10), _sep)
def test_the_fast_path_agrees_with_phonenumbers(prefix: str, rest: str, sep: str) -> None:
    digits = "1" + rest
    raw = prefix + digits[:3] + sep + digits[3:7] + sep + digits[7:]
    assert normalize_phone(raw) == normalize_phone_reference(raw)


def test_a_mobile_shaped_number_is_valid_exactly_when_phonenumbers_says_so() -> None:
    # the fast path decides every "1" + 10-digit number by the CN mobile pattern; sweep the prefixes.
    for prefix in range(10000, 20000, 7):
        digits = f"{prefix}{prefix * 7919 % 1000000:06d}"
        for form in (digits, "86" + digits, "+86 " + digits, "0086" + digits):
            assert normalize_phone(form) == normalize_phone_reference(form), form
