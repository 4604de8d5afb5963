"""Name input families from peers' bug reports (issue 12, items 18 and 19).

* Traditional → simplified conversion must not merge distinct name characters: 徐乾學 is 徐乾学 (乾 is kept
  in names, not 干), 鍾小明 is 锺小明 (锺 is the standard surname character), 甯 is not 宁; names are
  compared on the original and the name-aware converted form, the exact character preferred, and the
  original romanised (xu qian xue, not xu gan xue).
* Romanised compound surnames (``SIMA Guangming``, ``OUYANG Nana``) must meet 司马光明 / 欧阳娜娜 in a batch:
  the join keys cover every pair that ``compare_names`` relates (checked with hypothesis).
"""

from __future__ import annotations

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.lib.identity import compare_names, name_keys
from pingan.lib.identity.names import (
    COMPOUND_SURNAMES,
    NAME_KEEP,
    han_parts,
    join_keys,
    romanised_forms,
    to_simplified_name,
)
from pingan.screening.batch import CORROBORATING_NAMES

_S2T = opencc.OpenCC("s2t")


# ------------------------------------------------------------------ item 18: t2s keeps name characters


@pytest.mark.parametrize(("traditional", "simplified", "pinyin"), [
    ("徐乾學", "徐乾学", "xu qian xue"),
    ("鍾小明", "锺小明", "zhong xiao ming"),
    ("甯小明", "甯小明", "ning xiao ming"),
    ("於小明", "於小明", "yu xiao ming"),
    ("王昇", "王昇", "wang sheng"),
    ("李陞", "李陞", "li sheng"),
    ("陳大文", "陈大文", "chen da wen"),
    ("歐陽修", "欧阳修", "ou yang xiu"),
    ("鍾離春", "钟离春", "zhong li chun"),  # the compound surname 钟离 keeps its table form
    ("王鍾", "王钟", "wang zhong"),  # 鍾 outside the surname is 钟
])
def test_names_convert_without_merging_name_characters(traditional: str, simplified: str, pinyin: str) -> None:
    keys = name_keys(traditional)
    assert (keys.normalized, keys.simplified, keys.pinyin) == (traditional, simplified, pinyin)
    assert to_simplified_name(traditional) == simplified


def test_xu_qianxue_is_not_xu_ganxue() -> None:
    assert compare_names("徐乾學", "徐干学").kind == "none"
    assert compare_names("徐乾學", "徐乾学").kind == "simplified"
    assert compare_names("徐乾学", "XU Qianxue").kind == "romanised"
    assert compare_names("徐乾学", "XU Ganxue").kind == "none"


def test_a_merged_surname_variant_is_a_weaker_relation_than_the_exact_character() -> None:
    # 鍾 is 锺 as a surname: the same in simplified characters; 钟 shares only the reading
    assert compare_names("鍾小明", "锺小明").kind == "simplified"
    assert compare_names("鍾小明", "钟小明").kind == "homophone"
    assert compare_names("甯小明", "宁小明").kind == "homophone"
    assert compare_names("甯小明", "甯小明").kind == "exact"
    assert compare_names("於小明", "于小明").kind == "homophone"
    # the exact character ranks first wherever candidates are ranked (watchlists, typo recovery)
    order = ["exact", "simplified", "homophone", "romanised", "latin-token"]
    kinds = [compare_names("锺小明", c).kind for c in ("锺小明", "鍾小明", "钟小明")]
    assert kinds == ["exact", "simplified", "homophone"] and sorted(kinds, key=order.index) == kinds


_NAME_CHARS = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红梅鑫波斌宇浩凯国志海燕晓东文博子"
               "乾甯昇陞行长重乐朝单曾")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from("张王李赵钟锺甯宁於于乾干徐单曾"), st.text(alphabet=_NAME_CHARS, min_size=1, max_size=2))
def test_kept_characters_survive_any_round_trip_through_traditional(surname: str, given_name: str) -> None:
    name = surname + given_name
    trad = _S2T.convert(name)
    keys = name_keys(trad)
    for i, ch in enumerate(name):
        if ch in NAME_KEEP:
            assert keys.simplified[i] == ch, (name, trad, keys)
    # a name typed in traditional characters and the same name in simplified ones are never "none" — unless
    # s2t itself wrote a kept character for another one (干梅 → 乾梅: the surname 干 is not 乾)
    if not any(t in NAME_KEEP and t != c for t, c in zip(trad, name, strict=True)):
        assert compare_names(trad, name).kind != "none", (name, trad)


# -------------------------------------------------------- item 19: romanised compound surnames, join keys


@pytest.mark.parametrize(("latin", "han"), [
    ("SIMA Guangming", "司马光明"), ("Sima Guang Ming", "司马光明"), ("Guangming SIMA", "司马光明"),
    ("SI MA GUANG MING", "司马光明"), ("OUYANG Nana", "欧阳娜娜"), ("Ouyang Na-na", "欧阳娜娜"),
    ("OU YANG NA NA", "欧阳娜娜"), ("ZHUGE Liang", "诸葛亮"), ("SHANGGUAN Wan'er", "上官婉儿"),
    ("LYU Wei", "吕伟"), ("LV Wei", "吕伟"), ("LU Wei", "吕伟"), ("NYU Hong", "女红"),
    ("ZHANG Xiaoming", "张小明"), ("zhangxiaoming", "张小明"),
])
def test_romanised_forms_meet_the_han_name_in_compare_and_in_the_join_keys(latin: str, han: str) -> None:
    assert compare_names(latin, han).kind == "romanised"
    assert compare_names(han, latin).kind == "romanised"
    assert set(join_keys(latin)) & set(join_keys(han))


def test_han_parts_group_compound_surnames_and_transliterations() -> None:
    assert han_parts("欧阳娜娜") == [["ou", "yang"], ["na", "na"]]
    assert han_parts("司马光明") == [["si", "ma"], ["guang", "ming"]]
    assert han_parts("单田芳") == [["shan"], ["tian", "fang"]]
    assert han_parts("阿不都·热合曼")[1] == ["re", "he", "man"]
    assert "guangming sima" in romanised_forms("司马光明")


def _romanise(han: str, draw: st.DrawFn) -> str:
    """A Latin spelling of ``han`` as a passport, a list or a clerk might write it."""
    groups = han_parts(name_keys(han).simplified)
    umlaut = draw(st.sampled_from(["v", "u", "yu"]))
    tokens = []
    for g in groups:
        g = [s.replace("v", umlaut) for s in g]
        tokens.extend(["".join(g)] if draw(st.booleans()) else g)
    if draw(st.booleans()):
        tokens.reverse()
    sep = draw(st.sampled_from([" ", "  ", ", "]))
    case = draw(st.sampled_from([str.upper, str.title, str.lower]))
    return case(sep.join(tokens))


_SURNAMES = [*COMPOUND_SURNAMES, *"张王李赵钟锺吕女单曾徐乾甯"]


@st.composite
def related_pairs(draw: st.DrawFn) -> tuple[str, str]:
    surname = draw(st.sampled_from(_SURNAMES))
    name = surname + draw(st.text(alphabet=_NAME_CHARS + "吕绿女", min_size=1, max_size=2))
    how = draw(st.sampled_from(["same", "traditional", "romanised", "homophone", "unrelated"]))
    if how == "same":
        other = name
    elif how == "traditional":
        other = _S2T.convert(name)
    elif how == "romanised":
        other = _romanise(name, draw)
    elif how == "homophone":
        swaps = {"伟": "玮", "明": "鸣", "张": "章", "芳": "方", "军": "君", "华": "桦", "静": "靖", "乐": "勒"}
        other = "".join(swaps.get(ch, ch) for ch in name)
    else:
        other = draw(st.sampled_from(_SURNAMES)) + draw(st.text(alphabet=_NAME_CHARS, min_size=1, max_size=2))
    return (name, other) if draw(st.booleans()) else (other, name)


@settings(max_examples=400, deadline=None)
@given(related_pairs())
def test_the_join_keys_cover_every_pair_compare_names_relates(pair: tuple[str, str]) -> None:
    """Completeness of the batch blocking: what the pure comparison matches, the join cannot miss."""
    a, b = pair
    if compare_names(a, b).kind in CORROBORATING_NAMES:
        assert set(join_keys(a)) & set(join_keys(b)), (a, b, compare_names(a, b))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="张王李司马欧阳诸葛乾甯锺钟吕女娜明伟·. abcLYUVSIMAGuangmingOUYANGNana", max_size=8),
       st.text(alphabet="张王李司马欧阳诸葛乾甯锺钟吕女娜明伟·. abcLYUVSIMAGuangmingOUYANGNana", max_size=8))
def test_the_join_keys_cover_every_related_pair_of_any_text(a: str, b: str) -> None:
    if compare_names(a, b).kind in CORROBORATING_NAMES:
        assert set(join_keys(a)) & set(join_keys(b)), (a, b, compare_names(a, b))
