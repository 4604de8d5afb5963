"""Personal names: normalisation keys and pairwise comparison for Han and Latin-script names.

Rules, in the order they are applied (each is documented with its source in ``docs/matching.md``):

1. Unicode NFKC (UAX #15): full-width letters → ASCII, compatibility forms folded.
2. Name separators of transliterated minority and foreign names — ``·`` U+00B7, ``•`` U+2022, ``．``
   U+FF0E, ``・`` U+30FB / ``･`` U+FF65, ``‧`` U+2027, ``∙`` U+2219, ``⋅`` U+22C5, ``.`` and ``。`` between
   Han characters — unified to ``·`` U+00B7, the separator GB 18030 / 公安部 practice uses on ID cards
   (e.g. 阿不都·热合曼). Spaces are removed inside Han names.
3. Traditional → simplified with OpenCC's ``t2s`` data (opencc-python-reimplemented), character-level
   first and phrase-level when any character changes (陳大文 → 陈大文, 歐陽 → 欧阳).
4. Pinyin (pypinyin, toneless ``Style.NORMAL``): the surname is read with its surname reading (单 shan,
   曾 zeng, 解 xie, 区 ou, 仇 qiu, 朴 piao, …; compound surnames 欧阳, 司马, 尉迟, 万俟, …) and the given
   name character by character with pypinyin's default reading — names are not dictionary words, so
   phrase context would mislead. Transliterated names (with ``·``) have no surname.
5. Latin-script names: NFKD with combining marks removed (José → jose), lower case, tokens sorted so
   ``SMITH John`` and ``John Smith`` share the key; initials are compared in :func:`compare_names`.

Keys are memoised per distinct name (an LRU cache of a million entries), so a batch pays the OpenCC and
pypinyin cost once per distinct name. This module imports no Django.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pingan.lib.identity._text import fold

Script = Literal["han", "latin", "mixed", "empty"]
NameMatchKind = Literal["exact", "simplified", "homophone", "romanised", "latin-token", "initials", "none"]

#: Surname readings that differ from the character's default reading (《百家姓》 and 现代汉语词典 姓氏读音).
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
    "盖": "ge", "翟": "zhai", "缪": "miao", "覃": "qin", "尉": "wei", "乐": "yue", "长": "chang",
    "朝": "chao", "秘": "bi", "召": "shao", "祭": "zhai", "厍": "she", "折": "she", "员": "yun",
    "繁": "po", "黑": "he", "都": "du", "种": "chong", "句": "gou", "阚": "kan", "隗": "wei", "乜": "nie",
    "么": "yao", "蕃": "pi", "洗": "xian", "冼": "xian", "褚": "chu", "车": "che", "牟": "mou", "宁": "ning",
    "柏": "bai", "过": "guo", "重": "chong", "藏": "zang", "贲": "ben", "郇": "huan", "逄": "pang",
    "谌": "chen", "眭": "sui", "隽": "juan", "莘": "shen", "宓": "mi", "哈": "ha", "华": "hua", "任": "ren",
    "沈": "shen", "石": "shi", "薄": "bo", "万": "wan", "便": "pian", "呙": "guo", "卜": "bu", "纪": "ji",
    "燕": "yan", "粘": "nian", "应": "ying", "参": "shen", "能": "nai", "角": "jue", "曲": "qu",
    "甯": "ning", "锺": "zhong", "於": "yu",
}

#: Compound surnames (复姓) with their readings.
COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "ou yang", "司马": "si ma", "上官": "shang guan", "诸葛": "zhu ge", "东方": "dong fang",
    "皇甫": "huang fu", "尉迟": "yu chi", "公孙": "gong sun", "慕容": "mu rong", "长孙": "zhang sun",
    "宇文": "yu wen", "司徒": "si tu", "夏侯": "xia hou", "轩辕": "xuan yuan", "令狐": "ling hu",
    "端木": "duan mu", "万俟": "mo qi", "单于": "chan yu", "澹台": "tan tai", "公冶": "gong ye",
    "宗政": "zong zheng", "濮阳": "pu yang", "淳于": "chun yu", "太叔": "tai shu", "申屠": "shen tu",
    "钟离": "zhong li", "闾丘": "lv qiu", "东郭": "dong guo", "南宫": "nan gong", "西门": "xi men",
    "百里": "bai li", "呼延": "hu yan", "第五": "di wu", "司空": "si kong", "赫连": "he lian",
    "拓跋": "tuo ba", "羊舌": "yang she", "左丘": "zuo qiu", "公羊": "gong yang", "乐正": "yue zheng",
}

#: Characters that 《通用规范汉字表》(State Council, 2013) keeps as standard characters in personal names but
#: that OpenCC's t2s merges into another character: 乾 (qián, not 干 gān), 甯 (the surname Nìng, not 宁),
#: 昇 and 陞 (shēng, not 升). Kept as written wherever they stand in a name.
NAME_KEEP: frozenset[str] = frozenset("乾甯昇陞")
#: Surname characters the same table keeps or maps apart from OpenCC: 鍾 → 锺 (the surname; 钟 elsewhere),
#: 於 stays 於 (the surname Yū/Yú; 于 elsewhere). Applied to the first character of a name only.
NAME_SURNAME_T2S: dict[str, str] = {"鍾": "锺", "於": "於"}
#: The reading a kept character has in names: homophone tests use only this reading (乾 never reads gān
#: as a name character: that reading belongs to the 干 it was merged with).
NAME_READINGS: dict[str, str] = {"乾": "qian", "甯": "ning", "昇": "sheng", "陞": "sheng", "锺": "zhong",
                                 "於": "yu"}

_DOTS = re.compile(r"\s*[\u00b7\u2022\u30fb\uff65\u2027\u2219\u22c5\u2e31\u318d\u16eb]\s*")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{_HAN}]")
_DOT_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}])\\s*[.。]\\s*(?=[{_HAN}])")
_HAN_ONLY = re.compile(f"^[{_HAN}·]+$")
_LATIN = re.compile(r"[A-Za-z]")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _t2s():
    """OpenCC's traditional → simplified converter, made at first use: this module is imported whenever Django
    starts (the screening engine imports it), and pypinyin and OpenCC cost a third of a second to load — every
    ``pingan … --help`` paid it (issue 11)."""
    import opencc

    return opencc.OpenCC("t2s")


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Comparison keys of one name.

    ``normalized``: NFKC, dots unified to ``·``, spaces removed inside Han names, collapsed elsewhere.
    ``simplified``: ``normalized`` converted traditional → simplified (OpenCC t2s).
    ``pinyin``: toneless, surname-aware, space-separated syllables of the Han characters ("" if none).
    ``script``: ``han`` | ``latin`` | ``mixed`` | ``empty``.
    ``latin_key``: the Latin tokens, ASCII-folded, lower case, sorted, space-separated ("" if none).
    """

    normalized: str
    simplified: str
    pinyin: str
    script: Script
    latin_key: str


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The outcome of :func:`compare_names`: the strongest ``kind`` that holds and a readable ``reason``."""

    kind: NameMatchKind
    reason: str

    @property
    def matched(self) -> bool:
        """True for every kind but ``none``."""
        return self.kind != "none"


@lru_cache(maxsize=65536)
def _char_t2s(ch: str) -> str:
    return _t2s().convert(ch)


def to_simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s); phrase-level only when some character changes."""
    if all(_char_t2s(ch) == ch for ch in text):
        return text
    return _t2s().convert(text)


def to_simplified_name(name: str) -> str:
    """A Han name in simplified characters without merging distinct name characters.

    OpenCC t2s (:func:`to_simplified`), then the characters of :data:`NAME_KEEP` restored where they were
    written (徐乾學 → 徐乾学, not 徐干学; 甯 stays 甯) and the surname mapped by :data:`NAME_SURNAME_T2S`
    (鍾小明 → 锺小明; 於 stays 於) unless the name starts with a compound surname (鍾離 → 钟离) or is a
    transliteration with ``·``. Source: 《通用规范汉字表》(2013) and its notes on 乾, 锺, 甯, 於, 昇, 陞.
    """
    converted = to_simplified(name)
    if converted == name or len(converted) != len(name):
        return converted
    out = [orig if orig in NAME_KEEP else conv for orig, conv in zip(name, converted, strict=True)]
    if "·" not in name and name[0] in NAME_SURNAME_T2S and converted[:2] not in COMPOUND_SURNAMES:
        out[0] = NAME_SURNAME_T2S[name[0]]
    return "".join(out)


@lru_cache(maxsize=65536)
def _char_reading(ch: str) -> str:
    """pypinyin's default toneless reading of one Han character ("" for anything else)."""
    if not _HAN_CHAR.match(ch):
        return ""
    from pypinyin import Style, lazy_pinyin  # loaded at first use (:func:`_t2s`)

    return lazy_pinyin(ch, style=Style.NORMAL, v_to_u=False)[0]


@lru_cache(maxsize=65536)
def char_readings(ch: str) -> frozenset[str]:
    """Every toneless reading pypinyin knows for one Han character (heteronyms), for homophone tests; a
    character of :data:`NAME_READINGS` has only its name reading."""
    if not _HAN_CHAR.match(ch):
        return frozenset()
    if ch in NAME_READINGS:
        return frozenset({NAME_READINGS[ch]})
    from pypinyin import Style, pinyin  # loaded at first use (:func:`_t2s`)

    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def _reading(ch: str) -> str:
    return NAME_READINGS.get(ch) or _char_reading(ch)


def han_parts(simplified: str) -> list[list[str]]:
    """The syllables of a normalised simplified Han name grouped as a passport would print them: for a
    Chinese name ``[surname syllables, given-name syllables]`` (a compound surname of :data:`COMPOUND_SURNAMES`
    gives two surname syllables: 欧阳娜娜 → ``[["ou", "yang"], ["na", "na"]]``; a one-character name has one
    group); for a transliteration with ``·`` one group per part (阿不都·热合曼 → ``[["a", "bu", "du"],
    ["re", "he", "man"]]``). Surname readings from :data:`SURNAME_READINGS`; characters without a reading
    are skipped; empty groups dropped."""
    if "·" in simplified:
        groups = [[r for ch in part if (r := _reading(ch))] for part in simplified.split("·")]
        return [g for g in groups if g]
    head: list[str] = []
    rest = simplified
    if simplified[:2] in COMPOUND_SURNAMES and len(simplified) > 2:
        head = COMPOUND_SURNAMES[simplified[:2]].split()
        rest = simplified[2:]
    elif len(simplified) > 1:
        head = [r] if (r := SURNAME_READINGS.get(simplified[0]) or _reading(simplified[0])) else []
        rest = simplified[1:]
    given = [r for ch in rest if (r := _reading(ch))]
    return [g for g in (head, given) if g]


def han_pinyin(simplified: str) -> list[str]:
    """Surname-aware toneless syllables of a normalised simplified Han name (non-Han characters skipped).

    A name with ``·`` is a transliteration: every part is read character by character, no surname rule.
    """
    return [syl for group in han_parts(simplified) for syl in group]


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def latin_tokens(text: str) -> list[str]:
    """Lower-case ASCII tokens of the Latin part of ``text`` (diacritics removed: ``Müller`` → ``muller``)."""
    return _TOKEN.findall(_ascii_fold(text))


@lru_cache(maxsize=1 << 20)
def name_keys(name: str | None) -> NameKeys:
    """The :class:`NameKeys` of a roster name (``None`` and blank give ``script="empty"``). Memoised."""
    if name is None:
        return NameKeys("", "", "", "empty", "")
    text = fold(name).strip()
    text = _DOTS.sub("·", text)
    text = _DOT_BETWEEN_HAN.sub("·", text)
    has_han = bool(_HAN_CHAR.search(text))
    has_latin = bool(_LATIN.search(_ascii_fold(text)))
    script: Script = (
        "mixed" if has_han and has_latin else "han" if has_han else "latin" if has_latin else "empty"
    )
    text = _SPACES.sub("", text).strip("·") if script == "han" else _SPACES.sub(" ", text)
    if script == "empty":
        return NameKeys(text, text, "", "empty", "")
    simplified = to_simplified_name(text) if has_han else text
    syllables = " ".join(han_pinyin(simplified)) if has_han else ""
    latin_key = " ".join(sorted(latin_tokens(text))) if has_latin else ""
    return NameKeys(text, simplified, syllables, script, latin_key)


def _homophone(a: str, b: str) -> bool:
    """Same length and every position shares a reading (heteronyms counted), ignoring ``·``."""
    a, b = a.replace("·", ""), b.replace("·", "")
    if len(a) != len(b) or not a:
        return False
    return all(ca == cb or (char_readings(ca) & char_readings(cb)) for ca, cb in zip(a, b, strict=True))


def _initials_match(ta: list[str], tb: list[str]) -> bool:
    """Latin tokens agree allowing initials (``J`` ~ ``John``) and one missing middle name.

    Every token of the shorter list must pair with a distinct token of the longer one, at least one
    pair must be two full tokens, and the lists may differ by at most one token.
    """
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if not short or len(long_) - len(short) > 1:
        return False
    free = list(long_)
    full_pairs = 0
    for tok in sorted(short, key=len, reverse=True):
        for i, other in enumerate(free):
            if tok == other or (len(tok) == 1 and other[0] == tok) or (len(other) == 1 and tok[0] == other):
                full_pairs += tok == other and len(tok) > 1
                del free[i]
                break
        else:
            return False
    return full_pairs >= 1


def compare_names(a: str | None, b: str | None) -> NameMatch:
    """Compare two roster names; the strongest relation that holds, from strongest to weakest:

    ``exact`` (same normalised name, separators aside) > ``simplified`` (same after t2s: 陳大文/陈大文) >
    ``homophone`` (same surname-aware pinyin, or every character shares a reading) > ``romanised`` (a Han
    name's pinyin equals a Latin name's tokens, any order: 张伟 / ZHANG Wei) > ``latin-token`` (same Latin
    tokens in any order, case and diacritics ignored) > ``initials`` > ``none``. Empty names never match.
    """
    ka, kb = name_keys(a), name_keys(b)
    if ka.script == "empty" or kb.script == "empty":
        return NameMatch("none", "name missing")
    if ka.normalized == kb.normalized:
        return NameMatch("exact", "name exact")
    if ka.normalized.replace("·", "") == kb.normalized.replace("·", "") and ka.script == "han":
        return NameMatch("exact", "name exact (separator differs)")
    if ka.simplified.replace("·", "") == kb.simplified.replace("·", ""):
        return NameMatch("simplified", "name same in simplified characters")
    if (ka.pinyin and kb.pinyin and ka.script == kb.script == "han"
            and (ka.pinyin == kb.pinyin or _homophone(ka.simplified, kb.simplified))):
            return NameMatch("homophone", f"name homophone ({ka.pinyin})")
    if {ka.script, kb.script} == {"han", "latin"}:
        han, lat = (ka, kb) if ka.script == "han" else (kb, ka)
        if _romanised(han, lat.latin_key):
            return NameMatch("romanised", f"name romanised ({han.pinyin})")
    if ka.latin_key and kb.latin_key and ka.script == kb.script:
        if ka.latin_key == kb.latin_key:
            return NameMatch("latin-token", "name same Latin tokens")
        if _initials_match(ka.latin_key.split(), kb.latin_key.split()):
            return NameMatch("initials", "name matches with initials")
    return NameMatch("none", "name differs")


#: How ü is written in Latin letters: ``v`` (pinyin input, older documents), ``u`` (diacritic dropped),
#: ``yu`` (PRC passports since the Ministry of Public Security's 2012 rule: 吕 LYU, 女 NYU).
_U_UMLAUT_SPELLINGS = ("v", "u", "yu")
_MAX_FORMS = 512


def _spellings(syllable: str) -> tuple[str, ...]:
    return tuple(syllable.replace("v", u) for u in _U_UMLAUT_SPELLINGS) if "v" in syllable else (syllable,)


@lru_cache(maxsize=1 << 18)
def romanised_forms(simplified: str) -> frozenset[str]:
    """Every Latin key (sorted tokens, space-separated, as :attr:`NameKeys.latin_key`) under which a Han
    name (normalised, simplified) may be written in Latin letters — the ``romanised`` rule of
    :func:`compare_names` and the batch join keys of :func:`join_keys` both use this one set.

    Each group of :func:`han_parts` (surname, given name, or a part of a transliteration) is written
    joined or syllable by syllable (``SIMA Guangming``, ``Si Ma Guang Ming``, ``OUYANG Na Na``), the
    whole name may be one token (``zhangxiaoming``), and a three-plus-syllable name may split after its
    second syllable (an unlisted compound surname). ü is spelt v, u or yu (吕伟: LV / LU / LYU Wei).
    Empty for a name without readings."""
    groups = han_parts(simplified)
    if not groups:
        return frozenset()
    syl = [x for g in groups for x in g]
    layouts: set[tuple[str, ...]] = {tuple(syl), ("".join(syl),)}
    partial: list[tuple[str, ...]] = [()]
    for g in groups:
        partial = [p + opt for p in partial for opt in ({tuple(g), ("".join(g),)})]
    layouts.update(partial)
    if len(groups) == 2 and len(syl) >= 2:  # surname + joined given name (ZHANG XIAOMING)
        layouts.add((syl[0], "".join(syl[1:])))
    if len(syl) >= 3:
        layouts.add(("".join(syl[:2]), "".join(syl[2:])))
    forms: set[str] = set()
    for layout in layouts:
        variants: list[tuple[str, ...]] = [()]
        for tok in layout:
            variants = [(*v, sp) for v in variants for sp in _spellings(tok)][:_MAX_FORMS]
        forms.update(" ".join(sorted(v)) for v in variants)
    return frozenset(forms)


def _romanised(han: NameKeys, latin_key: str) -> bool:
    """The Latin tokens are one of the Han name's :func:`romanised_forms`."""
    return latin_key in romanised_forms(han.simplified)


def _letters(text: str) -> str:
    """The letters of ``text`` sorted, spaces dropped: one key for every grouping and order of its tokens."""
    return "".join(sorted(text.replace(" ", "")))


def romanised_letter_keys(pinyin: str) -> frozenset[str]:
    """The sorted letters of a Han name's syllables (``NameKeys.pinyin``), once per spelling of ü (v / u /
    yu) — equal to ``_letters(form)`` for every one of :func:`romanised_forms` (grouping and order do not
    change the letters), so one cheap key per spelling blocks the romanised rule completely."""
    if not pinyin:
        return frozenset()
    if "v" not in pinyin:
        return frozenset({_letters(pinyin)})
    variants = [""]
    for x in pinyin.split():
        variants = [v + sp for v in variants for sp in _spellings(x)][:_MAX_FORMS]
    return frozenset(_letters(v) for v in variants)


@lru_cache(maxsize=1 << 18)
def _homophone_keys(simplified: str) -> frozenset[str]:
    """Keys shared by every two names that :func:`_homophone` relates: per character (``·`` skipped) one
    of its :func:`char_readings` (or the character itself when it has none), every combination."""
    options = [sorted(char_readings(ch)) or [ch] for ch in simplified.replace("·", "")]
    if math.prod(len(o) for o in options) > 4 * _MAX_FORMS:
        return frozenset()  # a name this ambiguous (never seen in practice) is matched by its other keys only
    return frozenset(" ".join(c) for c in itertools.product(*options))


@lru_cache(maxsize=1 << 20)
def join_keys(name: str | None) -> tuple[str, ...]:
    """Equality keys for blocking a batch comparison: two names that :func:`compare_names` relates as
    ``exact``, ``simplified``, ``homophone``, ``romanised`` or ``latin-token`` share at least one key
    (the tests check this with hypothesis), so a hash join on the keys followed by ``compare_names`` on
    the joined pairs finds every such pair — set-based, as DuckDB or Spark run it.

    ``s:`` the simplified name without ``·``; ``p:`` the surname-aware pinyin and ``h:`` every reading
    combination (homophones, Han names only); ``r:`` the sorted letters of a Han name's syllables
    (:func:`romanised_letter_keys`: every form of :func:`romanised_forms` has these letters, whatever its
    grouping and order) and of a Latin-script name's tokens; ``t:`` the Latin key (latin-token, any
    script). Sorted.
    ``initials`` is not covered (it never corroborates a match on its own)."""
    k = name_keys(name)
    if k.script == "empty":
        return ()
    out = {"s:" + k.simplified.replace("·", "")}
    if k.script == "han":
        if k.pinyin:
            out.add("p:" + k.pinyin)
        out.update("h:" + h for h in _homophone_keys(k.simplified))
        out.update("r:" + f for f in romanised_letter_keys(k.pinyin))
    if k.latin_key:
        out.add("t:" + k.latin_key)
        if k.script == "latin":
            out.add("r:" + _letters(k.latin_key))
    return tuple(sorted(out))
