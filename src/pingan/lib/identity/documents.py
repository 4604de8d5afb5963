"""Identity documents found on rosters: normalise, validate where a standard defines a check, classify.

Document types (``Document.doc_type``) and the rules applied to each:

``ric``
    Resident identity card number, GB 11643-1999 (see :mod:`pingan.lib.identity.ric`): 18 characters with
    an ISO 7064 MOD 11-2 check character, a real birth date and a GB/T 2260 address code; a 15-digit
    first-generation number is converted to 18 digits (GB 11643-1999).
``hmt_residence``
    Residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 国务院办公厅《港澳台居民
    居住证申领发放办法》2018): the GB 11643-1999 structure with address code 810000 (Hong Kong), 820000
    (Macao) or 830000 (Taiwan) and the same check character.
``foreign_pr``
    Foreign Permanent Resident ID Card (外国人永久居留身份证). The 2017 card (公安部 2017 announcement, number
    format carried over from 2004) has 15 characters: ISO 3166-1 alpha-3 nationality (3 letters),
    acceptance-office code (2 digits, the GB/T 2260 province), birth date ``YYMMDD``, sequence (3 digits)
    and a check digit whose algorithm is not published — we validate the shape, province and date only.
    The 2023 card (国家移民管理局 2023 announcement) has 18 digits: ``9``, acceptance-office province code
    (2), ISO 3166-1 numeric nationality (3), birth date ``YYYYMMDD``, sequence (3) and a GB 11643 /
    ISO 7064 MOD 11-2 check character.
``hk_mo_permit``
    Mainland Travel Permit for Hong Kong and Macao Residents (港澳居民来往内地通行证, "回乡证"): ``H`` (Hong
    Kong) or ``M`` (Macao) + 8-digit lifetime number, optionally followed by a 2-digit issue count on the
    2013 card. Normalised to the letter + 8 digits (the issue count changes at each renewal). No check digit.
``tw_permit``
    Mainland Travel Permit for Taiwan Residents (台湾居民来往大陆通行证, "台胞证"): an 8-digit lifetime
    number, on older permits followed by a 2-digit issue count or a bracketed letter; normalised to the
    8 digits. No check digit.
``passport``
    A passport, ICAO Doc 9303: document number of up to 9 characters ``[A-Z0-9]`` (we accept 5–9) and an
    issuing state (ISO 3166-1 alpha-3 / ICAO code) when known. PRC ordinary passports are ``E`` + 8 digits,
    ``E`` + letter + 7 digits, or ``G`` + 8 digits (pre-2012); ICAO 9303 check digits live in the MRZ,
    not in the number, so only the shape is validated.

Everything here is pure Python (no Django), deterministic given ``today``, and cheap enough to call per
distinct value in a batch (see :mod:`pingan.lib.identity.batch`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from pingan.lib.identity import ric
from pingan.lib.identity._text import clean_number, fold

DocType = Literal["ric", "hmt_residence", "foreign_pr", "hk_mo_permit", "tw_permit", "passport", "unknown"]
DOC_TYPES: tuple[str, ...] = (
    "ric", "hmt_residence", "foreign_pr", "hk_mo_permit", "tw_permit", "passport", "unknown",
)

#: Stable error codes; the English message for each (``Document.error``, for programs and logs: pages say
#: the code and its params in their reader's language, ``pingan.screening.texts``; issue 11 — never
#: "English / 中文" in one text). :data:`ERRORS_ZH`: the same in Chinese, for the pure modules that render
#: a code without Django's catalogue (watchlist entry notes).
ERRORS: dict[str, str] = {
    "empty": "no document number",
    "bad_length": "wrong number of characters for this document type",
    "bad_characters": "characters not allowed in this document number",
    "bad_check_digit": "check character does not match (ISO 7064 MOD 11-2)",
    "bad_birth_date": "birth date is not a real date, is in the future or over 130 years ago",
    "unknown_area_code": "address code is not and never was a GB/T 2260 code",
    "bad_format": "number does not have the format of this document type",
    "unknown_type": "cannot tell which document this number belongs to",
    "not_an_id_number": (
        "not a valid ID number: neither a GB 11643 resident ID number nor a residence permit, permanent "
        "residence card, travel permit or passport number in its real format"
    ),
}
ERRORS_ZH: dict[str, str] = {
    "empty": "证件号码为空", "bad_length": "证件号码位数不对", "bad_characters": "证件号码含有非法字符",
    "bad_check_digit": "校验码错误", "bad_birth_date": "出生日期无效", "unknown_area_code": "地址码不存在",
    "bad_format": "证件号码格式不符", "unknown_type": "无法识别证件类型", "not_an_id_number": "不是有效的证件号码",
}


#: Notes on an accepted number, by stable code: (English, 中文) templates with ``%(name)s`` placeholders
#: filled from the note's params. Stored as code + params (:class:`Note`), rendered at display time.
NOTES: dict[str, tuple[str, str]] = {
    "lowercase_x": (
        "the check character was written as a lower-case x; GB 11643-1999 writes a capital X",
        "校验码写成了小写x，GB 11643-1999 规定为大写X",
    ),
    "lowercase_letters": (
        "the letters of the number were written in lower case; it was read in upper case",
        "证件号码中的字母写成了小写，已按大写读取",
    ),
    "full_width_characters": (
        "the number was written with full-width characters; it was read as half-width",
        "证件号码使用了全角字符，已按半角读取",
    ),
    "area_code_unlisted": (
        "address code %(area_code)s is in no GB/T 2260 code table pingan holds (its prefecture %(prefecture)s "
        "is): the number passes its check character and birth date and is matched as given; verify the "
        "address code on the document",
        "地址码 %(area_code)s 不在 GB/T 2260 代码表中（其所属地市 %(prefecture)s 在）：号码校验码和出生日期均正确，"
        "已按原号码比对；请核实证件上的地址码",
    ),
}


def params_json(params: Mapping[str, object] | None) -> str | None:
    """``params`` as canonical JSON text (keys sorted, no spaces, UTF-8 kept), ``None`` when empty: the one
    form stored in Arrow columns and compared by the tests."""
    if not params:
        return None
    return json.dumps(dict(params), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class Note:
    """A remark on an accepted document number: a stable ``code`` from :data:`NOTES` and its ``params``
    (``(key, value)`` pairs). :meth:`text` renders it; store the code and params, not the text."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: Literal["en", "zh"] = "en") -> str:
        """The note in English or Chinese (one language: never both side by side, issue 11)."""
        en, zh = (t % dict(self.params) for t in NOTES[self.code])
        return zh if lang == "zh" else en


@dataclass(frozen=True, slots=True)
class Document:
    """A normalised identity document number.

    ``number`` is the canonical form when ``valid`` (18-digit upper-case for GB 11643 numbers, the
    lifetime number for travel permits), otherwise the cleaned raw text (NFKC, separators removed,
    upper-case). ``error_code`` is a stable snake_case code from :data:`ERRORS` and ``error`` its message
    (both ``None`` when valid). ``birth_date``, ``sex`` (``"M"``/``"F"``) and ``area_code`` (six-digit
    GB/T 2260 code of the issuing area, or the acceptance-office province for a foreign PR card) are
    filled when the number carries them and passes validation. ``converted_from_15`` marks a
    first-generation number converted to the GB 11643-1999 form. ``issuing_country`` is the ISO 3166-1 alpha-3
    state for passports when the roster gave it, ``CHN`` for PRC-issued documents, or ``None``.
    ``error_params``: the specifics of the error as ``(key, value)`` pairs (``bad_characters``: which
    character, where; ``bad_length``: how many), already worked into ``error``. ``notes``: remarks on what
    was accepted (a lower-case ``x``, full-width characters, an address code no table lists), each a
    :class:`Note` code + params.
    """

    doc_type: DocType
    number: str
    valid: bool
    error_code: str | None = None
    error: str | None = None
    birth_date: dt.date | None = None
    sex: Literal["M", "F"] | None = None
    area_code: str | None = None
    converted_from_15: bool = False
    issuing_country: str | None = None
    error_params: tuple[tuple[str, str], ...] = ()
    notes: tuple[Note, ...] = ()


# Labels found in roster "证件类型" columns → doc_type. Matched after NFKC, lower-casing and removing spaces.
# The three-digit numbers are the certificate-type codes public-security systems use (111 居民身份证,
# 414 普通护照, 511 台湾居民来往大陆通行证, 516 港澳居民来往内地通行证, 553 外国人永久居留身份证).
_LABELS: dict[str, DocType] = {}
for _labels, _type in (
    (("ric", "身份证", "居民身份证", "身份证号", "身份证号码", "居民身份证号码", "公民身份号码", "二代身份证",
      "中国居民身份证", "中华人民共和国居民身份证", "idcard", "id", "residentidcard", "resident_id",
      "111"), "ric"),
    (("hmt_residence", "港澳台居民居住证", "港澳居民居住证", "台湾居民居住证", "居住证", "香港居民居住证",
      "澳门居民居住证", "residencepermit", "hmtresidence"), "hmt_residence"),
    (("foreign_pr", "外国人永久居留身份证", "外国人永久居留证", "永久居留身份证", "永居证", "绿卡",
      "五星卡", "foreignpr", "permanentresident", "foreignpermanentresidentidcard", "553"), "foreign_pr"),
    (("hk_mo_permit", "港澳居民来往内地通行证", "港澳通行证", "回乡证", "港澳同胞回乡证",
      "homereturnpermit", "hkmopermit", "516"), "hk_mo_permit"),
    (("tw_permit", "台湾居民来往大陆通行证", "台湾居民来往内地通行证", "台胞证", "台湾通行证", "twpermit",
      "mtp", "taiwantravelpermit", "mainlandtravelpermitfortaiwanresidents", "511"), "tw_permit"),
    (("passport", "护照", "中国护照", "外国护照", "普通护照", "passport", "pp", "414"), "passport"),
):
    for _label in _labels:
        _LABELS[_label] = _type

_LABEL_CLEAN = re.compile(r"[\s_\-]+")


def doc_type_from_label(label: str | None) -> DocType | None:
    """The doc_type for a roster's document-type label (Chinese or English, e.g. ``身份证``, ``护照``,
    ``ric``), or ``None`` when the label is empty or not recognised (the number is then classified)."""
    if not label:
        return None
    key = _LABEL_CLEAN.sub("", fold(label).strip().lower())
    if key in _LABELS:
        return _LABELS[key]
    underscored = fold(label).strip().lower().replace(" ", "_")
    return _LABELS.get(underscored)


_RIC18_SHAPE = re.compile(r"^\d{17}[\dX]$")
_DIGITS15 = re.compile(r"^\d{15}$")
#: A resident ID number with stray characters — a letter (``4403061A8502141005``), a mask
#: (``4403061985****1005``), a trailing ``号`` — : 14–20 characters, starting with a digit 1–9, at least 10
#: of them ASCII digits. Read as ``ric`` so the error names the character, not "cannot tell which document".
_RIC_WITH_STRAYS = re.compile(r"^[1-9]\S{13,19}$")
#: All digits (last may be X) but 14, 16, 17, 19 or 20 long: a resident ID number with a digit missing or
#: doubled, reported as ``bad_length`` with its length.
_RIC_WRONG_LENGTH = re.compile(r"^[1-9](?:\d{12}|\d{14,15}|\d{17,18})[\dX]$")
_X_AT_17 = re.compile(r"^\d{16}X\d$")  # check character transposed into position 17
_FPR15 = re.compile(r"^[A-Z]{3}\d{12}$")
_HKMO = re.compile(r"^([HM])(\d{8})(\d{2})?$")
_TW = re.compile(r"^(\d{8})(?:\d{2}|[A-Z])?$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,9}$")
#: A passport number in a column headed as a resident ID number: 7–9 letters and digits. Current national
#: series are 7–9 characters (PRC E/G + 8 digits, EA… + 7; US, UK, Germany, Japan, Korea 9; Canada, India,
#: Australia 8; Portugal letter + 6 digits); a shorter value there is not a passport (see docs/matching.md).
_ID_COLUMN_PASSPORT = re.compile(r"^[A-Z0-9]{7,9}$")
_PRC_PASSPORT = re.compile(r"^(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8}|[DSP]E?\d{7})$")
_COUNTRY_PREFIX = re.compile(r"^([A-Z]{3})[\s:：/\-]+([A-Z0-9<][A-Z0-9<\s\-]*)$")
_PROVINCES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)


def _fail(doc_type: DocType, number: str, code: str, **extra: object) -> Document:
    return Document(doc_type, number, False, code, ERRORS[code], **extra)  # type: ignore[arg-type]


#: Characters that stand for hidden digits in a masked copy of a number (``4403061985****1005``).
_MASKS = frozenset("*X#×●•?")
#: Letters typed for the digit they look like (OCR and hand-copying): shown as a hint, never substituted.
_LOOKALIKES = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "T": "7", "B": "8"}


def _bad_characters(doc_type: DocType, number: str, expected: Literal["gb11643", "digits", "icao"]) -> Document:
    """``bad_characters`` naming the first character that breaks the shape, its 1-based position, how many
    characters break it, and the digit a letter probably stands for. Params: ``position``, ``char``,
    ``count``, and ``looks_like`` when the character is a letter that looks like a digit."""
    if expected == "gb11643":
        bad = [i for i, ch in enumerate(number)
               if not (ch.isascii() and ch.isdigit()) and not (ch == "X" and i == len(number) - 1)]
        rule = "a resident ID number is 17 digits followed by a digit or X"
    elif expected == "digits":
        bad = [i for i, ch in enumerate(number) if not (ch.isascii() and ch.isdigit())]
        rule = "this number is all digits"
    else:
        bad = [i for i, ch in enumerate(number) if not (ch.isascii() and ch.isalnum())]
        rule = "a passport number is letters A-Z and digits (ICAO Doc 9303)"
    if not bad:
        return _fail(doc_type, number, "bad_characters")
    pos, ch = bad[0] + 1, number[bad[0]]
    if len(bad) >= 3 and {number[i] for i in bad} <= _MASKS:
        # 4403061985****1005: a masked copy, not a typo
        last = bad[-1] + 1
        return Document(doc_type, number, False, "bad_characters",
                        f"the number is masked (characters {pos}–{last} hidden): give the full number",
                        error_params=(("char", ch), ("count", str(len(bad))), ("last", str(last)), ("masked", "1"),
                                      ("position", str(pos))))
    look = _LOOKALIKES.get(ch) if expected != "icao" else None
    params = {"position": str(pos), "char": ch, "count": str(len(bad))}
    en = f"character {pos} is '{ch}'" + (f", probably {look}" if look else "") + ", which is not allowed"
    if len(bad) > 1:
        en += f" ({len(bad)} such characters)"
    if look:
        params["looks_like"] = look
    return Document(doc_type, number, False, "bad_characters", f"{en}: {rule}",
                    error_params=tuple(sorted(params.items())))


def _bad_length(doc_type: DocType, number: str) -> Document:
    """``bad_length`` saying how many characters the number has and how many its type needs (``length``)."""
    expected = {"ric": "18 (15 on a first-generation card)", "hmt_residence": "18",
                "foreign_pr": "18 (15 on the 2017 card)", "hk_mo_permit": "a letter and 8 or 10 digits",
                "tw_permit": "8 or 10 digits", "passport": "5 to 9"}.get(doc_type)
    if expected is None:
        return _fail(doc_type, number, "bad_length")
    n = len(number)
    return Document(doc_type, number, False, "bad_length",
                    f"the number has {n} characters; this document type has {expected}",
                    error_params=(("length", str(n)),))


def classify(cleaned: str) -> DocType:
    """The probable document type of a cleaned number (see :func:`pingan.lib.identity._text.clean_number`)
    when the roster does not say. Shape rules, first match wins:

    18 chars ``\\d{17}[\\dX]`` → ``hmt_residence`` if it starts 81/82/83, ``foreign_pr`` if it starts 9,
    else ``ric``; 15 digits → ``ric`` (first generation); 16 digits + ``X`` + digit → ``ric`` (a
    transposed check character, reported as ``bad_characters`` and open to typo recovery); 14, 16, 17, 19
    or 20 digits (last may be ``X``) → ``ric`` (``bad_length``, a digit missing or doubled); 14–20
    characters starting with a digit 1–9, at least 10 of them digits, with stray characters
    (``4403061A8502141005``, a masked ``4403061985****1005``, a trailing ``号``) → ``ric``
    (``bad_characters`` naming the character and its position, or the masked span); 3 letters +
    12 digits → ``foreign_pr`` (2017); ``H``/``M`` + 8 or 10 digits → ``hk_mo_permit``; 8 or 10 digits →
    ``tw_permit``; 5–9 letters/digits with at least one letter and one digit → ``passport``; anything
    else → ``unknown``.
    """
    if _RIC18_SHAPE.match(cleaned):
        if cleaned[:2] in ("81", "82", "83"):
            return "hmt_residence"
        if cleaned[0] == "9":
            return "foreign_pr"
        return "ric"
    if _DIGITS15.match(cleaned) or _X_AT_17.match(cleaned) or _RIC_WRONG_LENGTH.match(cleaned):
        return "ric"
    if _RIC_WITH_STRAYS.match(cleaned) and sum(ch in "0123456789" for ch in cleaned) >= 10:
        return "ric"
    if _FPR15.match(cleaned):
        return "foreign_pr"
    if _HKMO.match(cleaned):
        return "hk_mo_permit"
    if _TW.match(cleaned) and cleaned[:8].isdigit() and len(cleaned) in (8, 10):
        return "tw_permit"
    if _PASSPORT.match(cleaned) and not cleaned.isdigit() and not cleaned.isalpha():
        return "passport"
    return "unknown"


def in_resident_id_column(doc: Document) -> Document:
    """Re-judge ``doc`` — a number the roster gave no document type for, classified by shape — when it
    stands in a column headed as a resident ID number (身份证号, 公民身份号码, ID number …).

    Such a column legitimately holds GB 11643 numbers and the documents rosters put beside them: residence
    permits, foreign permanent-residence cards, travel permits (each already in its real format) and
    passports — but a passport only of 7–9 characters (:data:`_ID_COLUMN_PASSPORT`; a passport given with
    an issuing state, ``USA 123456789``, is explicit and kept). A number of no recognisable type, or
    a shorter "passport" (``abc123``), comes back invalid with ``not_an_id_number`` (``doc_type``
    ``unknown``). Any other document is returned unchanged. Source: docs/matching.md §3.
    """
    shape_only_passport = doc.doc_type == "passport" and doc.valid and doc.issuing_country is None
    if (doc.doc_type == "unknown" and doc.error_code == "unknown_type") or (
        shape_only_passport and not _ID_COLUMN_PASSPORT.match(doc.number)
    ):
        return _fail("unknown", doc.number, "not_an_id_number")
    return doc


def _gb11643(doc_type: DocType, number: str, today: dt.date) -> Document:
    """Validate an 18-character GB 11643-1999-structured number as ``doc_type`` (ric or hmt_residence)."""
    code = ric.validate18(number, today)
    if code is not None:
        return _fail(doc_type, number, code)
    return Document(
        doc_type, number, True, birth_date=ric.parse_birth_date(number[6:14], today), sex=ric.sex_of(number),
        area_code=number[:6], issuing_country="CHN", notes=_area_notes(number[:6]),
    )


def _area_notes(area: str) -> tuple[Note, ...]:
    """``area_code_unlisted`` when ``area`` passed the address-code rule only as an unlisted county code."""
    if ric.area_code_exists(area):
        return ()
    return (Note("area_code_unlisted", (("area_code", area), ("prefecture", area[:4] + "00"))),)


def _validate_ric(number: str, today: dt.date) -> Document:
    if _DIGITS15.match(number):
        converted = ric.convert_15_to_18(number)
        doc = _gb11643("ric", converted, today)
        if not doc.valid:
            # a 15-digit number has no check character: its errors are the date or the address code.
            return _fail("ric", number, doc.error_code or "bad_format", converted_from_15=True)
        return Document(
            "ric", converted, True, birth_date=doc.birth_date, sex=doc.sex, area_code=doc.area_code,
            converted_from_15=True, issuing_country="CHN", notes=doc.notes,
        )
    if re.search(r"[^0-9X]", number) or "X" in number[:-1]:
        # a stray character is named before the length: 440306198502141005号 is a number with a 号, not 19 long
        return _bad_characters("ric", number, "digits" if len(number) == 15 else "gb11643")
    if len(number) not in (15, 18):
        return _bad_length("ric", number)
    if not _RIC18_SHAPE.match(number):
        return _bad_characters("ric", number, "gb11643" if len(number) == 18 else "digits")
    if number[:2] in ("81", "82", "83"):
        return _gb11643("hmt_residence", number, today)
    if number[0] == "9":
        return _validate_foreign_pr(number, today)
    return _gb11643("ric", number, today)


def _validate_hmt(number: str, today: dt.date) -> Document:
    if len(number) != 18:
        return _bad_length("hmt_residence", number)
    if not _RIC18_SHAPE.match(number):
        return _bad_characters("hmt_residence", number, "gb11643")
    code = ric.validate18(number, today)
    if code is None and number[:6] not in ("810000", "820000", "830000") and number[0] != "9":
        return _gb11643("ric", number, today)  # a resident ID declared as a residence permit
    if code is None and number[:6] not in ("810000", "820000", "830000"):
        code = "unknown_area_code"
    if code is not None:
        # same order as GB 11643 numbers: a typo in the address code is first a check-digit error.
        return _fail("hmt_residence", number, code)
    return _gb11643("hmt_residence", number, today)


def _validate_foreign_pr(number: str, today: dt.date) -> Document:
    if len(number) == 18:
        if not _RIC18_SHAPE.match(number):
            return _bad_characters("foreign_pr", number, "gb11643")
        if number[0] != "9":
            return _fail("foreign_pr", number, "bad_format")
        if not ric.check_passes(number):
            return _fail("foreign_pr", number, "bad_check_digit")
        born = ric.parse_birth_date(number[6:14], today)
        if born is None:
            return _fail("foreign_pr", number, "bad_birth_date")
        if number[1:3] not in _PROVINCES:
            return _fail("foreign_pr", number, "unknown_area_code")
        return Document(
            "foreign_pr", number, True, birth_date=born, sex=ric.sex_of(number),
            area_code=number[1:3] + "0000",
        )
    if len(number) == 15:
        if not _FPR15.match(number):
            return _fail("foreign_pr", number, "bad_characters")
        born = _yymmdd(number[5:11], today)
        if born is None:
            return _fail("foreign_pr", number, "bad_birth_date")
        if number[3:5] not in _PROVINCES:
            return _fail("foreign_pr", number, "unknown_area_code")
        return Document(
            "foreign_pr", number, True, birth_date=born, area_code=number[3:5] + "0000",
            issuing_country=None,
        )
    return _bad_length("foreign_pr", number)


def _yymmdd(yymmdd: str, today: dt.date) -> dt.date | None:
    """A two-digit-year date, in the latest century that does not put it in the future."""
    century = today.year // 100 * 100
    for base in (century, century - 100):
        born = ric.parse_birth_date(f"{base + int(yymmdd[:2]):04d}{yymmdd[2:]}", today)
        if born is not None:
            return born
    return None


def _validate_hkmo(number: str) -> Document:
    m = _HKMO.match(number)
    if m is None:
        if number[:1] in ("H", "M") and number[1:].isdigit():
            return _bad_length("hk_mo_permit", number)
        return _fail("hk_mo_permit", number, "bad_format")
    return Document("hk_mo_permit", m.group(1) + m.group(2), True, issuing_country="CHN")


def _validate_tw(number: str) -> Document:
    m = _TW.match(number)
    if m is None:
        if number.isdigit():
            return _bad_length("tw_permit", number)
        return _fail("tw_permit", number, "bad_format")
    return Document("tw_permit", m.group(1), True, issuing_country="CHN")


def _validate_passport(number: str, country: str | None) -> Document:
    if not _PASSPORT.match(number):
        if re.fullmatch(r"[A-Z0-9]+", number):
            return replace(_bad_length("passport", number), issuing_country=country)
        return replace(_bad_characters("passport", number, "icao"), issuing_country=country)
    if country == "CHN" and not _PRC_PASSPORT.match(number):
        return _fail("passport", number, "bad_format", issuing_country=country)
    return Document("passport", number, True, issuing_country=country)


def normalize_document(
    raw: str | None,
    declared_type: str | None = None,
    *,
    today: dt.date | None = None,
    resident_id_column: bool = False,
) -> Document:
    """Normalise and validate one roster document number.

    ``raw`` is the cell as typed (full-width digits, lower-case ``x``, spaces and dashes are tolerated);
    ``declared_type`` the roster's document-type label if any (see :func:`doc_type_from_label`); when it
    is missing or unrecognised the number is classified by shape (:func:`classify`). A resident-ID label
    on a number that is structurally a residence permit or a 2023 foreign PR card yields that type.
    ``today`` (default: the system date) bounds the birth-date check. ``resident_id_column``: the number
    stands in a column headed as a resident ID number; when the roster gives no type the classified
    document is re-judged by :func:`in_resident_id_column`. Never raises: problems come back as
    ``valid=False`` with an ``error_code``.
    """
    today = today or dt.date.today()
    if raw is None or not str(raw).strip():
        return _fail(doc_type_from_label(declared_type) or "unknown", "", "empty")
    text = str(raw)
    declared = doc_type_from_label(declared_type)
    country: str | None = None
    if declared in (None, "passport"):
        m = _COUNTRY_PREFIX.match(fold(text).strip().upper())
        if m:
            country, text = m.group(1), m.group(2)
            declared = "passport"
    number = clean_number(text).rstrip("<")
    if declared is None:
        doc = _validate_as(classify(number), number, country, today)
        doc = in_resident_id_column(doc) if resident_id_column else doc
    else:
        doc = _validate_as(declared, number, country, today)
    return _with_typing_notes(doc, text) if doc.valid else doc


_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_LOWER = re.compile("[a-z\uff41-\uff5a]")


def _with_typing_notes(doc: Document, text: str) -> Document:
    """``doc`` (valid) with notes on how ``text`` was typed: ``full_width_characters`` (full-width digits or
    letters), ``lowercase_x`` (a GB 11643-structured number whose check character was a lower-case x) or
    ``lowercase_letters`` (another document's letters in lower case). Separators are not noted."""
    notes: list[Note] = []
    if _FULL_WIDTH_ALNUM.search(text):
        notes.append(Note("full_width_characters"))
    if _LOWER.search(text):
        gb = doc.doc_type in ("ric", "hmt_residence") or (doc.doc_type == "foreign_pr" and len(doc.number) == 18)
        notes.append(Note("lowercase_x" if gb else "lowercase_letters"))
    return replace(doc, notes=(*notes, *doc.notes)) if notes else doc


def _validate_as(declared: DocType, number: str, country: str | None, today: dt.date) -> Document:
    if declared == "ric":
        return _validate_ric(number, today)
    if declared == "hmt_residence":
        return _validate_hmt(number, today)
    if declared == "foreign_pr":
        return _validate_foreign_pr(number, today)
    if declared == "hk_mo_permit":
        return _validate_hkmo(number)
    if declared == "tw_permit":
        return _validate_tw(number)
    if declared == "passport":
        return _validate_passport(number, country)
    return _fail("unknown", number, "unknown_type")

