"""``pingan code verify POSTER.pdf``: the A4 poster is read back (PDFium + zxing-cpp) and verified."""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from test_app_support import isolated, run_code_command, screened  # noqa: F401 - fixture

from pingan.codes import render, services

pytestmark = pytest.mark.usefixtures("isolated", "commands_in_english")


run = run_code_command


def test_verify_reads_the_door_poster_pdf(cast, tmp_path):
    screened(cast.premises_a, ["green", "yellow"])
    run("issue", str(cast.premises_a.pk))
    code = services.current_code(cast.premises_a)
    poster = tmp_path / "poster.pdf"
    claims = services.code_claims(code)
    poster.write_bytes(render.poster_pdf(claims, code.token, verify_url="https://pingan.example/verify/"))
    out = run("verify", str(poster))
    assert out.startswith("This code is valid") and f"yellow code · {cast.premises_a.label}" in out
    assert f"code number {code.code_id.upper()}" in out and "2 people" in out


def test_a_revoked_code_on_a_poster_reads_revoked(cast, tmp_path):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    poster = tmp_path / "door.pdf"
    poster.write_bytes(render.poster_pdf(services.code_claims(code), code.token, verify_url="https://x.example/v/"))
    services.safety_code_revoke(code=code, reason="fraud", actor=None)
    with pytest.raises(CommandError) as err:
        run("verify", str(poster))
    assert err.value.returncode == 1 and "revoked" in str(err.value)


def test_verify_names_what_is_wrong_with_a_file(cast, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.pdf: there is no such file; check the path"):
        run("verify", str(tmp_path / "missing.pdf"))
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    with pytest.raises(CommandError, match=r"notes\.txt: neither a PDF nor an image file"):
        run("verify", str(notes))
    from reportlab.pdfgen import canvas

    blank = canvas.Canvas(str(tmp_path / "blank.pdf"))
    blank.drawString(100, 700, "no code here")
    blank.save()
    with pytest.raises(CommandError, match=r"blank\.pdf: no readable QR code found"):
        run("verify", str(tmp_path / "blank.pdf"))


def poster_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    return page.get_textpage().get_text_range()


def test_the_poster_names_the_issuing_unit_and_the_address_in_print_weight(cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    pdf = services.code_poster(code, verify_url="https://pingan.example/verify/")
    text = poster_text(pdf)
    assert "签发单位：莲前派出所" in text and "350203-LQ" not in text  # the unit's name, not its code
    assert cast.premises_a.address in text
    assert "pingan.codes.level" not in text and "平安码等级规则（第 1 版）" in text
    # every piece of text is filled and stroked (render mode 2): the font's default instance is hairline-thin
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    modes = [pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) for obj in pdfium.PdfDocument(pdf)[0].get_objects()
             if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT]
    assert len(modes) >= 8 and set(modes) == {pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE}
