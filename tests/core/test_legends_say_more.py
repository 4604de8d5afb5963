"""Issue 11: the purpose page's form legend repeated the page's heading ("查询用途" over "查询用途"). A legend says
what the choice is about, never the heading just above it again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
TEXT = r"(?:\{% translate [\"']([^\"']+)[\"'][^%]*%\}|([^<{]+))"


def test_no_legend_repeats_the_heading_before_it():
    found = []
    for path in SRC.rglob("templates/**/*.html"):
        source = path.read_text(encoding="utf-8")
        for legend in re.finditer(r"<legend[^>]*>" + TEXT, source):
            headings = list(re.finditer(r"<h[1-6][^>]*>" + TEXT, source[:legend.start()]))
            said = (legend.group(1) or legend.group(2) or "").strip()
            if headings and said and (headings[-1].group(1) or headings[-1].group(2) or "").strip() == said:
                found.append(f"{path.relative_to(SRC)}: {said}")
    assert not found, found


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_purpose_page_asks_its_question_under_its_heading(client, cast, language):
    client.cookies["django_language"] = language
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/purpose/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
    legend = re.search(r"<legend>(.*?)</legend>", html).group(1)
    assert heading != legend
    assert legend == ("您为何查看个人信息？" if language == "zh-hans" else "Why are you looking at personal data?")
