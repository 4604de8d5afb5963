"""GB/T 28181 20-digit device IDs."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.lib import gb28181


def test_it_splits_the_standard_example():
    d = gb28181.parse("34020000001320000101")
    assert (d.centre, d.industry, d.type, d.network, d.serial) == ("34020000", "00", "132", "0", "000101")
    assert d.type_name == "network camera (IPC)" and d.adcode == "340200"


def test_215_and_216_mean_different_things_in_2016_and_2022():
    assert gb28181.parse("35020000002150000001", edition="2016").type_name_zh == "虚拟组织"
    assert gb28181.parse("35020000002150000001", edition="2022").type_name_zh == "业务分组"
    assert gb28181.parse("35020000002160000001", edition="2016").type_name_zh == "中心信令控制服务器"
    assert gb28181.parse("35020000002160000001", edition="2022").type_name_zh == "虚拟组织"
    with pytest.raises(ValueError, match="edition"):
        gb28181.parse("35020000002160000001", edition="2019")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("3402000000132000010", "length"),
        ("340200000013200001011", "length"),
        ("3402000000132000010a", "not_digits"),
        ("３４０２００００００１３２００００１０１", "not_digits"),
        ("99020000001320000101", "centre"),
        ("35990000001320000101", "centre"),
        ("35020000009990000101", "type"),
    ],
)
def test_it_names_what_is_wrong(value, code):
    with pytest.raises(gb28181.DeviceIdError) as exc:
        gb28181.parse(value)
    assert (exc.value.code == code and value[:4] in str(exc.value)) or code == "not_digits"


@given(st.text(max_size=25))
def test_it_never_raises_anything_but_its_own_error(s):
    with contextlib.suppress(gb28181.DeviceIdError):
        gb28181.parse(s)
