"""Chinese labels take the full-width colon (issue 11: "依据: ", "携带: " on Chinese pages — a label translated
alone, then an ASCII colon in the template). Templates put ``{% colon %}`` after a translated label; no zh
catalogue has Chinese followed by an ASCII colon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

import pingan

ROOT = Path(pingan.__file__).parent
#: Chinese, then an ASCII colon ending a label (a space or the end after it); "http://主机:端口" and an input format
#: ("微信:abc123", what the parser reads) are not labels.
CJK_ASCII_COLON = re.compile(r'[\u4e00-\u9fff\u3001-\u303f\uff08-\uff09]:( |"$)')


def test_no_template_puts_an_ascii_colon_after_a_translated_label():
    bad = []
    for f in sorted(ROOT.rglob("*.html")):
        for n, line in enumerate(f.read_text("utf-8").splitlines(), 1):
            if re.search(r"(translate|endblocktranslate)\b[^%]*%\}\s?:", line) or re.search(
                    r"[\u4e00-\u9fff]: ", line):
                bad.append(f"{f.relative_to(ROOT)}:{n}")
    assert not bad, bad


def test_no_chinese_catalogue_has_an_ascii_colon_after_chinese():
    bad = []
    for po in sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for n, line in enumerate(po.read_text("utf-8").splitlines(), 1):
            if line.startswith("msgstr") and CJK_ASCII_COLON.search(line):
                bad.append(f"{po.relative_to(ROOT)}:{n}")
    assert not bad, bad


@pytest.mark.parametrize("lang, text", [("zh-hans", "依据：x"), ("en", "Basis: x")])
def test_the_colon_tag_speaks_the_readers_language(lang, text):
    t = Template('{% load i18n site_frame %}{% translate "Basis" context "legal basis of a service" %}'
                 '{% colon %}x')
    with translation.override(lang):
        assert t.render(Context({})) == text
