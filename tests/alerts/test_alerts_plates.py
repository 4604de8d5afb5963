"""Plate normalisation."""

from hypothesis import given
from hypothesis import strategies as st

from pingan.alerts import plates


def test_it_folds_width_case_separators_and_serial_confusions():
    assert plates.normalise("闽Ｄ·１２３ＯＩ") == "闽D12301"
    assert plates.normalise(" 闽d-12345 ") == "闽D12345"
    assert plates.normalise("无牌") == ""


def test_low_reliability_adds_the_province_less_key():
    assert plates.candidates("闽D12345", reliability=95, threshold=80) == ("闽D12345",)
    assert plates.candidates("粤D12345", reliability=50, threshold=80) == ("粤D12345", "*D12345")


@given(st.text(max_size=12))
def test_normalising_is_idempotent(s):
    assert plates.normalise(plates.normalise(s)) == plates.normalise(s)
