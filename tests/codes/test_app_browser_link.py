"""A door QR any phone opens (issue 10), in Debian's chromium: the URL form of a code opened as a link is
verified on open, and again with the network cut; a QR read from an image file with the bundled zxing-wasm
reader (BarcodeDetector removed, as on an iPhone or in WeChat), offline too, with nothing fetched from
anywhere but this site."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import render, services

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("isolated")]


def photo_of(link: str, path: Path) -> Path:
    """The QR of ``link`` as a phone photo might frame it: small, rotated, off-centre on a grey background."""
    qr = Image.open(io.BytesIO(render.qr_png(link, scale=5))).convert("RGB").rotate(7, expand=True,
                                                                                    fillcolor=(255, 255, 255))
    canvas = Image.new("RGB", (qr.width + 260, qr.height + 180), (180, 176, 170))
    canvas.paste(qr, (170, 60))
    canvas.save(path, "JPEG", quality=85)
    return path


@pytest.mark.django_db(transaction=True)
def test_a_door_link_verifies_on_open_offline_after_one_visit_and_from_a_photo(live_server, cast, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    screened(cast.premises_a, ["green", "green"], finished_ago=timedelta(days=1))
    green = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    screened(cast.premises_b, ["green", "red"])
    red = services.safety_code_issue(premises=cast.premises_b, actor=cast.landlord_b)
    page_url = f"{live_server.url}/verify/"
    green_link = services.code_url(green, verify_url=page_url)
    red_link = services.code_url(red, verify_url=page_url)
    photo = photo_of(red_link, tmp_path / "door-photo.jpg")
    assert render.read_qr(photo) == red_link  # the photo is readable at all (zxing-cpp on the server side)
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(locale="zh-CN")
            # an iPhone or WeChat: no Barcode Detection API
            context.add_init_script("delete window.BarcodeDetector; delete globalThis.BarcodeDetector;")

            def only_this_site(route):
                if route.request.url.startswith(live_server.url):
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            context.route("**/*", only_this_site)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            seen: list[str] = []
            page.on("request", lambda request: seen.append(request.url))

            # 1. the camera app opens the link: the page verifies the code in the fragment at once
            page.goto(green_link)
            page.wait_for_function("window.pinganLinkChecked !== undefined", timeout=30_000)
            page.wait_for_function("document.getElementById('result').textContent.length > 0", timeout=30_000)
            assert page.get_attribute("#result", "class") == "green", page.text_content("#result")
            assert "绿码" in page.text_content("#result") and "莲前出租屋" in page.text_content("#result")
            assert all("#" not in u for u in seen)  # the fragment never leaves the phone
            page.wait_for_function("""async () => {
                const r = await navigator.serviceWorker.ready;
                return r.active !== null && r.active.state === "activated";
            }""", timeout=30_000)
            page.reload()  # once more online, so the worker has the page, the script and the reader cached
            page.wait_for_function("window.pinganLinkChecked !== undefined", timeout=30_000)

            # 2. the network cut: another door's link still opens and verifies (red)
            context.set_offline(True)
            page.goto("about:blank")  # a new load, not a same-document jump to another fragment
            page.goto(red_link)
            page.wait_for_function("window.pinganLinkChecked !== undefined", timeout=30_000)
            page.wait_for_function("document.getElementById('result').className === 'red'", timeout=30_000)
            assert "本机保存的数据" in page.text_content("#trust")  # offline: the data stored on this phone (6cd3d4fc)
            assert "红码" in page.text_content("#result") and "江头公寓" in page.text_content("#result")

            # 3. a photo of a door QR, decoded in the browser by the bundled reader, still offline
            page.evaluate("document.getElementById('result').className = ''; "
                          "document.getElementById('result').textContent = ''")
            page.set_input_files("#photo", str(photo))
            page.wait_for_function("document.getElementById('result').textContent.length > 0", timeout=60_000)
            assert page.get_attribute("#result", "class") == "red", page.text_content("#result")
            assert page.input_value("#code") == red_link
            assert page.evaluate("'BarcodeDetector' in window") is False
            assert errors == []
        finally:
            browser.close()
    assert elsewhere == []  # no CDN, nothing fetched from anywhere else
