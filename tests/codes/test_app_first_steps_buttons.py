"""The landlord's home gives each first step's button once (issue 11, fresh-user trial: the steps card was
followed by a second row repeating 登记场所 and 下载名单模板); once the code is up, the row gives them all."""

from __future__ import annotations

import pytest
from test_app_first_steps import home
from test_app_support import isolated, screened  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("isolated")

LINKS = ('href="/screening/premises/new/"', 'href="/screening/template.xlsx"', 'href="/screening/upload/"')


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_first_step_button_is_offered_twice(client, cast, language):
    from pingan.codes import services as codes
    from pingan.core.models import Premises
    from pingan.core.services import user_create

    new = user_create(username="new_landlord", password="correct horse battery staple", role="landlord")
    html = home(client, new, language)
    assert 'id="first-steps"' in html
    assert [html.count(link) for link in LINKS] == [1, 1, 0]  # nothing to upload for yet
    Premises.objects.filter(owner=cast.landlord_a).exclude(pk=cast.premises_a.pk).delete()
    html = home(client, cast.landlord_a, language)
    assert 'id="first-steps"' in html
    # the card has the upload and the template; below it, only a second premises to register
    assert [html.count(link) for link in LINKS] == [1, 1, 1]
    assert ("再登记一处场所" if language == "zh-hans" else "Register another premises") in html
    screened(cast.premises_a, ["green"])
    codes.safety_code_issue(premises=cast.premises_a, actor=None)
    html = home(client, cast.landlord_a, language)
    assert 'id="first-steps"' not in html and all(html.count(link) == 1 for link in LINKS[:2])
