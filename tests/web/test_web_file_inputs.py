"""File inputs speak the page's language (issue 11: the browser's own "Choose file / No file chosen" stood on
Chinese pages): every page's file input is core/partials/file_input.html — the input visually hidden, a
button-like face "选择文件 / Choose a file" and the chosen name — checked in the templates and, for the roster
upload, in a real browser at 375 px and 1280 px in both languages (the browser itself in English)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))
FILE_INPUT = re.compile(r"<input\b[^>]*\btype=\"file\"[^>]*>")


def test_every_file_input_is_the_shared_one():
    """A bare ``<input type="file">`` shows the browser's own words: each is the partial, or hidden behind a
    face of the page's own (the roster drop zone, the verification page's photo button)."""
    bare = []
    for path in SRC.glob("**/templates/**/*.html"):
        for m in FILE_INPUT.finditer(path.read_text(encoding="utf-8")):
            if "visually-hidden" not in m.group(0):
                bare.append(f"{path.relative_to(SRC)}: {m.group(0)[:80]}")
    assert bare == []
    uses = sum(path.read_text(encoding="utf-8").count("core/partials/file_input.html")
               for path in SRC.glob("**/templates/**/*.html"))
    assert uses >= 8, uses



WORDS = {"zh-hans": ("选择文件", "未选择文件"), "en": ("Choose a file", "No file chosen")}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_roster_upload_says_choose_a_file_in_the_pages_language(browser, live_server, cast, tmp_path, lang,
                                                                     width):
    from web_support import PASSWORD

    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")  # an English browser
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", cast.landlord_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/screening/upload/")
    choose, none = WORDS[lang]
    face = page.locator("#dropzone .file-button")
    assert face.is_visible() and face.inner_text() == choose
    assert page.locator("#chosen").inner_text() == none
    box = page.locator("input[name=roster]").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1  # the browser's own face is not shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"file-input-{lang}-{width}.png"), full_page=True)
    roster = tmp_path / "租户名单.csv"
    roster.write_bytes(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d\n")
    page.set_input_files("input[name=roster]", str(roster))
    assert page.locator("#chosen").inner_text() == "租户名单.csv"
    page.screenshot(path=str(SHOTS / f"file-input-{lang}-{width}-chosen.png"), full_page=True)
    with page.expect_file_chooser() as chooser:  # the face opens the picker: the label holds the input
        page.locator("#dropzone .file-button").click()
    assert chooser.value.element.get_attribute("name") == "roster"
    context.close()
