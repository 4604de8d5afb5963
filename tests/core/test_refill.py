"""A form shown again after a refusal for a control or text-direction character (issue 11) writes each such
character as ⟨U+XXXX⟩ in the field, never raw: one mechanism (core.forms.refilled, through the forms' renderer and
core.middleware.RefillMiddleware) for the family — Django forms (premises), a dict of the values (the watch list:
tests/alerts/test_alerts_typed_text_browser.py, in a browser), request.POST itself (a citizen's registration).
Sent back unchanged, the mark is refused too: it is never stored."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.utils import translation
from django.utils.safestring import mark_safe

from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, outside_text
from pingan.core.forms import refilled

RLO = "\u202e"


def _inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*value="([^"]*)"', html) + re.findall(r"<textarea[^>]*>([^<]*)</textarea>", html)


def test_a_refilled_value_names_each_refused_character_in_its_place():
    assert refilled("涉嫌\u202e盗\x1b[31m窃") == "涉嫌⟨U+202E⟩盗⟨U+001B⟩[31m窃"
    assert refilled("查了\n两次\u200b") == "查了\n两次"  # a text area's line break kept, a zero-width one dropped
    assert refilled("闽D12345") == "闽D12345"
    assert refilled({"reason": f"a{RLO}b", "days": ["1", RLO]}) == {"reason": "a⟨U+202E⟩b", "days": ["1", "⟨U+202E⟩"]}
    q = refilled(QueryDict(f"name=%E6%9D%8E{RLO}&officer=1&officer=2".encode()))
    assert isinstance(q, QueryDict) and q["name"] == "李⟨U+202E⟩" and q.getlist("officer") == ["1", "2"]
    rows = [{"name": "张三", "n": 3}, ("a", 1)]
    assert refilled(rows) is rows  # nothing to name: the view's own objects, untouched
    html = mark_safe(f"<b>{RLO}</b>")  # noqa: S308 - a constant
    assert refilled(html) is html  # HTML a view built is not a typed value


def test_the_mark_sent_back_unchanged_is_refused_naming_the_field():
    with pytest.raises(DomainError) as caught:
        outside_text("涉嫌⟨U+202E⟩盗", field="reason", field_zh="理由")
    assert (caught.value.code, caught.value.params["mark"]) == ("control_character", "⟨U+202E⟩")
    with translation.override("zh-hans"):
        assert page_message(caught.value) == "理由中仍有 ⟨U+202E⟩，即被拒绝的字符原来的位置：请删除这个标记后重新提交。"
    with translation.override("en"):
        assert page_message(caught.value).startswith("The reason still holds ⟨U+202E⟩, where a refused character")
    assert outside_text("第⟨1⟩号 U+202E", field="reason", field_zh="理由") == "第⟨1⟩号 U+202E"


@pytest.mark.django_db
def test_a_django_form_refills_a_refused_premises_name_with_the_mark(client, cast):
    client.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    r = client.post("/screening/premises/new/", {"name": f"阳光{RLO}公寓", "kind": "rental", "room": "",
                                                 "address": f"思明区{RLO}某路1号", "adcode": "350203010"},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = r.content.decode()
    assert "场所名称中有看不见的控制字符 U+202E" in html
    assert "阳光⟨U+202E⟩公寓" in _inputs(html)
    assert RLO not in html


@pytest.mark.django_db
def test_a_page_refilling_from_request_post_shows_the_mark(client):
    r = client.post("/citizen/register/", {"username": "li4", "password": "correct horse battery staple",
                                           "name": "李\x1b[31m四", "id_number": "350203199003078512", "phone": ""})
    html = r.content.decode()
    assert "李⟨U+001B⟩[31m四" in _inputs(html)
    assert "\x1b" not in html
