"""Issue 11: the duplicate-row note read "3↔2; 4↔2" — an English "; " in Chinese text — and other lists a person
reads were joined with a separator written where they were put together. A list is listed in the reader's
language: ``core.texts.join`` (``甲、乙`` / ``a, b``), in a template ``|listed`` or, in a loop,
``{% list_separator %}``; clauses with ``{% semicolon %}``. The roster's notes: tests/screening/
test_roster_shared_numbers.py; a watchlist entry's dates: tests/screening/test_watchlist_families.py."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
#: a loop's separator written as text: {% if not forloop.last %}, {% endif %} and the like
LITERAL = re.compile(r"\{%\s*if not forloop\.last\s*%\}([^{]*?)\{%\s*endif\s*%\}")
PUNCTUATION = set(",;、；，")


def test_no_template_writes_a_list_separator_of_one_language():
    found = [f"{path.relative_to(SRC)}: {m.group(0)}"
             for path in SRC.rglob("templates/**/*.html")
             for m in LITERAL.finditer(path.read_text(encoding="utf-8"))
             if PUNCTUATION & set(m.group(1))]
    assert not found, "a loop's separator written in one language; use {% list_separator %}:\n" + "\n".join(found)


def test_the_list_separator_is_the_languages():
    template = Template("{% load site_frame %}{% for x in xs %}{{ x }}{% if not forloop.last %}{% list_separator %}"
                        "{% endif %}{% endfor %}")
    with translation.override("zh-hans"):
        assert template.render(Context({"xs": ["甲", "乙", "丙"]})) == "甲、乙、丙"
    with translation.override("en"):
        assert template.render(Context({"xs": ["a", "b"]})) == "a, b"
