"""The time a suspended code is shown as suspended since (issue 11): the police queue said "suspended 00:11" —
when the review first opened, as a suspension later lifted by a new code (then a ``left_out`` review) — of a code
issued 00:12 and suspended 00:13. The queue, its decided list, the premises' police page and the API show the
current suspension's time: the suspended code's ``revoked_at``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from test_app_left_out import left_out, roster  # noqa: F401 - fixture
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes.models import CodeReview, SafetyCode

pytestmark = pytest.mark.usefixtures("isolated")


def _when(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def suspended_later(cast, left_out):  # noqa: F811 - fixture
    """The ``left_out`` review opened two hours ago; now a roster lowers the level and suspends the code."""
    rv, _red, _yellow = left_out
    opened = timezone.now() - dt.timedelta(hours=2)
    CodeReview.objects.filter(pk=rv.pk).update(created_at=opened)
    roster(cast.premises_a, ["green"])
    rv.refresh_from_db()
    assert (rv.status, rv.kind) == ("open", "suspension")
    code = SafetyCode.objects.filter(premises=cast.premises_a, revocation_reason="suspended").latest("revoked_at")
    assert rv.suspended_at is not None and abs(rv.suspended_at - code.revoked_at) < dt.timedelta(seconds=5)
    return rv, opened, code.revoked_at


def test_the_queue_and_the_premises_page_show_when_the_code_was_suspended(cast, client, suspended_later):
    rv, opened, revoked = suspended_later
    assert _when(opened) != _when(revoked)
    sign_in(client, cast.officer_a)
    for lang in ("en", "zh-hans"):
        queue = client.get(reverse("codes:police"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert _when(revoked) in queue and _when(opened) not in queue
        page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk]),
                          HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert _when(revoked) in page
    api = client.get("/api/v1/codes/reviews", {"status": "open"}, HTTP_X_PURPOSE="epidemic_screening").json()
    assert [(r["id"], r["suspended_at"] is not None) for r in api] == [(rv.pk, True)]


def test_a_suspension_lifted_by_a_new_code_and_suspended_again_shows_the_second(cast, client, suspended_later):
    rv, _opened, first = suspended_later
    roster(cast.premises_a, ["red"])  # a red roster: the code is issued again, people still left out
    rv.refresh_from_db()
    assert (rv.status, rv.kind, rv.suspended_at) == ("open", "left_out", None)
    CodeReview.objects.filter(pk=rv.pk).update(created_at=first - dt.timedelta(hours=1))
    SafetyCode.objects.filter(premises=cast.premises_a, revocation_reason="suspended").update(
        revoked_at=first - dt.timedelta(hours=1))  # the first suspension, an hour before
    roster(cast.premises_a, ["green"])
    rv.refresh_from_db()
    assert rv.kind == "suspension"
    sign_in(client, cast.officer_a)
    queue = client.get(reverse("codes:police"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"suspended {_when(rv.suspended_at)}" in queue
    assert _when(first - dt.timedelta(hours=1)) not in queue


@pytest.mark.parametrize(("language", "said", "wrong"), [
    ("en", "is suspended until the police check the new roster", "has already been revoked"),
    ("zh-hans", "已暂停，待民警核查", "已经撤销")])
def test_revoking_a_suspended_code_says_it_is_suspended_and_what_to_do(cast, suspended_later, language, said, wrong):
    """Fresh-user trial: ``pingan code revoke <id> --reason error`` on a suspended code printed "已经撤销"."""
    from django.core.management import CommandError
    from django.utils import translation
    from test_app_support import run_code_command

    code = SafetyCode.objects.filter(premises=cast.premises_a, revocation_reason="suspended").latest("revoked_at")
    with translation.override(language), pytest.raises(CommandError) as err:
        run_code_command("revoke", code.code_id, "--reason", "error")
    assert said in str(err.value) and wrong not in str(err.value) and cast.premises_a.name in str(err.value)
    code.refresh_from_db()
    assert code.revocation_reason == "suspended"
