"""Printable documents as PDF (reportlab, A4 / label stock), Chinese in the bundled Noto Sans SC
(``pingan.lib.pdf_fonts``). Pure code (no Django): the caller passes the fields.

* :func:`labels_pdf` — one label per item, 70 × 37 mm (a common 3 × 8 A4 sheet): QR code (segno, ISO/IEC
  18004) and Code 128 of the label, the item's name and case;
* :func:`chain_pdf` — the full custody chain of an item for the court file, every event with its hash, and
  the verification result;
* :func:`form_pdf` — a paper form in several copies (联), one after the other: the seizure list (扣押清单,
  three copies: holder, keeper, file — 程序规定 2020 §230), the transfer list (随案移送清单, two copies —
  §288), the disposal or return receipt (§234). Each copy: the heading, the facts, the table of items, the
  notes and the signature lines (a stored signature image is drawn on its line).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class LabelCard:
    label: str
    name: str
    case: str
    category: str


def _qr(pdf, text: str, x: float, y: float, size: float) -> None:
    import segno

    matrix = segno.make(text, error="m").matrix
    n = len(matrix)
    cell = size / n
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def labels_pdf(cards: Sequence[LabelCard]) -> bytes:
    from reportlab.graphics.barcode import code128
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from pingan.lib.pdf_fonts import cjk_font

    font = cjk_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle("涉案财物标签")
    w, h = 70 * mm, 37 * mm
    for i, card in enumerate(cards):
        if i and i % 24 == 0:
            pdf.showPage()
        col, row = i % 3, (i % 24) // 3
        x, y = col * w, A4[1] - (row + 1) * h - 0.5 * mm
        _qr(pdf, card.label, x + 2 * mm, y + 5 * mm, 27 * mm)
        pdf.setFont(font, 8.5)
        pdf.drawString(x + 31 * mm, y + 29 * mm, card.label)
        pdf.setFont(font, 7)
        pdf.drawString(x + 31 * mm, y + 25 * mm, card.name[:14])
        pdf.drawString(x + 31 * mm, y + 21.5 * mm, card.category[:14])
        pdf.drawString(x + 31 * mm, y + 18 * mm, card.case[:22])
        bar = code128.Code128(card.label, barHeight=9 * mm, barWidth=0.22 * mm, humanReadable=False)
        bar.drawOn(pdf, x + 30 * mm, y + 5 * mm)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@dataclass
class ChainDoc:
    """The fields of a chain export: ``head`` rows of (label, value); ``events`` rows of text cells under
    ``columns`` (the headings, in the reader's language: the caller translates)."""

    title: str
    head: list[tuple[str, str]]
    events: list[list[str]]
    verdict: str
    columns: list[str]


def chain_pdf(doc: ChainDoc) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from pingan.lib.pdf_fonts import cjk_font

    font = cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=7.5, leading=9.5)
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=19)
    buf = io.BytesIO()
    out = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=doc.title)
    flow = [Paragraph(doc.title, title), Spacer(1, 4 * mm)]
    flow.append(Table([[Paragraph(k, body), Paragraph(v, body)] for k, v in doc.head], colWidths=[45 * mm, 220 * mm]))
    flow.append(Spacer(1, 4 * mm))
    rows = [[Paragraph(c, body) for c in doc.columns]] + [[Paragraph(c, body) for c in r] for r in doc.events]
    t = Table(rows, repeatRows=1, colWidths=[8 * mm, 30 * mm, 28 * mm, 30 * mm, 22 * mm, 22 * mm, 22 * mm,
                                             45 * mm, 66 * mm])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    flow += [t, Spacer(1, 4 * mm), Paragraph(doc.verdict, body)]
    out.build(flow)
    return buf.getvalue()


@dataclass
class Signature:
    """A signature line: the role (e.g. ``被扣押人 holder``), the name, and a PNG of the signature if one was
    captured (drawn on the line), else an empty line to sign by hand."""

    role: str
    name: str = ""
    png: bytes | None = None


@dataclass
class FormDoc:
    title: str
    copies: list[str]
    head: list[tuple[str, str]]
    columns: list[str]
    widths_mm: list[float]
    rows: list[list[str]]
    notes: list[str]
    signatures: list[Signature]
    number: str = ""
    #: the word under an empty signature line, in the reader's language, and what parts a role from its name
    sign_here: str = "Signature"
    role_sep: str = ": "


def form_pdf(doc: FormDoc) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from pingan.lib.pdf_fonts import cjk_font

    font = cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11)
    small = ParagraphStyle("s", fontName=font, fontSize=7.5, leading=9.5, textColor=colors.grey)
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=21, alignment=1)
    buf = io.BytesIO()
    out = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{doc.title} {doc.number}".strip())
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])

    def signature_cell(sig: Signature):
        if sig.png:
            reader = ImageReader(io.BytesIO(sig.png))
            iw, ih = reader.getSize()
            h = 12 * mm
            return [Paragraph(f"{sig.role}{doc.role_sep}{sig.name}", body),
                    Image(io.BytesIO(sig.png), width=h * iw / ih, height=h)]
        return [Paragraph(f"{sig.role}{doc.role_sep}{sig.name}", body), Spacer(1, 9 * mm),
                Paragraph(f"{doc.sign_here} ____________________", small)]

    flow: list = []
    for n, copy in enumerate(doc.copies):
        if n:
            flow.append(PageBreak())
        flow += [Paragraph(doc.title, title), Paragraph(f"{doc.number}　{copy}", ParagraphStyle(
            "c", parent=small, alignment=1)), Spacer(1, 4 * mm)]
        flow.append(Table([[Paragraph(k, body), Paragraph(v, body)] for k, v in doc.head],
                          colWidths=[42 * mm, 138 * mm], style=TableStyle([
                              ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25,
                                                                     colors.lightgrey)])))
        flow.append(Spacer(1, 4 * mm))
        rows = [[Paragraph(c, body) for c in doc.columns]] + [[Paragraph(c, body) for c in r] for r in doc.rows]
        flow.append(Table(rows, repeatRows=1, colWidths=[w * mm for w in doc.widths_mm], style=grid))
        flow.append(Spacer(1, 3 * mm))
        flow += [Paragraph(note, small) for note in doc.notes]
        flow.append(Spacer(1, 5 * mm))
        cells = [signature_cell(s) for s in doc.signatures]
        per_row = 3
        table = [cells[i:i + per_row] + [""] * (per_row - len(cells[i:i + per_row]))
                 for i in range(0, len(cells), per_row)]
        flow.append(Table(table, colWidths=[60 * mm] * per_row, style=TableStyle([("VALIGN", (0, 0), (-1, -1),
                                                                                  "TOP")])))
    out.build(flow)
    return buf.getvalue()
