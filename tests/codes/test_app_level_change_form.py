"""The level-change form (issue 11, fresh-user trial): the select started on the current level and then
refused it ("已是该等级") with the error at the page top, far from the form; the select had no label; the upheld
request said the change is "requested below" (在下方申请) while the form is above. Now the select is labelled
and offers only the other levels after a prompt; a refused request comes back with the error beside the field
and the reason kept; the direction word points up. The owner's correction form keeps its error beside it too."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services

pytestmark = pytest.mark.usefixtures("isolated")


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def yellow(cast):
    screened(cast.premises_a, ["green", "yellow"])
    return services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)


@pytest.mark.parametrize("lang, label, prompt", [("zh-hans", "新等级（当前为黄码）", "请选择等级"),
                                                 ("en", "New level (now a yellow code)", "Choose a level")])
def test_the_select_is_labelled_and_offers_only_the_other_levels(client, cast, yellow, lang, label, prompt):
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    form = section(client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode(), "override")
    assert f'<label for="override-level">{label}</label>' in form and 'id="override-level"' in form
    values = re.findall(r'<option value="([^"]*)"', form)
    assert values == ["", "green", "red"], values
    # the prompt fits a 375 px select (issue 11: "Choose a level other than the curre…"): short, nothing after it
    assert f'<option value="">{prompt}</option>' in form


@pytest.mark.parametrize("lang, said", [("zh-hans", "已是"), ("en", "already")])
def test_a_refused_request_shows_its_error_beside_the_field_and_keeps_the_reason(client, cast, yellow, lang, said):
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    r = client.post(reverse("codes:override", args=[cast.premises_a.pk]), {"level": "yellow", "reason": "走访核实"})
    assert r.status_code == 400
    html = r.content.decode()
    form = section(html, "override")
    error = re.search(r'<span class="field-error" id="override-error" role="alert">([^<]*)</span>', form)
    assert error and said in error.group(1), form
    assert 'aria-describedby="override-error"' in form and "走访核实</textarea>" in form
    assert said not in html[:html.index('id="override"')]  # not at the page top as well


def test_a_refused_correction_request_shows_its_error_beside_the_field(client, cast, yellow):
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = "zh-hans"
    r = client.post(reverse("codes:dispute", args=[cast.premises_a.pk]), {"text": "太短"})
    assert r.status_code == 400
    form = section(r.content.decode(), "dispute")
    assert 'id="dispute-error"' in form and "太短</textarea>" in form


def test_the_upheld_request_points_up_to_the_form(client, cast, yellow):
    d = services.dispute_open(premises=cast.premises_a, text="黄码人员已搬离，请核实", actor=cast.landlord_a)
    services.dispute_resolve(dispute=d, upheld=True, outcome="走访核实属实", actor=cast.officer_a)
    sign_in(client, cast.officer_a)
    for lang, word, wrong in (("zh-hans", "在上方申请等级调整", "在下方"),
                              ("en", "requested above", "requested below")):
        client.cookies["django_language"] = lang
        html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
        assert word in html and wrong not in html
        assert html.index('id="override"') < html.index(word)
