"""Rendering safety codes: QR symbols (SVG, PNG), the A4 door poster (PDF), and reading a QR back.

* QR: ISO/IEC 18004 via ``segno``: the URL form (byte + numeric segments, docs/codes.md §12) on posters and
  downloads, the ``PA1:`` text in alphanumeric mode (the base45 alphabet is the QR alphanumeric set,
  RFC 9285 §1); error-correction level Q (recovers ~25 % damage: posters get scratched and rained on).
* Poster: A4 PDF via ``reportlab`` with the Noto Sans SC font (SIL Open Font License 1.1, Chinese and Latin
  glyphs) shipped by the ``justmytype-intl-cjk`` package and embedded (subset) in the PDF, so its text renders
  on any viewer without fonts of its own and nothing is fetched at run time. It is printed in the language of
  whoever downloads it (``lang``: ``"zh"`` or ``"en"``), in that language only: a visitor who reads the other
  scans the QR, and the verification page it opens speaks the phone's language (issue 11's trial: the Chinese
  poster kept an English line, "Scan the QR code with a phone camera to check it", under the Chinese rule).
* Reading: ``zxing-cpp`` decodes a QR from an image file or bytes.

This module imports no Django.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

import segno
from PIL import Image

from pingan.codes import urlform
from pingan.codes.levels import RULE_TEXT_EN, RULE_TEXT_ZH, Level
from pingan.codes.token import SafetyCode
from pingan.lib.pdf_fonts import cjk_font

#: China Standard Time (UTC+8, no daylight saving): how validity is printed on posters.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

#: QR error-correction level for every rendering.
ERROR_LEVEL = "q"



class QrReadError(ValueError):
    """No QR code could be read from an image; the message names the source."""


_MODES = {"byte": segno.consts.MODE_BYTE, "numeric": segno.consts.MODE_NUMERIC}


def make_qr(text: str) -> segno.QRCode:
    """The QR symbol for a code's text, level Q, smallest version that fits: a ``PA1:`` text in alphanumeric
    mode; the URL form (:mod:`pingan.codes.urlform`) as a byte segment (the page's address and ``#``) and a
    numeric segment (the digits) — what a door poster carries, so any phone camera opens it.

    ``boost_error`` is off so the level stays exactly Q (the size budget in docs/codes.md assumes it).
    Raises ``segno.DataOverflowError`` when the text does not fit any QR version.
    """
    if urlform.is_url_form(text):
        segments = [(part, _MODES[mode]) for part, mode in urlform.qr_segments(text)]
        return segno.make_qr(segments, error=ERROR_LEVEL, boost_error=False)
    return segno.make_qr(text, error=ERROR_LEVEL, boost_error=False)


def qr_version(text: str) -> int:
    """The QR version (1–40) :func:`make_qr` chooses for ``text``."""
    return int(make_qr(text).version)


def qr_svg(text: str, *, scale: int = 4, border: int = 4, title: str | None = None) -> str:
    """The QR as a standalone SVG document (UTF-8 text); ``scale`` px per module, ``border`` modules quiet zone."""
    out = io.BytesIO()
    make_qr(text).save(out, kind="svg", scale=scale, border=border, title=title, xmldecl=False)
    return out.getvalue().decode("utf-8")


def qr_png(text: str, *, scale: int = 8, border: int = 4) -> bytes:
    """The QR as PNG bytes; ``scale`` px per module, ``border`` modules quiet zone (ISO/IEC 18004 asks 4)."""
    out = io.BytesIO()
    make_qr(text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def read_qr(source: str | os.PathLike[str] | bytes | Image.Image) -> str:
    """The text of the first QR code found in an image (a path, encoded image bytes, or a PIL image).

    Raises :class:`QrReadError` when the file cannot be opened as an image or holds no readable QR.
    """
    import zxingcpp  # imported here: only readers of images need the native library

    name = "image bytes" if isinstance(source, bytes) else str(source)
    try:
        if isinstance(source, Image.Image):
            image = source
        elif isinstance(source, bytes):
            image = Image.open(io.BytesIO(source))
        else:
            image = Image.open(Path(source))
        image.load()
    except (OSError, ValueError) as exc:
        raise QrReadError(f"{name}: cannot open as an image ({exc})") from None
    results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    for result in results:
        if result.valid and result.text:
            return str(result.text)
    raise QrReadError(f"{name}: no readable QR code found")


@dataclass(frozen=True, slots=True)
class PosterText:
    """The wording of the poster in one language, overridable per deployment. ``levels``: the level names
    (绿码/黄码/红码); the ``{…}`` fields are filled in by :func:`poster_pdf`."""

    title: str = "场所平安码"
    how_to_verify: str = (
        "核验方法：用手机扫描二维码，或打开 {url} 核验页面后扫码。页面加载一次后可离线核验；"
        "码内只含场所信息与签名，不含任何个人信息。"
    )
    rule: str = RULE_TEXT_ZH
    levels: tuple[str, str, str] = ("绿码", "黄码", "红码")
    validity: str = "有效期：{issued} 至 {expires}（{zone}）"
    #: (no rule version here: the rule printed above names its own, and the pages name the screening rules'
    #: version; two version numbers side by side told a reader nothing — issue 11)
    facts: str = "覆盖人数：{people}　签发单位：{issuer}"
    #: ``facts`` for a code that covers one person (English says "1 person", never "1 people")
    facts_one: str = ""
    #: ``facts`` for a code from a roster none of whose rows could be screened (a yellow code: each row counts as
    #: unresolved); "覆盖人数：0" told the reader nothing (issue 11)
    facts_none: str = "名单中无人能完成筛查　签发单位：{issuer}"
    footer: str = "码号 {code_id}"
    #: printed under the rule when a police station set the level by an approved level change (issue 11: 黄码
    #: beside "…否则为绿码" for a screening all green)
    set_by_police: str = "本码等级由{issuer}经批准的等级调整确定，不依上述规则。"

    def level(self, level: Level) -> str:
        return self.levels[(Level.GREEN, Level.YELLOW, Level.RED).index(level)]


#: The poster's wording by language (``"zh"``, ``"en"``).
POSTER_TEXTS = {
    "zh": PosterText(),
    "en": PosterText(
        title="Premises safety code",
        how_to_verify=("How to check: scan the QR code with a phone camera, or open {url} and scan it there. "
                       "After one visit the page checks codes offline; the code holds only the premises and a "
                       "signature, no personal data."),
        rule=RULE_TEXT_EN, levels=("Green code", "Yellow code", "Red code"),
        validity="Valid {issued} to {expires} ({zone})",
        facts="Covers {people} people · Issued by {issuer}",
        facts_one="Covers 1 person · Issued by {issuer}",
        facts_none="No one on the roster could be screened · Issued by {issuer}",
        footer="Code {code_id}",
        set_by_police="This code's level was set by {issuer} through an approved level change, not by the rule above."),
}


#: Stroke width (a fraction of the font size) added around each glyph outline for a printed weight: the
#: packaged variable font's default instance is the Thin master (hairline stems that print faint), and
#: instancing the 17 MB font takes ~16 s of CPU, so the outline is stroked as well as filled instead.
_WEIGHT_STROKE = {"regular": 0.045, "bold": 0.09}


def _wrap(string: str, font: str, size: float, width: float, measure) -> list[str]:
    """``string`` broken into lines no wider than ``width``: between any two characters of Chinese text,
    at spaces in Latin text (a URL or word longer than the line is broken where it must)."""
    lines: list[str] = []
    line = ""
    for token in _tokens(string):
        if line and measure(line + token, font, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
            while measure(line, font, size) > width and len(line) > 1:  # a token longer than a line
                cut = len(line)
                while cut > 1 and measure(line[:cut], font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        else:
            line += token
    if line:
        lines.append(line.rstrip())
    return lines


def _tokens(string: str) -> list[str]:
    """Wrapping units: each CJK character alone, runs of other characters up to and with a space."""
    out: list[str] = []
    run = ""
    for ch in string:
        if ord(ch) >= 0x2E80:  # CJK and full-width punctuation: a line may break before any of them
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        else:
            run += ch
            if ch == " ":
                out.append(run)
                run = ""
    if run:
        out.append(run)
    return out


def poster_pdf(
    code: SafetyCode, text: str, *, verify_url: str, tz: timezone = CHINA_STANDARD_TIME,
    wording: PosterText | None = None, issuer_name: str | None = None, address: str | None = None,
    lang: str = "zh", set_by_police: bool = False,
) -> bytes:
    """A printable A4 poster for the premises' door, as PDF bytes, in ``lang`` (``"zh"`` or ``"en"``;
    ``wording`` overrides it) and only in it.

    Shows the premises name and ``address``, a band in the level's colour with the level (绿码/Green code…),
    the validity in ``tz`` (default China Standard Time), the QR of ``text`` (the signed code string for
    ``code``), the number of people covered, the issuing unit (``issuer_name``, else the code's issuer code),
    the code id, how to verify at ``verify_url``, and the published level rule — with, when ``set_by_police``,
    that the issuing unit set the level by an approved level change. All text is drawn at a printed weight
    (:data:`_WEIGHT_STROKE`).
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    lang = "en" if lang.startswith("en") else "zh"
    wording = wording or POSTER_TEXTS[lang]
    font = cjk_font()
    width, height = A4
    out = io.BytesIO()
    # the embedded font from the start: otherwise the page refers to Helvetica, a font the PDF does not carry
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True, initialFontName=font, initialFontSize=10)
    pdf.setTitle(f"{wording.title} {code.premises_name}")
    pdf.setAuthor(issuer_name or code.issuer)
    colour = colors.HexColor(code.level.rgb)

    def draw(x: float, y: float, string: str, size: float, weight: str = "regular", align: str = "centre") -> None:
        # Fill and stroke the glyph outlines (render mode 2), round joins: see _WEIGHT_STROKE.
        pdf.saveState()
        pdf.setLineWidth(size * _WEIGHT_STROKE[weight])
        pdf.setLineJoin(1)
        text_object = pdf.beginText()
        text_object.setTextRenderMode(2)
        text_object.setFont(font, size)
        w = pdf.stringWidth(string, font, size)
        text_object.setTextOrigin(x - w / 2 if align == "centre" else x, y)
        text_object.textOut(string)
        pdf.drawText(text_object)
        pdf.restoreState()

    def bold(x: float, y: float, string: str, size: float) -> None:
        draw(x, y, string, size, "bold")

    # Level band across the top.
    band = 62 * mm
    pdf.setFillColor(colour)
    pdf.rect(0, height - band, width, band, stroke=0, fill=1)
    ink = colors.black if code.level.value == "yellow" else colors.white
    pdf.setFillColor(ink)
    pdf.setStrokeColor(ink)
    bold(width / 2, height - 25 * mm, wording.title, 28)
    bold(width / 2, height - 47 * mm, wording.level(code.level), 48 if lang == "zh" else 40)

    # Premises name (shrunk to fit one line) and its address.
    pdf.setFillColor(colors.black)
    pdf.setStrokeColor(colors.black)
    size = 26.0
    while size > 12 and pdf.stringWidth(code.premises_name, font, size) > width - 30 * mm:
        size -= 1
    bold(width / 2, height - band - 16 * mm, code.premises_name, size)
    if address:
        size = 13.0
        while size > 8 and pdf.stringWidth(address, font, size) > width - 30 * mm:
            size -= 0.5
        draw(width / 2, height - band - 24 * mm, address, size)

    issued = code.issued_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    expires = code.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    offset = tz.utcoffset(None) or timedelta(0)
    zone = f"UTC{int(offset.total_seconds() // 3600):+d}"
    draw(width / 2, height - band - 32 * mm, wording.validity.format(issued=issued, expires=expires, zone=zone), 13)
    facts = (wording.facts_none if code.people == 0 and wording.facts_none else
             wording.facts_one if code.people == 1 and wording.facts_one else wording.facts).format(
        # grouped as the English pages write a count ("3,002"; issue 11's trial F17: "Covers 3002 people")
        people=f"{code.people:,}" if lang == "en" else code.people, issuer=issuer_name or code.issuer,
        version=code.ruleset_version)
    size = 12.0
    while size > 8 and pdf.stringWidth(facts, font, size) > width - 30 * mm:
        size -= 0.5
    draw(width / 2, height - band - 39.5 * mm, facts, size)

    # The QR, drawn as vector modules from the same symbol make_qr() produces; quiet zone of 4 modules.
    qr = make_qr(text)
    modules = qr.symbol_size(scale=1, border=0)[0]
    qr_size = 110 * mm
    cell = qr_size / (modules + 8)
    left = (width - qr_size) / 2
    bottom = height - band - 47 * mm - qr_size
    pdf.setFillColor(colors.white)
    pdf.rect(left, bottom, qr_size, qr_size, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    for row_index, row in enumerate(qr.matrix):
        y = bottom + qr_size - (row_index + 5) * cell
        col = 0
        while col < modules:
            if row[col]:
                start = col
                while col < modules and row[col]:
                    col += 1
                pdf.rect(left + (start + 4) * cell, y, (col - start) * cell, cell, stroke=0, fill=1)
            else:
                col += 1
    pdf.setFillColor(colour)
    pdf.rect(left - 3 * mm, bottom - 3 * mm, qr_size + 6 * mm, 3 * mm, stroke=0, fill=1)

    # How to verify, the rule, the code id.
    size, leading = 11.5, 17.0
    y = bottom - 10 * mm
    paragraphs = [wording.how_to_verify.format(url=verify_url), wording.rule]
    if set_by_police:
        paragraphs.append(wording.set_by_police.format(issuer=issuer_name or code.issuer))
    for paragraph in paragraphs:
        for line in _wrap(paragraph, font, size, width - 40 * mm, pdf.stringWidth):
            y -= leading
            draw(20 * mm, y, line, size, align="left")
        y -= 4 * mm
    pdf.setFillColor(colors.HexColor("#444444"))
    pdf.setStrokeColor(colors.HexColor("#444444"))
    draw(width / 2, 12 * mm, wording.footer.format(code_id=code.code_id.hex().upper()), 9)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
