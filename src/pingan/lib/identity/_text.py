"""Low-level text cleaning shared by the identity normalisers (no Django, no third-party imports).

Rosters typed by hand carry full-width forms (``１１０１``, ``Ｘ``, U+3000 ideographic space) and visual
separators (spaces, dashes of every Unicode flavour, dots). Unicode NFKC (UAX #15) folds the full-width
forms to ASCII; the separator set below is what we strip from document and phone numbers.
"""

from __future__ import annotations

import re
import unicodedata

#: Separators people type inside numbers: ASCII/full-width space, NBSP, the hyphen and dash family
#: (U+2010–U+2015, U+2212 minus, U+FF0D full-width hyphen-minus), slashes, dots, underscores.
_SEPARATORS = re.compile(r"[\s\u00a0\u3000\-\u2010-\u2015\u2212\uff0d_/.\u00b7()（）]+")

_ASCII_ONLY = re.compile(r"^[\x20-\x7e]*$")


def fold(raw: str) -> str:
    """NFKC-fold ``raw`` (full-width digits/letters → ASCII, U+3000 → space), skipped for pure ASCII.

    Source: Unicode Standard Annex #15, normalisation form KC.
    """
    if _ASCII_ONLY.match(raw):
        return raw
    return unicodedata.normalize("NFKC", raw)


def clean_number(raw: str) -> str:
    """``raw`` NFKC-folded, upper-cased, with every separator removed (``" １１０-1x "`` → ``"1101X"``)."""
    return _SEPARATORS.sub("", fold(raw)).upper()
