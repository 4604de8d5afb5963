"""The owner's list of issued codes says what a person can use — issued when, which level, valid until, whether
it is the code on the door, and why an old one ended — in the reader's language, never the code's internal id
(issue 11 trial: "红码 · 2026-12-07 06:44 → 2026-12-14 06:44 · e2c5917b5edff8aa")."""

from __future__ import annotations

import pytest
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services

pytestmark = pytest.mark.usefixtures("isolated")

WORDS = {"zh-hans": ("签发于", "当前有效的平安码", "起失效：已按新的筛查重新签发。"),
         "en": ("issued ", "The current code: the one on the door poster.", ": replaced after a new screening.")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_code_history_says_when_which_level_and_why_it_ended(client, cast, language):
    screened(cast.premises_a, ["green"])
    old = services.safety_code_issue(premises=cast.premises_a, actor=None)
    screened(cast.premises_a, ["yellow"])
    new = services.safety_code_issue(premises=cast.premises_a, actor=None)
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = language
    html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
    history = html[html.index('id="code-history"'):html.index("</ul>", html.index('id="code-history"'))]
    assert old.code_id not in history and new.code_id not in history
    issued, current, ended = WORDS[language]
    items = history.split("<li")[1:]
    assert len(items) == 2 and 'data-code-status="current"' in items[0] and current in items[0]
    assert issued in items[1] and ended in items[1] and 'data-code-status="revoked"' in items[1]
    assert "/screening/jobs/" in items[0]  # the screening it came from, to open
