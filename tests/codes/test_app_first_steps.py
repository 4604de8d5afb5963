"""The landlord's home shows the first steps (register → upload the roster → the code) until the premises has a
live code (issue 11 trial: a newly confirmed landlord, whose sign-up registered the premises, saw none — the
"has a live code" test held for a premises with no code at all)."""

from __future__ import annotations

import pytest
from test_app_support import isolated, screened  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("isolated")


def home(client, user, language: str) -> str:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    return client.get("/screening/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_newly_confirmed_landlord_sees_the_first_steps_until_the_code(client, cast, language):
    from pingan.codes import services as codes
    from pingan.core import services
    from pingan.screening.selectors import premises_with_latest

    reg = services.registration_submit(
        username="shenyun", password="lianqian rooms 2026", role="landlord", display_name="沈云",
        phone="13800001234", premises_name="莲前东路8号出租屋", address="思明区莲前东路8号", room="3单元502室",
        adcode="350203010", client_addr="127.0.0.9")
    services.registration_approve(registration=reg, actor=cast.officer_a, note="")
    landlord = type(cast.landlord_a).objects.get(username="shenyun")
    assert [p.has_code for p in premises_with_latest(actor=landlord)] == [False]
    html = home(client, landlord, language)
    assert 'id="first-steps"' in html
    steps = html[html.index('id="first-steps"'):html.index("</section>", html.index('id="first-steps"'))]
    assert steps.count('class="done"') == 1  # the premises is registered; roster and code to come
    assert ("上传名单" if language == "zh-hans" else "Upload a roster") in steps
    premises = landlord.premises.get()
    screened(premises, ["green"])
    codes.safety_code_issue(premises=premises, actor=None)
    assert 'id="first-steps"' not in home(client, landlord, language)  # done: the code is there
