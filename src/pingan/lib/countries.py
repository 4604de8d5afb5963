"""ISO 3166-1 countries and territories with their English and Chinese names (``data/iso3166/countries.csv``,
from Debian's iso-codes; see its SOURCE.md), and the lookup a form needs: a typed name, ``韩国 (KR)`` or a
bare code back to the alpha-2 code.

Imports no Django: the caller passes the language (``"zh"`` or ``"en"``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name_en: str
    name_zh: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def choice(self, lang: str) -> str:
        """What a chooser offers and a form sends back: the name alone, ``韩国`` / ``South Korea`` — a person
        chooses a country by name, not by its ISO code (issue 11: the options read "韩国 (KR)"); every name
        reads back to one code (:func:`parse`)."""
        return self.name(lang)


def natural(name: str) -> str:
    """An English name as a reader says it: iso-codes keeps two in index order — "Congo, The Democratic Republic of
    the" → "Democratic Republic of the Congo", "Micronesia, Federated States of" → "Federated States of Micronesia"
    (issue 11's second trial); every other name unchanged."""
    head, sep, tail = name.partition(", ")
    if not sep:
        return name
    tail = tail.removeprefix("The ").removeprefix("the ")
    return f"{tail} {head}"


@cache
def _rows() -> list[dict[str, str]]:
    text = resources.files("pingan.data.iso3166").joinpath("countries.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def countries() -> dict[str, Country]:
    """Every country by alpha-2 code, its English name in reading order (:func:`natural`)."""
    return {r["code"]: Country(r["code"], natural(r["name_en"]), r["name_zh"]) for r in _rows()}


def get(code: str) -> Country | None:
    return countries().get(code.strip().upper())


@cache
def sorted_for(lang: str) -> tuple[Country, ...]:
    """Countries in the order a reader looks for them: by English name, or by the pinyin of the Chinese name."""
    if lang == "zh":
        from pypinyin import lazy_pinyin

        return tuple(sorted(countries().values(), key=lambda c: ("".join(lazy_pinyin(c.name_zh)), c.code)))
    return tuple(sorted(countries().values(), key=lambda c: c.name_en.casefold()))


#: The United Nations' names of countries whose iso-codes common name differs (the UN Security Council's
#: consolidated list gives nationalities so: "Democratic Republic of the Congo", "Iran (Islamic Republic of)").
UN_NAMES = {
    "Democratic Republic of the Congo": "CD", "Democratic People's Republic of Korea": "KP",
    "Republic of Korea": "KR", "Iran (Islamic Republic of)": "IR", "Syrian Arab Republic": "SY",
    "United Kingdom of Great Britain and Northern Ireland": "GB", "Lao People's Democratic Republic": "LA",
    "Viet Nam": "VN", "United Republic of Tanzania": "TZ", "Bolivia (Plurinational State of)": "BO",
    "Venezuela (Bolivarian Republic of)": "VE", "Türkiye": "TR", "Côte d'Ivoire": "CI",
    "Republic of Moldova": "MD", "State of Palestine": "PS", "United States of America": "US",
    "Russian Federation": "RU", "Libyan Arab Jamahiriya": "LY",
}


@cache
def _by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in countries().values():
        for name in (c.name_en, c.name_zh):
            out.setdefault(_fold(name), c.code)
    for name, code in UN_NAMES.items():
        out.setdefault(_fold(name), code)
    for r in _rows():  # iso-codes' index form, as a name may have been stored
        out.setdefault(_fold(r["name_en"]), r["code"])
    return out


def _fold(text: str) -> str:
    return re.sub(r"[\s,.'’()（）-]", "", text).casefold()


_CHOICE = re.compile(r"[(（]\s*([A-Za-z]{2})\s*[)）]\s*$")


def parse(text: str) -> str | None:
    """The alpha-2 code of ``text`` — ``韩国 (KR)``, ``South Korea``, ``韩国``, ``kr`` — or ``None``."""
    text = (text or "").strip()
    if not text:
        return None
    m = _CHOICE.search(text)
    if m and m.group(1).upper() in countries():
        return m.group(1).upper()
    if len(text) == 2 and text.upper() in countries():
        return text.upper()
    return _by_name().get(_fold(text))


def name_in(text: str, lang: str) -> str | None:
    """The country ``text`` names (an English or Chinese name, a UN name, ``韩国 (KR)``, a code) in ``lang``
    (``"zh"``/``"en"``), or ``None`` when it names none (issue 11: a Chinese page showed "国籍 Democratic Republic
    of the Congo")."""
    code = parse(text)
    return countries()[code].name(lang) if code else None
