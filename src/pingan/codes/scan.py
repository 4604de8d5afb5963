"""Reading a safety code back from a file: a QR image (PNG, JPEG, any format Pillow opens) or a PDF, such
as the A4 door poster of :func:`pingan.codes.render.poster_pdf`.

* PDF pages are rendered to bitmaps by PDFium (``pypdfium2``: the PDF engine of Chromium, shipped as
  binary wheels with no system library) at :data:`PDF_DPI`. At 200 dpi the poster's 110 mm QR is ~870 px
  wide, over 10 px per module for any code that fits the poster; zxing-cpp needs 2–3.
* QR codes are decoded by ``zxing-cpp`` (ISO/IEC 18004), the decoder of
  :func:`pingan.codes.render.read_qr`.
* Every page (or image frame) is searched and every QR on it decoded. One distinct text is the answer
  (the same code printed twice is not ambiguous); several different texts are an error that lists each
  with where it was found, since guessing which one the user meant could verify the wrong premises.

This module imports no Django.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence

from pingan.codes.render import QrReadError

#: Resolution PDF pages are rendered at for decoding (dots per inch).
PDF_DPI = 200
#: A file with more pages (or image frames) than this is refused rather than searched for minutes.
MAX_PAGES = 20
#: How the PDF format announces itself: ``%PDF-`` within the first 1024 bytes (ISO 32000-1 §7.5.2, and
#: the tolerance of common readers for leading junk).
_PDF_MAGIC, _PDF_MAGIC_WINDOW = b"%PDF-", 1024


class ScanError(QrReadError):
    """A file holds no single readable safety-code QR; the message names the file and what was wrong.

    ``str()`` is English (logs, programs); ``code`` and ``params`` (``path`` always, and per code: ``error``;
    ``pages``/``frames`` and ``max``; ``frame``; ``dpi``; ``count`` and ``found``, the :class:`FoundQr` list)
    let a command or page say it in the reader's language (:func:`pingan.codes.texts.scan_error`). Codes:
    ``no_such_file``, ``pdf_unopenable``, ``pdf_no_pages``, ``pdf_too_many_pages``, ``not_an_image``,
    ``too_many_frames``, ``frame_unreadable``, ``no_qr_pdf``, ``no_qr_image``, ``several_codes``.
    """

    def __init__(self, text: str, code: str, path: Path | str, **params) -> None:
        super().__init__(text)
        self.code, self.params = code, {"path": str(path), **params}


@dataclass(frozen=True, slots=True)
class FoundQr:
    """One decoded QR: its ``text``, the 1-based ``page`` (or image frame) and where it sits.

    ``where`` is for people: millimetres from the page's top-left corner for PDFs, pixels for images.
    """

    text: str
    page: int
    where: str
    #: the corner's position, in ``unit`` ("mm" on a PDF page, "px" in an image), and whether the image has
    #: several frames (then ``page`` is the frame): what :func:`pingan.codes.texts.found_where` says in words
    x: int = 0
    y: int = 0
    unit: str = "mm"
    frames: bool = False


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as f:
        return _PDF_MAGIC in f.read(_PDF_MAGIC_WINDOW)


def _decode(image: Image.Image) -> list[tuple[str, int, int]]:
    """``(text, x, y)`` of each QR in ``image`` (top-left corner, pixels); QR codes without text are skipped."""
    import zxingcpp  # imported here: only readers of images need the native library

    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [(str(r.text), r.position.top_left.x, r.position.top_left.y) for r in found if r.valid and r.text]


def _pdf_qr_codes(path: Path, dpi: int) -> list[FoundQr]:
    import pypdfium2 as pdfium  # imported here: only the PDF path needs PDFium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise ScanError(f"{path}: starts like a PDF but PDFium cannot open it ({exc})", "pdf_unopenable", path,
                        error=str(exc)) from None
    try:
        if len(pdf) == 0:
            raise ScanError(f"{path}: the PDF has no pages", "pdf_no_pages", path)
        if len(pdf) > MAX_PAGES:
            raise ScanError(f"{path}: the PDF has {len(pdf)} pages; a poster has one (at most {MAX_PAGES} are "
                            "searched): extract the page with the code", "pdf_too_many_pages", path, pages=len(pdf),
                            max=MAX_PAGES)
        found = []
        mm_per_px = 25.4 / dpi
        for number in range(len(pdf)):
            page = pdf[number]
            try:
                image = page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
            found += [FoundQr(text, number + 1, f"page {number + 1}, {x * mm_per_px:.0f} mm from the left and "
                                                f"{y * mm_per_px:.0f} mm from the top",
                              round(x * mm_per_px), round(y * mm_per_px), "mm")
                      for text, x, y in _decode(image)]
        return found
    finally:
        pdf.close()


def _image_qr_codes(path: Path) -> list[FoundQr]:
    try:
        image = Image.open(path)
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ScanError(f"{path}: neither a PDF nor an image file that can be opened (PNG, JPEG, …): {exc}",
                        "not_an_image", path, error=str(exc)) from None
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_PAGES:
        raise ScanError(f"{path}: the image has {frames} frames (at most {MAX_PAGES} are searched)",
                        "too_many_frames", path, frames=frames, max=MAX_PAGES)
    found = []
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        try:
            frame.load()
        except OSError as exc:  # a damaged later frame
            raise ScanError(f"{path}: frame {number} cannot be read ({exc})", "frame_unreadable", path,
                            frame=number, error=str(exc)) from None
        label = f"frame {number}, " if frames > 1 else ""
        found += [FoundQr(text, number, f"{label}{x} px from the left and {y} px from the top", x, y, "px",
                          frames > 1)
                  for text, x, y in _decode(frame)]
    return found


def find_qr_codes(path: str | os.PathLike[str], *, dpi: int = PDF_DPI) -> list[FoundQr]:
    """Every QR code in a PDF (each page rendered at ``dpi``) or an image file, in page order.

    The format is taken from the content, not the name: ``%PDF-`` in the first 1024 bytes means PDF,
    anything else must open as an image. Raises :class:`ScanError` for a missing file, a file that is
    neither, a PDF that cannot be opened (damaged, password-protected), or more than :data:`MAX_PAGES`
    pages or frames. An empty list means no QR code was found.
    """
    path = Path(path)
    if not path.is_file():
        raise ScanError(f"{path}: no such file", "no_such_file", path)
    return _pdf_qr_codes(path, dpi) if _is_pdf(path) else _image_qr_codes(path)


def read_code_file(path: str | os.PathLike[str], *, dpi: int = PDF_DPI) -> str:
    """The text of the one QR code in a PDF (e.g. the door poster) or an image file.

    Raises :class:`ScanError` when :func:`find_qr_codes` does, when no QR code is found, or when QR codes
    with different texts are found (the message lists each with its place, so the user can crop the file
    to the one meant). The text is returned as read; verifying it is the caller's business.
    """
    found = find_qr_codes(path, dpi=dpi)
    texts = list(dict.fromkeys(f.text for f in found))
    if not texts:
        if _is_pdf(Path(path)):
            raise ScanError(f"{path}: no readable QR code found on any page (rendered at {dpi} dpi)", "no_qr_pdf",
                            path, dpi=dpi)
        raise ScanError(f"{path}: no readable QR code found in the image", "no_qr_image", path)
    if len(texts) > 1:
        listing = "; ".join(f"{f.where}: {preview(f.text)}" for f in found)
        raise ScanError(f"{path}: {len(texts)} different QR codes found, and which one to verify cannot be "
                        f"guessed: {listing}. Crop the file to the code meant, or pass the code text itself",
                        "several_codes", path, count=len(texts), found=found)
    return texts[0]


def preview(text: str) -> str:
    """Start and end of a QR text: codes share their first characters (prefix, headers), not their ends."""
    return repr(text if len(text) <= 32 else f"{text[:16]}…{text[-12:]}")
