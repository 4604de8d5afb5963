"""Stored messages (code + params) rendered in the reader's language (pingan.core.texts)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pingan.core import texts


@pytest.fixture
def templates():
    saved = texts.registered()
    texts.register({"test.rows": _("rows %(rows)s"), "test.nested": _("not screened: %(detail)s"),
                    "test.rule": _("%(text)s"), "test.fn": lambda p: f"fn {p['n']}"})
    yield
    texts._TEMPLATES.clear()
    texts._TEMPLATES.update(saved)


def test_it_joins_a_list_as_the_language_does(templates):
    with translation.override("zh-hans"):
        assert texts.render(texts.message("test.rows", rows=[3, 5])) == "rows 3、5"
    with translation.override("en"):
        assert texts.render(texts.message("test.rows", rows=[3, 5])) == "rows 3, 5"


def test_it_picks_the_readers_language_from_a_text_per_language(templates):
    msg = texts.message("test.rule", text={"zh": "7天内有高风险区旅居史", "en": "travel through a high-risk area"})
    with translation.override("zh-hans"):
        assert texts.render(msg) == "7天内有高风险区旅居史"
    with translation.override("en"):
        assert texts.render(msg) == "travel through a high-risk area"
    assert texts.pick({"": "one text for every language"}) == "one text for every language"


def test_it_renders_nested_messages_and_functions(templates):
    inner = texts.message("test.rows", rows=[2])
    with translation.override("en"):
        assert texts.render(texts.message("test.nested", detail=inner)) == "not screened: rows 2"
    assert texts.render(texts.message("test.fn", n=4)) == "fn 4"


def test_an_unknown_code_falls_back_to_its_text_or_code(templates):
    assert texts.render({"code": "from.a.newer.version", "params": {"text": {"en": "old text"}}}) == "old text"
    assert texts.render({"code": "from.a.newer.version", "params": {}}) == "from.a.newer.version"
    assert texts.render(None) == ""


def test_several_messages_read_as_one_sentence_of_the_language(templates):
    msgs = [texts.message("test.rows", rows=[1]), texts.message("test.fn", n=2)]
    with translation.override("zh-hans"):
        assert texts.render_all(msgs) == "rows 1；fn 2"
    with translation.override("en"):
        assert texts.render_all(msgs) == "Rows 1; fn 2"  # an English sentence starts with a capital


def test_every_screening_template_has_its_chinese_and_renders_with_its_params():
    """Each registered template of the screening app is translated (no English left in Chinese)."""
    import re

    from pingan.screening.texts import TEMPLATES

    placeholder = re.compile(r"%\(\w+\)s")
    for code, template in TEMPLATES.items():
        if callable(template):
            continue
        with translation.override("en"):
            en = str(template)
        with translation.override("zh-hans"):
            zh = str(template)
        if re.search(r"[A-Za-z]", placeholder.sub("", en)):  # a sentence, not just "%(text)s"
            assert zh != en and not re.search(r"[A-Za-z]{3,}", placeholder.sub("", zh).replace("Excel", "")
                                              .replace("WPS", "").replace("UTF", "").replace("GBK", "")
                                              .replace("NUL", "").replace("xlsx", "").replace("BOM", "")), code


def test_every_rejection_and_roster_note_code_has_a_template_and_a_chinese_explanation():
    """A new rejection code (roster.REJECTION_CODES) needs its page template (screening.texts) and its line in
    the Chinese template sheet (template.REJECTION_ZH); a new roster note its template."""
    import inspect
    import re

    from pingan.screening import roster
    from pingan.screening.template import REJECTION_ZH
    from pingan.screening.texts import TEMPLATES

    for code in roster.REJECTION_CODES:
        assert f"rejection.{code}" in TEMPLATES, code
        assert code in REJECTION_ZH, code
    source = inspect.getsource(roster)
    for code in set(re.findall(r'_note\(\s*meta,\s*"([a-z_]+)"', source)) | set(
            re.findall(r'notes\.append\(\{"code": "([a-z_]+)"', source)) - roster.SIGNALS:
        assert f"roster.{code}" in TEMPLATES, code


def test_labelled_continues_the_sentence_after_the_colon_in_either_language():
    """Fresh-user trial: "revoked: The police…", "not a safety code: This is…" — after a label's colon an
    English sentence continues (lower-case), a word in capitals stays, Chinese takes the full-width colon."""
    assert texts.labelled("revoked", "This code was replaced.", language="en") == "revoked: this code was replaced."
    assert texts.labelled("not valid", "PA1 text expected", language="en") == "not valid: PA1 text expected"
    assert texts.labelled("已撤销", "此码已被新码取代。", language="zh-hans") == "已撤销：此码已被新码取代。"
