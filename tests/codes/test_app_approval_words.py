"""What an open level change (four-eyes) says to each role (issue 11): an officer was told "需另一名所长审批"
(needs another station chief's approval), which is no step of theirs. The officer and the analyst hear who
decides next (the station chief of the premises' unit); the chief who asked hears that another chief decides;
only a chief who may decide sees Approve and Reject — the service's own rule (``may_decide_override``)."""

from __future__ import annotations

import pytest
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import LevelOverride

pytestmark = pytest.mark.usefixtures("isolated")

WORDS = {
    "zh-hans": {"waiting": "等待莲前派出所所长批准或驳回",
                "own": "此申请由您提出，须由莲前派出所的另一名所长批准或驳回",
                "sent": "等级调整申请已提交。由莲前派出所所长批准或驳回", "old": "需另一名所长审批",
                "next": "由莲前派出所所长批准或驳回；所长决定前，平安码保持不变"},
    "en": {"waiting": "Waiting for the station chief of Lianqian Police Station to approve or reject it",
           "own": "You asked for it, so another station chief of Lianqian Police Station approves or rejects it",
           "sent": "Level change requested. The station chief of Lianqian Police Station approves or rejects it",
           "old": "Needs the approval of another station chief",
           "next": "The station chief of Lianqian Police Station approves or rejects it; the code stays as it is"},
}


@pytest.fixture
def issued(cast):
    screened(cast.premises_a, ["green", "yellow"])
    return services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)


def _queue(client, user, lang: str) -> str:
    sign_in(client, user)
    client.cookies["django_language"] = lang
    response = client.get("/codes/police/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_each_role_is_told_what_happens_next(client, cast, people, issued, lang):
    words = WORDS[lang]
    client.cookies["django_language"] = lang
    sign_in(client, cast.officer_a)
    html = client.post(f"/codes/premises/{cast.premises_a.pk}/override/", {"level": "red", "reason": "现场核查"},
                       follow=True).content.decode()
    assert words["sent"] in html and words["old"] not in html
    ov = LevelOverride.objects.get(premises=cast.premises_a)
    for user, says in ((cast.officer_a, words["next"]), (cast.analyst, words["waiting"])):
        html = _queue(client, user, lang)  # the officer who asked; the bureau's analyst
        assert says in html and words["old"] not in html, user.username
        assert f"/codes/overrides/{ov.pk}/approve/" not in html, user.username
    html = _queue(client, cast.chief_a, lang)  # may decide: the buttons, no waiting text
    assert f"/codes/overrides/{ov.pk}/approve/" in html and words["waiting"] not in html
    page = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
    assert f"#override-{ov.pk}" in page


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_chief_who_asked_hears_another_chief_decides(client, cast, issued, lang):
    services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=cast.chief_a)
    html = _queue(client, cast.chief_a, lang)
    assert WORDS[lang]["own"] in html and "/approve/" not in html


def test_showing_and_deciding_follow_one_rule(cast, people, issued):
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=cast.officer_a)
    for name, user in people.items():
        assert services.may_decide_override(ov, user) == (name == "chief_a"), name
