"""Printable notices to banks as PDF (reportlab, A4), in Chinese with the bundled Noto Sans SC font (SIL OFL
1.1, from ``justmytype-intl-cjk``; nothing fetched at run time). Pure code (no Django): the caller passes
the fields. Titles follow the documents' usual names: 协助冻结财产通知书 (程序规定 2020 Art. 239: name,
account, amount, term, scope, whether interest is covered), 紧急止付通知 (银发〔2016〕86号), 协助返还通知书
(2016 返还规定 Art. 12).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

_FONT = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")
_FONT_NAME = "NotoSansSC-antifraud"

TITLES = {"freeze": "协助冻结财产通知书", "stop_payment": "紧急止付通知书", "return": "协助返还通知书",
          "lift": "解除冻结财产通知书"}


@cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(_FONT_NAME, str(resources.files(_FONT[0]).joinpath(_FONT[1]))))
    return _FONT_NAME


@dataclass
class Notice:
    """The fields of one notice. ``rows`` are (label, value) lines of the body; ``basis`` the legal citation."""

    kind: str
    number: str
    bank: str
    rows: list[tuple[str, str]]
    basis: str
    issuer: str
    date: str
    notes: list[str] = field(default_factory=list)


def notice_pdf(n: Notice) -> bytes:
    """One A4 page, returned as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph

    font = _font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    pdf.setTitle(f"{TITLES.get(n.kind, n.kind)} {n.number}")
    pdf.setFont(font, 20)
    title = TITLES.get(n.kind, n.kind)
    pdf.drawCentredString(w / 2, h - 30 * mm, title)
    pdf.setFont(font, 11)
    pdf.drawRightString(w - 20 * mm, h - 40 * mm, n.number)
    pdf.drawString(20 * mm, h - 52 * mm, f"{n.bank}：")
    style = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    y = h - 62 * mm
    for label, value in n.rows:
        pdf.setFont(font, 11)
        pdf.drawString(25 * mm, y, f"{label}：")
        p = Paragraph(value, style)
        _, ph = p.wrap(w - 80 * mm, 60 * mm)
        p.drawOn(pdf, 60 * mm, y - ph + 11)
        y -= max(ph, 18) + 4
    y -= 6
    for text in [f"法律依据：{n.basis}", *n.notes]:
        p = Paragraph(text, style)
        _, ph = p.wrap(w - 45 * mm, 80 * mm)
        p.drawOn(pdf, 25 * mm, y - ph + 11)
        y -= ph + 6
    pdf.setFont(font, 12)
    pdf.drawRightString(w - 25 * mm, 45 * mm, n.issuer)
    pdf.drawRightString(w - 25 * mm, 37 * mm, n.date)
    pdf.setFont(font, 8)
    pdf.drawString(20 * mm, 15 * mm, "本通知书由 pingan 生成；以加盖公章的纸质文书或管理平台电子签名报文为准。")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
