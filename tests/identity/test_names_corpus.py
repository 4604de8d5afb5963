"""Name keys on real (historical) names, mostly written in traditional characters; see data/SOURCE.md."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from pingan.lib.identity import compare_names, name_keys
from pingan.lib.identity.names import NAME_KEEP, to_simplified, to_simplified_name

NAMES = (Path(__file__).parent / "data" / "ancient_names_sample.txt").read_text(encoding="utf-8").split()
_S2T = opencc.OpenCC("s2t")


def test_the_sample_is_there_and_mostly_traditional() -> None:
    assert len(NAMES) == 399
    assert sum(name_keys(n).simplified != n for n in NAMES) > 150


@pytest.mark.parametrize("name", NAMES[::4])
def test_a_traditional_name_and_its_simplified_form_share_their_keys(name: str) -> None:
    keys = name_keys(name)
    assert keys.script == "han"
    assert to_simplified_name(keys.simplified) == keys.simplified  # conversion is complete (idempotent)
    # only the characters names keep (乾, 甯, 昇, 陞; issue 12 item 18) escape OpenCC's merge
    assert all(a == b or a in NAME_KEEP for a, b in zip(keys.simplified, to_simplified(keys.simplified), strict=True))
    simple = name_keys(keys.simplified)
    assert simple.pinyin == keys.pinyin
    assert compare_names(name, keys.simplified).kind in ("exact", "simplified")
    # every character reads as one syllable (characters outside pypinyin's dictionary are the only gap).
    assert len(keys.pinyin.split()) <= len(keys.simplified)


def test_round_tripping_through_opencc_s2t_keeps_the_match() -> None:
    mismatches = [n for n in NAMES if not compare_names(n, _S2T.convert(name_keys(n).simplified)).matched]
    # s2t can pick another traditional variant (e.g. 於/于), but t2s brings both back to one form.
    assert mismatches == []
