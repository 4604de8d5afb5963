"""Reading a code back from a file (``pingan.codes.scan``): PDFs rendered by PDFium, images, and the
errors for a file that is neither, holds no QR, or holds several different ones. No database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pingan.codes.render import QrReadError, qr_png
from pingan.codes.scan import MAX_PAGES, ScanError, find_qr_codes, read_code_file

A = "PA1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O"
B = "PA1:ANOTHER-PREMISES-CODE"


def pdf(tmp_path: Path, pages: list[list[tuple[str, float, float]]], name: str = "f.pdf", **kw) -> Path:
    """A4 PDF; each page a list of (QR text, x mm, y mm from the bottom-left) drawn as 60 mm images."""
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=A4, **kw)
    for qrs in pages:
        c.drawString(20 * mm, 280 * mm, "场所平安码 test page")
        for text, x, y in qrs:
            c.drawImage(ImageReader(io.BytesIO(qr_png(text))), x * mm, y * mm, 60 * mm, 60 * mm)
        c.showPage()
    c.save()
    return path


def test_it_reads_the_one_code_of_a_pdf(tmp_path):
    assert read_code_file(pdf(tmp_path, [[(A, 75, 120)]])) == A


def test_it_searches_every_page_and_says_where_it_found_the_code(tmp_path):
    [found] = find_qr_codes(pdf(tmp_path, [[], [(A, 20, 200)]]))
    assert found.text == A and found.page == 2
    assert found.where.startswith("page 2, 2") and "mm from the left" in found.where  # ~20 mm (quiet zone)


def test_the_same_code_printed_twice_is_not_ambiguous(tmp_path):
    assert read_code_file(pdf(tmp_path, [[(A, 10, 100), (A, 120, 100)]])) == A


def test_different_codes_are_an_error_naming_each(tmp_path):
    path = pdf(tmp_path, [[(A, 10, 100)], [(B, 120, 100)]])
    with pytest.raises(ScanError) as err:
        read_code_file(path)
    message = str(err.value)
    assert "2 different QR codes found" in message and "cannot be guessed" in message
    assert "page 1, " in message and "page 2, " in message and repr(B) in message and f"'{A[:16]}…{A[-12:]}'" in message


def test_a_pdf_without_a_code_says_so(tmp_path):
    with pytest.raises(ScanError, match=r"no readable QR code found on any page \(rendered at 200 dpi\)"):
        read_code_file(pdf(tmp_path, [[]]))


def test_a_damaged_or_locked_pdf_is_refused_clearly(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ScanError, match="starts like a PDF but PDFium cannot open it"):
        read_code_file(broken)
    locked = pdf(tmp_path, [[(A, 75, 120)]], name="locked.pdf", encrypt="open-sesame")
    with pytest.raises(ScanError, match="PDFium cannot open it"):
        read_code_file(locked)


def test_a_file_that_is_neither_pdf_nor_image_is_refused(tmp_path):
    notes = tmp_path / "poster.pdf.txt"
    notes.write_text("PA1: not a picture\n", encoding="utf-8")
    with pytest.raises(ScanError, match="neither a PDF nor an image file that can be opened"):
        read_code_file(notes)
    with pytest.raises(ScanError, match="no such file"):
        read_code_file(tmp_path / "missing.pdf")
    assert issubclass(ScanError, QrReadError)  # callers of render.read_qr's error catch this one too


def test_images_are_read_the_same_way_and_two_codes_in_one_are_an_error(tmp_path):
    one = tmp_path / "one.png"
    one.write_bytes(qr_png(A))
    assert read_code_file(one) == A
    sheet = Image.new("L", (1400, 700), 255)
    sheet.paste(Image.open(io.BytesIO(qr_png(A))), (0, 0))
    sheet.paste(Image.open(io.BytesIO(qr_png(B))), (800, 100))
    sheet.save(tmp_path / "two.jpg", quality=95)
    with pytest.raises(ScanError, match=r"2 different QR codes found.* px from the left"):
        read_code_file(tmp_path / "two.jpg")


def test_a_long_document_is_refused_rather_than_searched_for_minutes(tmp_path):
    with pytest.raises(ScanError, match=f"has {MAX_PAGES + 1} pages"):
        read_code_file(pdf(tmp_path, [[]] * (MAX_PAGES + 1)))
