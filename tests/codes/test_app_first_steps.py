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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_step_links_to_where_it_is_done(client, cast, language):
    """Issue 11's re-check: step 4, "Put up the safety code", said to print the door poster with no way to it;
    each step now links to its page — the code page (its poster) of the premises, or of each premises."""
    import re

    from pingan.core.models import Premises

    Premises.objects.filter(owner=cast.landlord_a).exclude(pk=cast.premises_a.pk).delete()
    html = home(client, cast.landlord_a, language)
    start = html.index('id="first-steps"')
    steps = re.findall(r"<li\b.*?</li>", html[start:html.index("</section>", start)], re.S)
    assert len(steps) == 4
    for step in steps[1:]:  # the premises is registered: each step still to take has its link
        assert "<a " in step, step
    assert f'href="/codes/premises/{cast.premises_a.pk}/"' in steps[3]
    second = Premises.objects.create(owner=cast.landlord_a, name="第二处", kind="rental", address="莲前东路9号",
                                     adcode=cast.premises_a.adcode, unit=cast.premises_a.unit)
    html = home(client, cast.landlord_a, language)
    start = html.index('id="first-steps"')
    last = re.findall(r"<li\b.*?</li>", html[start:html.index("</section>", start)], re.S)[3]
    for p in (cast.premises_a, second):
        assert f'href="/codes/premises/{p.pk}/"' in last and p.label in last
