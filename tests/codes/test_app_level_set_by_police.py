"""A code whose level a police station set by an approved level change says so beside the rule (issue 11,
fresh-user trial: the poster and /verify/ showed 黄码 beside the printed rule "…否则为绿码" for a screening all
green), and the code's cause is said without brackets inside brackets ("(level set by an approved level change
(requested on …))")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from test_app_poster_language import downloaded, pdftotext
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services

pytestmark = pytest.mark.usefixtures("isolated")

POSTER = {"zh-hans": "经批准的等级调整确定，不依上述规则", "en": "through an approved level change, not by the rule"}


@pytest.fixture
def overridden(cast):
    screened(cast.premises_a, ["green", "green"])
    services.safety_code_issue(premises=cast.premises_a, actor=None)
    ov = services.level_override_request(premises=cast.premises_a, level="yellow", reason="走访发现未登记人员",
                                         actor=cast.officer_a)
    services.level_override_approve(override=ov, actor=cast.chief_a)
    code = services.current_code(cast.premises_a)
    assert code.level == "yellow" and code.cause["code"] == "code_cause.override"
    return code


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_poster_says_the_station_set_the_level(client, cast, overridden, lang, tmp_path):
    text = " ".join(pdftotext(downloaded(client, cast, lang), tmp_path).split())
    assert POSTER[lang].replace(" ", "") in text.replace(" ", ""), text


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_poster_under_the_rule_says_nothing_of_it(client, cast, lang, tmp_path):
    screened(cast.premises_a, ["green", "yellow"])
    services.safety_code_issue(premises=cast.premises_a, actor=None)
    text = " ".join(pdftotext(downloaded(client, cast, lang), tmp_path).split())
    assert POSTER[lang].replace(" ", "") not in text.replace(" ", "")


@pytest.mark.parametrize("lang, said", [("zh-hans", "此时等级由派出所确定，不依上述规则"),
                                        ("en", "the level is then the station")])
def test_the_verification_page_says_a_station_may_set_the_level(client, db, lang, said):
    client.cookies["django_language"] = lang
    html = client.get(reverse("codes:verify")).content.decode()
    rule = html[html.index('class="rule"'):html.index("</div>", html.index('class="rule"'))]
    assert said in rule


def test_the_cause_has_no_brackets_in_brackets(cast, overridden):
    from pingan.core.texts import render

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            said = render(overridden.cause)
        assert said.count("(") + said.count("（") <= 0, said
        assert ("派出所" if lang == "zh-hans" else "police station") in said
