"""A yellow code from a roster none of whose rows could be screened (issue 11's re-check: the code card, the
poster and the verification said "covers 0 people"). The rule's answer stays yellow — each row not screened
counts as unresolved —; what is said is that no one on the roster could be screened, and, to the owner and
the police on the pages, what to do: correct the rows and upload the roster again."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from test_app_support import isolated, run_code_command, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services

pytestmark = pytest.mark.usefixtures("isolated")

NOBODY = {"zh-hans": "名单中无人能完成筛查", "en": "no one on the roster could be screened"}
ZERO = {"zh-hans": ("覆盖 0 人", "覆盖人数：0"), "en": ("covers 0 people", "covering 0 people", "Covers 0 people")}


@pytest.fixture
def code(cast):
    job = screened(cast.premises_a, [], rejected=3)
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert code.level == "yellow" and code.people == 0  # the rule's answer: unresolved rows make it yellow
    return job, code


def page(client, user, url: str, language: str) -> str:
    sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def card(html: str) -> str:
    start = html.index('id="safety-code"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_code_card_says_no_one_could_be_screened_and_what_to_do(client, cast, code, language):
    job, _code = code
    for url in (reverse("codes:premises", args=[cast.premises_a.pk]), reverse("screening:job", args=[job.pk]),
                reverse("screening:home")):
        html = page(client, cast.landlord_a, url, language)
        said = card(html) if 'id="safety-code"' in html else html
        if url == reverse("screening:home"):
            continue  # the list names the code's level only
        assert NOBODY[language] in said.lower() if language == "en" else NOBODY[language] in said, url
        assert not any(z in said for z in ZERO[language]), url
        nobody = said[said.index('id="code-nobody"'):]
        nobody = nobody[:nobody.index("</p>")]
        assert f'href="/screening/jobs/{job.pk}/#rejected"' in nobody  # where the rows to fix are
        assert ("上传" if language == "zh-hans" else "upload") in nobody
    police = page(client, cast.officer_a, reverse("dashboard:premises", args=[cast.premises_a.pk]), language)
    said = card(police)
    assert not any(z in said for z in ZERO[language])
    assert ("业主" if language == "zh-hans" else "the owner") in said[said.index('id="code-nobody"'):]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_job_pages_own_code_says_it_too(client, cast, code, language):
    # the code is no longer the premises' live one (revoked): the screening's page says what its code was
    job, issued = code
    services.safety_code_revoke(code=issued, reason="error", actor=cast.officer_a)
    html = page(client, cast.landlord_a, reverse("screening:job", args=[job.pk]), language)
    own = html[html.index('id="this-screening-code"'):]
    own = own[:own.index("</section>")]
    assert NOBODY[language] in own and not any(z in own for z in ZERO[language]), own


def test_the_poster_says_no_one_could_be_screened(client, cast, code, tmp_path):
    for language, said, zero in (("zh-hans", "名单中无人能完成筛查", "覆盖人数：0"),
                                 ("en", "No one on the roster could be screened", "Covers 0 people")):
        sign_in(client, cast.landlord_a)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pdf = client.get(reverse("codes:poster", args=[cast.premises_a.pk])).content
        path = tmp_path / f"poster-{language}.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert said in text and zero not in text, text


def test_the_verification_page_and_the_command_line_say_it(client, cast, code):
    html = client.get(reverse("codes:verify")).content.decode()
    # the script's words in every language carry the sentence for a code of nobody, and the script picks it
    texts = json.loads(re.search(r'<script[^>]*id="verify-texts"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert NOBODY["zh-hans"] in texts["zh-hans"]["valid_none"] and NOBODY["en"] in texts["en"]["valid_none"]
    assert "r.code.people === 0 ? T.valid_none" in html
    _job, issued = code
    from django.utils import translation

    with translation.override("en"):
        out = run_code_command("verify", issued.token)
    assert NOBODY["en"] in out and "0 people" not in out
    with translation.override("zh-hans"):
        out = run_code_command("verify", issued.token)
    assert NOBODY["zh-hans"] in out and "覆盖 0 人" not in out
