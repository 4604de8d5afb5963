"""Typed text with a control or bidi character (pingan.core.errors.outside_text, pingan.lib.textchars): refused
naming the field and the character, in the reader's language; zero-width characters removed."""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core import services
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, required_text

pytestmark = pytest.mark.django_db


def test_a_premises_name_with_a_bidi_override_is_refused_naming_it(cast):
    with pytest.raises(DomainError) as caught:
        services.premises_create(actor=cast.landlord_a, name="阳光\u202e公寓", kind="rental", address="思明区某路1号",
                                 adcode="350203010")
    assert caught.value.code == "control_character"
    with translation.override("zh-hans"):
        assert page_message(caught.value) == (
            "场所名称中有看不见的控制字符 U+202E（第 3 个字符），会改变文字的显示方式：请删去后重新输入。")
    with translation.override("en"):
        assert page_message(caught.value).startswith("The premises name holds an invisible control character, U+202E")
    p = services.premises_create(actor=cast.landlord_a, name="阳光\u200b公寓", kind="rental", address="思明区某路1号",
                                 adcode="350203010")
    assert p.name == "阳光公寓"


def test_a_citizen_name_with_an_escape_is_refused():
    from pingan.citizen import services as citizen

    with pytest.raises(DomainError) as caught:
        citizen.citizen_register(username="esc", password="correct horse battery staple", name="李\x1b[31m四",
                                 id_number="350203199003078512")
    assert (caught.value.code, caught.value.params["chars"], caught.value.params["n"]) == (
        "control_character", ["U+001B"], 1)


def test_a_note_may_hold_line_breaks_but_no_control_character():
    assert required_text("查了\n两次", what="a note", code="note_required", too_long="note_too_long") == "查了\n两次"
    with pytest.raises(DomainError) as caught:
        required_text("查了\x1b[2J", what="a note", code="note_required", too_long="note_too_long")
    assert caught.value.code == "control_character"


def test_an_evidence_field_is_refused_naming_it_in_chinese():
    from pingan.evidence.services import _text

    with pytest.raises(DomainError) as caught:
        _text("王\u202e五", "witness", 100)
    with translation.override("zh-hans"):
        assert page_message(caught.value).startswith("见证人中有看不见的控制字符 U+202E（第 2 个字符）")
    assert _text("王\u200b五", "witness", 100) == "王五"


def test_every_refused_character_of_a_typed_text_is_named(cast):
    """Issue 11's trial: a name holding U+202E and an ANSI escape; the message named the first only."""
    with pytest.raises(DomainError) as caught:
        services.premises_create(actor=cast.landlord_a, name="李\u202e\x1b[31m四", kind="rental",
                                 address="思明区某路1号", adcode="350203010")
    exc = caught.value
    assert (exc.code, exc.message_id, exc.params["chars"], exc.params["positions"], exc.params["n"]) == (
        "control_character", "control_character", ["U+202E", "U+001B"], [2, 3], 2)
    with translation.override("zh-hans"):
        assert page_message(exc) == ("场所名称中有看不见的控制字符 U+202E、U+001B（第 2、3 个字符），"
                                     "会改变文字的显示方式：请删去后重新输入。")
    with translation.override("en"):
        assert page_message(exc).startswith("The premises name holds invisible control characters, U+202E, U+001B "
                                            "(characters 2, 3)")
    assert "U+202E" in exc.message and "U+001B" in exc.message  # the API's detail too
