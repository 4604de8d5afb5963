"""The code pages after ``pingan demo`` and after a revoke, as a new user met them (issue 11): the demo issued
a second code for its one screening, so /codes/premises/N/ told the landlord to replace a poster nobody had
printed and listed a code "revoked (replaced after a new screening)"; the level-change form was offered with
no current code and then refused; the card said "From the screening of …" and again "issued automatically
from the screening of …"."""

from __future__ import annotations

import io
import re

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode

pytestmark = pytest.mark.usefixtures("isolated")

LANGUAGES = ("zh-hans", "en")


def page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    return text[text.find("<main"):]


def label(job, language: str) -> str:
    with translation.override(language):
        return job.label


def card(text: str) -> str:
    return re.search(r'<section class="card safety-code".*?</section>', text, re.S).group(0)


@pytest.fixture
def risk(db, tmp_path):
    return import_risk(tmp_path)


def test_the_demo_issues_one_code_for_its_one_screening_and_no_old_poster_notice(db, client):
    out = io.StringIO()
    call_command("demo", "--people", "40", stdout=out)
    from pingan.core.models import OrgUnit, Premises

    # the organisation line's parts add up to its units (the trial read "22 个单位（市局、6 个分局、9 个派出所）")
    line = next(x for x in out.getvalue().splitlines() if x.startswith("演示机构："))
    units, *parts = (int(n) for n in re.findall(r"\d+", line))
    assert units == OrgUnit.objects.count() == 1 + sum(parts), line

    premises = Premises.objects.get(name="莲前东路演示出租屋")
    codes = list(SafetyCode.objects.filter(premises=premises))
    assert len(codes) == 1 and codes[0].revoked_at is None, [(c.code_id, c.revocation_reason) for c in codes]
    sign_in(client, premises.owner)
    for language in LANGUAGES:
        text = page(client, reverse("codes:premises", args=[premises.pk]), language)
        assert 'id="old-poster"' not in text
        history = text[text.rfind("<h2"):]
        history = history[:history.find("</ul>")]
        # one entry, the current code — said by its dates and level, not its internal id (issue 11)
        assert history.count("<li") == 1 and 'data-code-status="current"' in history
        assert codes[0].code_id not in history
        assert "revoked" not in history and "撤销" not in history


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_level_change_form_is_offered_only_with_a_current_code(cast, risk, client, language):
    run(cast.premises_a, TENANTS[:3])
    url = reverse("codes:premises", args=[cast.premises_a.pk])
    sign_in(client, cast.officer_a)
    text = page(client, url, language)
    assert reverse("codes:override", args=[cast.premises_a.pk]) in text and 'class="muted no-override"' not in text
    services.safety_code_revoke(code=services.current_code(cast.premises_a), reason="error", actor=cast.officer_a)
    text = page(client, url, language)
    section = re.search(r'<section class="card" id="override">.*?</section>', text, re.S).group(0)
    assert reverse("codes:override", args=[cast.premises_a.pk]) not in section and "<form" not in section
    said = re.sub(r"<[^>]+>", " ", section)
    assert ("没有" in said and "调整" in said) if language == "zh-hans" else "has none now" in said


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_card_names_the_screening_behind_the_code_once(cast, risk, client, language):
    first = run(cast.premises_a, TENANTS[:3])
    sign_in(client, cast.landlord_a)
    url = reverse("codes:premises", args=[cast.premises_a.pk])
    said = re.sub(r"<[^>]+>", " ", card(page(client, url, language)))
    assert said.count(label(first, language)) == 1, said
    assert ("自动" not in said) if language == "zh-hans" else ("automatically" not in said and "From the" in said)
    # a new screening replaces the code: the old-poster notice names it, the card does not say it again
    second = run(cast.premises_a, [*TENANTS[:3], ("张伟", RED_ID)])
    said = re.sub(r"<[^>]+>", " ", card(page(client, url, language)))
    assert 'id="old-poster"' in card(page(client, url, language))
    assert said.count(label(second, language)) == 1, said
