"""``pingan demo``'s door poster links to the site's verification address, as the site's own poster does
(``PINGAN_CODE_VERIFY_URL``), and the demo says which address it used and how to set it (issue 11's trial: the
poster printed http://127.0.0.1:8000/verify/ whatever the site's address was, and said nothing of it). The poster
is in the command's language."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from test_app_support import isolated  # noqa: F401 - fixture

from pingan.codes import render
from pingan.screening.management.commands.demo import poster_address

pytestmark = pytest.mark.usefixtures("isolated")

SITE = "https://gaj.example.cn/verify/"


def test_the_demo_poster_links_to_the_configured_address_and_says_so(db, settings, tmp_path):
    settings.PINGAN = {**settings.PINGAN, "CODE_VERIFY_URL": SITE}
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("demo", "--people", "40", stdout=out)
    text = out.getvalue()
    assert f"二维码链接到 {SITE}，即 PINGAN_CODE_VERIFY_URL 设置的核验地址" in text, text
    poster = Path(re.search(r"门贴海报：(\S+\.pdf)", text).group(1))
    said = subprocess.run(["pdftotext", "-layout", str(poster), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "gaj.example.cn" in said and "127.0.0.1" not in said, said
    assert "核验方法" in said and "How to check" not in said  # the command's language
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(poster), str(tmp_path / "page")], check=True)
    assert render.read_qr(tmp_path / "page.png").startswith(f"{SITE}#1")


def test_without_an_address_the_demo_says_where_its_poster_links_and_how_to_set_it(settings):
    settings.PINGAN = {**settings.PINGAN, "CODE_VERIFY_URL": ""}
    with translation.override("en"):
        said = poster_address("http://127.0.0.1:8000/verify/")
    assert said.startswith("its QR code links to http://127.0.0.1:8000/verify/, the page pingan serve serves"), said
    assert "set PINGAN_CODE_VERIFY_URL to the verification page's public address" in said
    with translation.override("zh-hans"):
        said = poster_address("http://127.0.0.1:8000/verify/")
    assert "别处的手机无法打开" in said and "请把 PINGAN_CODE_VERIFY_URL 设为核验页面的公网地址" in said, said
