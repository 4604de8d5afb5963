"""Licence-plate text normalisation for watch lists (布控) and cloned-plate checks.

Pure module (no Django). Chinese civil plates (GA 36-2018) are a province character (闽, 京 …), a letter
for the issuing authority and five (six for new-energy plates) letters or digits; letters I and O are not
used in the serial part (GA 36-2018 §5), which is why a recogniser's O/0 and I/1 confusions are safe to
fold there.

* :func:`normalise` gives the canonical text: NFKC (full-width Ａ→A, ０→0), upper case, separators
  (space, ·, -, •) removed; I→1 and O→0 in the serial (after the first two characters).
* :func:`candidates` gives the texts a low-reliability read could also be: the province character dropped
  (a recogniser often misreads it) — matching then uses the rest of the plate only.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: The province-level abbreviations that start a civil plate (31 mainland provinces).
PROVINCES = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
_SEPARATORS = str.maketrans("", "", " \t·•-_.")
_SERIAL_FOLD = str.maketrans({"I": "1", "O": "0"})


@lru_cache(maxsize=65536)  # every rule of an event asks for the same plate
def normalise(text: str) -> str:
    """Canonical plate text; '' for an empty or missing plate (e.g. "无牌", "未识别")."""
    if not text:
        return ""
    # NFKC again after upper(): upper-casing can produce a decomposed form (h + ̈ → H + ̈, which NFKC composes)
    s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(text)).upper()).translate(_SEPARATORS)
    if s in ("无牌", "未识别", "无车牌", "NOPLATE", "UNKNOWN", "车牌"):
        return ""
    if len(s) > 2:
        s = s[:2] + s[2:].translate(_SERIAL_FOLD)
    return unicodedata.normalize("NFKC", s)


def tail(plate: str) -> str:
    """The plate without its province character (the part recognisers read most reliably)."""
    return plate[1:] if plate and plate[0] in PROVINCES else plate


def candidates(text: str, *, reliability: int | None, threshold: int) -> tuple[str, ...]:
    """Keys to look a read up by: the normalised plate, and, when ``reliability`` (0–100) is below
    ``threshold``, also its province-less tail (prefixed ``*``) so a misread province still matches."""
    plate = normalise(text)
    if not plate:
        return ()
    if reliability is not None and reliability < threshold:
        return plate, "*" + tail(plate)
    return (plate,)
