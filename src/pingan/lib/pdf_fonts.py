"""The CJK font every PDF of pingan embeds: Noto Sans SC (SIL Open Font License 1.1), shipped by the
``justmytype-intl-cjk`` package, registered with reportlab once per process. Subsets are embedded, so
Chinese text renders on any viewer and nothing is fetched at run time. Imports no Django."""

from __future__ import annotations

from functools import cache
from importlib import resources

FONT_NAME = "NotoSansSC"
_FONT_RESOURCE = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")


@cache
def font_path() -> str:
    """Path of the bundled Noto Sans SC TrueType file."""
    package, resource = _FONT_RESOURCE
    return str(resources.files(package).joinpath(resource))


@cache
def cjk_font() -> str:
    """Register the font with reportlab (once) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, font_path()))
    return FONT_NAME
