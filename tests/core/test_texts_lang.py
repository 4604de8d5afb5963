"""One rule for "is this Chinese?": ``core.texts.lang`` (issue 11).

``(get_language() or "").startswith("zh")`` was written in some twenty places, with different answers when
no language is active (``""`` → English here, ``"zh"`` → Chinese there). Each place now asks ``lang()``,
saying its own fallback (``when_none``) where it has always been English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from pingan.core.texts import join, lang, pick

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
#: get_language()'s value (or a name it was just put in) tested for "zh" by hand.
BY_HAND = re.compile(r"get_language\(\)[^\n]{0,30}\.startswith\(\s*[\"']zh")


@pytest.mark.parametrize(("code", "key"), [("zh-hans", "zh"), ("zh_Hans", "zh"), ("ZH-CN", "zh"), ("zh", "zh"),
                                           ("en", "en"), ("en-us", "en"), ("fr", "en")])
def test_a_language_code_is_chinese_when_it_starts_with_zh(code, key):
    assert lang(code) == key
    with translation.override(code if code in ("zh-hans", "en") else "en"):
        assert lang(code) == key  # the code given wins over the active language


def test_without_a_code_the_active_language_decides_and_without_either_the_fallback():
    with translation.override("zh-hans"):
        assert (lang(), lang(when_none="en"), join(["a", "b"]), pick({"zh": "甲", "en": "A"})) == ("zh", "zh", "a、b",
                                                                                                    "甲")
    with translation.override("en"):
        assert (lang(), lang(when_none="en"), join(["a", "b"])) == ("en", "en", "a, b")
    with translation.override(None):  # deactivate_all: no language at all
        assert (lang(), lang(when_none="en")) == ("zh", "en")
        assert join(["a", "b"], when_none="en") == "a, b" and pick({"zh": "甲", "en": "A"}, when_none="en") == "A"


def test_no_module_tests_the_active_language_for_chinese_by_hand():
    found = [f"{path.relative_to(SRC)}:{n}" for path in SRC.rglob("*.py") if path.name != "texts.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if BY_HAND.search(line)]
    assert found == []
