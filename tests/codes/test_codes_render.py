"""QR and poster rendering: the code survives SVG, PNG and a printed-and-scanned PDF poster."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from codes_support import NOW, make_code
from PIL import Image

from pingan.codes.keys import KeySigner, KeyStore
from pingan.codes.levels import Level
from pingan.codes.render import QrReadError, poster_pdf, qr_png, qr_svg, qr_version, read_qr
from pingan.codes.token import issue, verify


def test_it_renders_a_png_that_reads_back_to_a_valid_code(signer: KeySigner, trust: KeyStore) -> None:
    token = issue(make_code(), signer)
    png = qr_png(token)
    assert png.startswith(b"\x89PNG")
    assert read_qr(png) == token
    assert verify(read_qr(png), trust, now=NOW).ok


def test_it_reads_a_qr_from_an_image_file(es256: KeySigner, tmp_path: Path) -> None:
    token = issue(make_code(), es256)
    path = tmp_path / "door.png"
    path.write_bytes(qr_png(token, scale=3))
    assert read_qr(path) == token


def test_it_renders_an_svg_of_the_same_symbol(es256: KeySigner) -> None:
    token = issue(make_code(), es256)
    svg = qr_svg(token, scale=2, title="平安码")
    assert svg.lstrip().startswith("<svg")
    size = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert size == (17 + 4 * qr_version(token) + 8) * 2


def test_it_explains_an_image_without_a_qr(tmp_path: Path) -> None:
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    with pytest.raises(QrReadError, match="no readable QR"):
        read_qr(blank.getvalue())
    (tmp_path / "not-an-image.png").write_text("hello")
    with pytest.raises(QrReadError, match="cannot open"):
        read_qr(tmp_path / "not-an-image.png")


def test_it_embeds_the_chinese_font_in_the_poster(es256: KeySigner) -> None:
    code = make_code(level=Level.RED)
    pdf = poster_pdf(code, issue(code, es256), verify_url="https://pingan.example/codes/verify")
    assert pdf.startswith(b"%PDF")
    assert b"NotoSansSC" in pdf
    assert b"/FontFile2" in pdf  # the TrueType program itself is inside the file
    assert b"STSong" not in pdf


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_it_prints_a_poster_whose_qr_scans_back_to_a_valid_code(signer: KeySigner, trust: KeyStore,
                                                                 tmp_path: Path) -> None:
    code = make_code(premises_name="厦门市思明区莲前东路1号出租屋", level=Level.YELLOW)
    token = issue(code, signer)
    (tmp_path / "poster.pdf").write_bytes(poster_pdf(code, token, verify_url="https://pingan.example/v"))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "poster.pdf"),
                    str(tmp_path / "poster")], check=True)
    scanned = read_qr(tmp_path / "poster.png")
    assert scanned == token
    result = verify(scanned, trust, now=NOW)
    assert result.ok and result.code == code
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(tmp_path / "poster.pdf")], capture_output=True, text=True,
                               check=True).stdout
        assert "NotoSansSC" in fonts
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if "NotoSansSC" in line)  # emb
