"""The door poster in the language of whoever prints it (issue 11: it was Chinese only), and in that language
only (issue 11's trial: the Chinese poster kept an English line under the rule; a visitor who reads the other
language scans the QR, and the verification page speaks the phone's language); the font travels inside the PDF
(nothing fetched at run time). Checked on the PDF itself: poppler's pdftotext and pdffonts, and pdftoppm's
rendering, whose QR must still scan back to the code."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import render, services

pytestmark = pytest.mark.usefixtures("isolated")


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def downloaded(client, cast, lang: str) -> bytes:
    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("codes:poster", args=[cast.premises_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


@pytest.fixture
def code(cast):
    screened(cast.premises_a, ["green", "yellow"])
    return services.safety_code_issue(premises=cast.premises_a, actor=None)


def test_an_english_reader_prints_an_english_poster(client, cast, code, tmp_path):
    text = pdftotext(downloaded(client, cast, "en"), tmp_path)
    # the unit as the English pages name it (issue 11's trial F17: "Issued by 莲前派出所"); fails without the fix
    for said in ("Premises safety code", "Yellow code", "Valid ", "Covers 2 people",
                 "Issued by Lianqian Police Station", "How to check: scan the QR code",
                 "Safety-code level rule (version 1)", f"Code {code.code_id.upper()}"):
        assert said in text, said
    assert cast.premises_a.name in text and cast.premises_a.address in text
    assert "莲前派出所" not in text
    data = (cast.premises_a.name, cast.premises_a.address)  # the premises' own name and address
    for name in data:
        text = text.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", text), text  # "场所平安码 · 黄码" and "用手机相机扫描…" were
    assert text.rstrip().splitlines()[-1].strip() == f"Code {code.code_id.upper()}"  # no premises id on the door


def test_a_chinese_reader_prints_a_chinese_poster(client, cast, code, tmp_path):
    text = pdftotext(downloaded(client, cast, "zh-hans"), tmp_path)
    for said in ("场所平安码", "黄码", "有效期：", "覆盖人数：2", "签发单位：莲前派出所", "核验方法：",
                 "平安码等级规则（第 1 版）", f"码号 {code.code_id.upper()}"):
        assert said in text, said
    assert "Premises safety code" not in text and "Scan the QR code" not in text and "场所编号" not in text
    # no English word but the verification page's address (the data: the premises' name and address are Chinese)
    said = re.sub(r"[!-~]*/[!-~]*", "", text).replace(code.code_id.upper(), "")  # the address, wrapped or not
    assert not re.search(r"[A-Za-z]{2,}", said.replace("UTC", "")), said


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_font_is_embedded_and_the_rendered_poster_scans_back(cast, code, tmp_path, lang):
    pdf = services.code_poster(code, verify_url="https://pingan.example/verify/", lang=lang)
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("NotoSansSC" in r[0] for r in rows)
    assert all(r[-5] == "yes" for r in rows), fonts  # emb: every font travels inside the PDF
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    image = tmp_path / "page.png"
    assert render.read_qr(image) == services.code_url(code, verify_url="https://pingan.example/verify/")
    from PIL import Image

    with Image.open(image) as page:  # the band at the top is the level's colour (yellow #f2b705)
        r, g, b = page.convert("RGB").getpixel((page.width // 10, 10))
    assert (abs(r - 0xF2), abs(g - 0xB7), abs(b - 0x05)) < (8, 8, 8)


def test_a_poster_covering_one_person_says_person_not_people(client, cast, tmp_path):
    # issue 11 trial: "1 people"
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=None)
    text = pdftotext(downloaded(client, cast, "en"), tmp_path)
    assert "Covers 1 person ·" in text and "1 people" not in text
    assert "覆盖人数：1" in pdftotext(downloaded(client, cast, "zh-hans"), tmp_path)



def test_the_english_poster_groups_the_count_as_the_pages_do(code, tmp_path):
    """Issue 11's trial (F17): "Covers 3002 people" while the English pages say "3,002"."""
    import dataclasses

    claims = dataclasses.replace(services.code_claims(code), people=3002)
    url = services.code_url(code, verify_url=services.DEFAULT_VERIFY_URL)
    for lang, said in (("en", "Covers 3,002 people"), ("zh", "覆盖人数：3002")):
        pdf = render.poster_pdf(claims, url, verify_url=services.DEFAULT_VERIFY_URL, lang=lang)
        assert said in pdftotext(pdf, tmp_path), lang
