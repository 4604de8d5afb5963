"""Choosing a place of China by name: the current GB/T 2260 divisions (``lib.adcodes``: provinces, prefectures,
counties) searched by Chinese name or by pinyin (``xiamen``), labelled for a reader of either language, and a
typed answer — ``福建省厦门市 (350200)``, ``厦门``, ``350200`` — resolved to its code, or to the candidates when
a name is ambiguous (``鼓楼区``: four cities have one).

Imports no Django: the caller passes the language (``"zh"`` or ``"en"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pingan.lib import adcodes

#: The English for the suffixes of division names, longest first: 思明区 → Siming District.
_SUFFIX_EN = (("街道", "Subdistrict"), ("特别行政区", "SAR"), ("自治区", "Autonomous Region"),
              ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
              ("地区", "Prefecture"), ("林区", "Forestry District"), ("新区", "New Area"), ("省", "Province"),
              ("市", "City"), ("区", "District"), ("县", "County"), ("盟", "League"), ("旗", "Banner"),
              ("镇", "Town"), ("乡", "Township"))
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True, slots=True)
class Place:
    code: str  # six digits
    name: str  # its own name, 思明区
    path: str  # from the province down, 福建省厦门市思明区

    def label(self, lang: str) -> str:
        """``福建省 厦门市 思明区`` / ``Siming District, Xiamen, Fujian``."""
        return english(self.code)[2] if lang == "en" else " ".join(_parts(self.code))

    def choice(self, lang: str) -> str:
        """What a chooser offers and a form sends back: the label, which :func:`resolve` reads back (issue 11:
        the code in brackets, ``福建省 厦门市 (350200)``, stood in the traveller's form)."""
        return self.label(lang)


def _parts(code: str) -> list[str]:
    out, div = [], adcodes.get(code)
    while div is not None:
        if div.name not in _PLACEHOLDERS:
            out.append(div.name)
        div = adcodes.get(div.parent) if div.parent else None
    return list(reversed(out))


def without_divisions(code: str, text: str) -> str:
    """``text`` (a place as data wrote it: ``陵水黎族自治县英州镇英环东路西侧``) without the names of the division
    ``code`` and those above it that it starts with, for a page that puts the division's own name before it
    (issue 11's trial read "海南省陵水黎族自治县 陵水黎族自治县英州镇…"); ``""`` when it says nothing more."""
    rest = text
    for name in _parts(code[:6]) if len(code) >= 6 else []:
        if rest.startswith(name):
            rest = rest[len(name):]
    return rest.strip()


#: Names whose English is not their pinyin.
_ENGLISH = {"810000": "Hong Kong SAR", "820000": "Macao SAR", "710000": "Taiwan"}
#: Stems whose English is not their pinyin: 陕西 is spelt apart from 山西 (both are "shanxi" in pinyin).
_STEM_EN = {"内蒙古": "Inner Mongolia", "陕西": "Shaanxi"}

#: The peoples an autonomous division is named after, in the English of the official names (Lingshui Li
#: Autonomous County, Enshi Tujia and Miao Autonomous Prefecture), longest first so that 土家族 is not 土族.
_PEOPLES = tuple(sorted({
    "满族": "Manchu", "蒙古族": "Mongol", "蒙古": "Mongol", "回族": "Hui", "达斡尔族": "Daur", "鄂伦春": "Oroqen",
    "鄂温克族": "Ewenki", "朝鲜族": "Korean", "畲族": "She", "土家族": "Tujia", "苗族": "Miao", "瑶族": "Yao",
    "侗族": "Dong", "壮族": "Zhuang", "各族": "Various Nationalities", "仫佬族": "Mulao", "毛南族": "Maonan",
    "黎族": "Li", "羌族": "Qiang", "彝族": "Yi", "藏族": "Tibetan", "仡佬族": "Gelao", "布依族": "Bouyei",
    "水族": "Shui", "傣族": "Dai", "哈尼族": "Hani", "纳西族": "Naxi", "拉祜族": "Lahu", "佤族": "Va",
    "布朗族": "Blang", "独龙族": "Derung", "怒族": "Nu", "白族": "Bai", "普米族": "Pumi", "傈僳族": "Lisu",
    "裕固族": "Yugur", "哈萨克族": "Kazak", "哈萨克": "Kazak", "东乡族": "Dongxiang", "保安族": "Bonan",
    "撒拉族": "Salar", "土族": "Tu", "塔吉克": "Tajik", "锡伯": "Xibe", "景颇族": "Jingpo", "柯尔克孜": "Kirgiz",
    "维吾尔": "Uygur", "阿昌族": "Achang", "德昂族": "De'ang", "朝鲜": "Korean",
}.items(), key=lambda item: -len(item[0])))


def _peoples(stem: str, *, autonomous: bool) -> tuple[str, list[str]]:
    """``stem`` without the peoples it ends in, and their English names in its order: 陵水黎族 → (陵水, [Li]),
    双江拉祜族佤族布朗族傣族 → (双江, [Lahu, Va, Blang, Dai]). Only an autonomous division's stem, or a
    district's whose last word ends in 族 (管城回族区), names peoples."""
    found: list[str] = []
    while True:
        for zh, en in _PEOPLES:
            if stem.endswith(zh) and (autonomous or zh.endswith("族")):
                stem, found = stem[: -len(zh)], [en, *found]
                break
        else:
            return stem, found


def _romanise(name: str, *, suffix: bool, plain: bool = False, short: bool = False) -> str:
    """Pinyin of the name's stem as one word (of the whole name, so that phrases read right: 朝阳区 →
    Chaoyang; GB/T 16159 writes a place name's syllables together), the peoples an autonomous division is named
    after in English (陵水黎族自治县 → Lingshui Li Autonomous County, not "Lingshuilizu"), and the suffix in
    English when ``suffix``. ``short``: the name as it is said short, without its peoples (an autonomous region in a
    path: 广西壮族自治区 → Guangxi, not "Guangxi Zhuang", issue 11's trial). ``plain``: the stem's pinyin alone,
    peoples included (``lingshuilizu``: what a
    person types to search)."""
    from pypinyin import lazy_pinyin

    stem_len, english = len(name), ""
    for zh, en in _SUFFIX_EN:
        if name.endswith(zh) and (len(name) - len(zh) >= 2 or zh.startswith("自治")):
            stem_len, english = len(name) - len(zh), en
            break
    stem, peoples = name[:stem_len], []
    if not plain and stem not in _STEM_EN:
        stem, peoples = _peoples(stem, autonomous=english.startswith("Autonomous")
                                 or (english == "District" and stem.endswith("族")))
    if stem in _STEM_EN and not plain:
        roman = _STEM_EN[stem]
    else:
        syllables = lazy_pinyin(name)  # the whole name read, so a character's reading follows its neighbours
        said = syllables[:len(stem)] if len(syllables) == len(name) else lazy_pinyin(stem)
        roman = ("".join(said) if plain else syllabified(said)).capitalize()
    if peoples and not short:
        said = peoples[0] if len(peoples) == 1 else f"{', '.join(peoples[:-1])} and {peoples[-1]}"
        roman = f"{roman} {said}".strip()
    return f"{roman} {english}" if suffix and english else roman


def syllabified(syllables: list[str]) -> str:
    """Pinyin syllables written as one word, with the apostrophe GB/T 16159 puts before a syllable that starts
    with a, o or e after another (同安 → tong'an, 翔安 → xiang'an, 西安 → xi'an): the name the bureau's units
    bear ("Tong'an District Branch"), so the map and the table spell a district alike (issue 11's trial: the
    overview's map said "Tongan" beside "Tong'an District Branch")."""
    out = ""
    for s in syllables:
        out += f"'{s}" if out and s[:1] in "aoe" else s
    return out


def name_in(name: str, lang: str) -> str:
    """A division's own name for a reader: itself in Chinese, its pinyin with the suffix in English
    (``鼓浪屿街道`` → ``Gulangyu Subdistrict``) — for the township level, which ``places`` does not hold."""
    return name if lang != "en" else _romanise(name, suffix=True)


def township_label(name: str, lang: str) -> str:
    """A township (街道/镇/乡) by name for a reader, the same on every page: itself in Chinese; in English its
    pinyin with its level and the official Chinese name beside it — ``Lianqian Subdistrict (莲前街道)`` — since the
    reference data has no English of its own for townships (issue 11: the English register-premises page listed
    莲前街道 alone, the citizen's address form gave the pinyin without the name a sign or a form shows)."""
    return name if lang != "en" else f"{name_in(name, 'en')} ({name})"


def county_label(code: str, lang: str) -> str:
    """A county-level division (6 digits) by its own name for a reader: ``思明区`` / ``Siming District``; ``""``
    for an unknown code."""
    place = places().get(code[:6])
    if place is None:
        return ""
    return english(place.code)[1] if lang == "en" else place.name


def area_label(code: str, lang: str, township: str = "") -> str:
    """An area code (6 digits, or 9 with the township's own name ``township``) by name for a reader:
    ``福建省厦门市思明区莲前街道`` in Chinese; in English ``Lianqian Subdistrict (莲前街道), Siming District,
    Xiamen, Fujian`` — the township's pinyin with its level in English, and its Chinese name beside it, since
    the reference data has no English of its own for townships (issue 11: ``莲前街道`` stood alone on English
    pages). ``""`` for an unknown county."""
    county = code[:6]
    if county not in places():
        return ""
    if lang != "en":
        return places()[county].path + (township if len(code) > 6 else "")
    path = english(county)[2]
    return f"{township_label(township, 'en')}, {path}" if township and len(code) > 6 else path


@cache
def places() -> dict[str, Place]:
    """Every current division (provinces, prefectures, counties) by code."""
    return {d.code: Place(d.code, d.name, "".join(_parts(d.code))) for d in adcodes.divisions()
            if d.name not in _PLACEHOLDERS}


@cache
def english(code: str) -> tuple[str, str, str]:
    """``(pinyin key, English name, English path)`` of a place: ``("siming", "Siming District", "Siming District,
    Xiamen, Fujian")``. Computed when first asked (pypinyin is slow to load: ~1 s)."""
    parts = _parts(code)
    own = _ENGLISH.get(code) or _romanise(parts[-1], suffix=True)
    # the province last, by its short name (Guangxi, Xinjiang, Ningxia: an autonomous region without its peoples);
    # a prefecture keeps them, naming it apart from its seat (Enshi City, Enshi Tujia and Miao, Hubei)
    above = [_romanise(p, suffix=False, short=i == 0) for i, p in reversed(list(enumerate(parts[:-1])))]
    return _romanise(parts[-1], suffix=False, plain=True).lower(), own, ", ".join([own, *above])


def get(code: str) -> Place | None:
    code = (code or "").strip()
    if len(code) in (2, 4) and code.isdigit():  # a province or city written short (35, 3502)
        code = code.ljust(6, "0")
    return places().get(code[:6]) if code.isdigit() else None


def search(query: str, *, limit: int = 15) -> list[Place]:
    """Places whose name, full path or pinyin contains ``query`` (a code: whose code starts with it), the
    closest first: an exact name, then names that start with it, then the rest; provinces and cities before
    counties."""
    q = re.sub(r"\s+", "", query or "").casefold()
    if not q:
        return []
    if q.isdigit():
        hits = [p for c, p in places().items() if c.startswith(q)]
        return sorted(hits, key=lambda p: p.code)[:limit]
    ascii_query = q.isascii()

    def rank(p: Place) -> tuple | None:
        if ascii_query:
            key, name_en, path_en = english(p.code)
            if key == q or name_en.casefold().replace(" ", "") == q:
                return (0,)
            if key.startswith(q):
                return (1,)
            if q in path_en.casefold().replace(" ", ""):
                return (3,)
            return None
        short = adcodes.short_name(p.name)
        if q in (p.name, short):
            return (0,)
        if p.name.startswith(q):
            return (1,)
        if q in p.path:
            return (2,)
        return None

    ranked = []
    for p in places().values():
        r = rank(p)
        if r is not None:
            ranked.append((r, adcodes.level_of(p.code) != "province", adcodes.level_of(p.code) == "county", p.code, p))
    return [item[-1] for item in sorted(ranked)[:limit]]


_CODE = re.compile(r"[(（]\s*(\d{2,6})\s*[)）]\s*$")


def resolve(text: str) -> tuple[str | None, list[Place]]:
    """A typed place back to its code: ``(code, [])`` when it names one place, ``(None, candidates)`` when it
    could be several (or none: ``(None, [])``). Accepts a chooser's answer (``福建省 厦门市``, ``Xiamen,
    Fujian``; from older links ``… (350200)``), a code, a name (``厦门``, ``厦门市``, ``福建省厦门市``) or its pinyin
    (``xiamen``)."""
    text = (text or "").strip()
    m = _CODE.search(text)
    if m:
        text = m.group(1)
    if text.isdigit():
        p = get(text)
        return (p.code, []) if p else (None, [])
    folded = re.sub(r"\s+", "", text).casefold()
    exact = [p for p in places().values() if folded in (p.name, adcodes.short_name(p.name), p.path)]
    if not exact and folded.isascii():
        exact = [p for p in places().values()
                 if folded in (english(p.code)[0], english(p.code)[1].casefold().replace(" ", ""),
                               re.sub(r"\s+", "", english(p.code)[2]).casefold())]
    if len(exact) == 1:
        return exact[0].code, []
    if exact:
        return None, sorted(exact, key=lambda p: p.code)
    return None, search(text, limit=10)
