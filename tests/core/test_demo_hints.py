"""Every page a demo's closing hint names opens for the account it names (issue 11: the dispatch demo said
"open /dispatch/console/ and sign in as one of these accounts", listed demo_chief, and demo_chief got 403 on
/dispatch/terminal/). Each demo command runs as a user runs it; the accounts it suggests are created with the
command it prints; then each suggested account signs in (a police account declares a purpose, as the page flow
asks) and opens each page it is named for: 200, not a redirect to sign in or to another page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from pingan.core.demoguide import SERVE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


DEMOS = {
    "alerts": ["alerts", "demo", "--password", "Demo-pass-2026"],
    "dispatch": ["dispatch", "demo"],
    "citizen": ["citizen", "demo"],
    "evidence": ["evidence", "demo"],
    "antifraud": ["antifraud", "demo", "--hops", "2"],
    "screening": ["demo", "--people", "40"],
    "stats": ["stats", "demo", "--per-day", "1"],
}
SLOW = {"screening", "stats"}

VISIT = re.compile(rf"^ +- {re.escape(SERVE_URL)}(/\S*)  as (.+?): ", re.M)
CREATE = re.compile(r"user create (\S+) --role (\S+)(?: --unit (\S+))?(?: --display-name (\S+))?$", re.M)


def hints(text: str) -> list[tuple[str, list[str]]]:
    out = []
    for path, who in VISIT.findall(text):
        out.append((path, [] if who.startswith("anyone") else who.split(" or ")))
    return out


@pytest.mark.parametrize("demo", [pytest.param(d, marks=pytest.mark.slow) if d in SLOW else d for d in DEMOS])
def test_each_page_a_demo_names_opens_for_the_account_it_names(client, demo):
    from pingan.core.models import OrgUnit, User
    from pingan.core.services import user_create

    if demo == "dispatch":
        call_command("alerts", "demo", "--password", "Demo-pass-2026", stdout=io.StringIO())  # as docs/dispatch.md
    out = io.StringIO()
    call_command(*DEMOS[demo], stdout=out)
    text = out.getvalue()
    for username, role, unit, name in CREATE.findall(text):  # what a user does with the printed suggestion
        assert name, f"the suggestion for {username} gives no display name"
        user_create(username=username, password=None, role=role, display_name=name,
                    unit=OrgUnit.objects.get(code=unit) if unit else None)
    visits = hints(text)
    assert visits, text
    failures = []
    for path, accounts in visits:
        for username in accounts or [None]:
            client.logout()
            if username is not None:
                user = User.objects.get(username=username)
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                if user.role in ("officer", "station_chief", "analyst"):
                    session = client.session
                    session["purpose"] = "jurisdiction_management"
                    session.save()
            status = client.get(path).status_code
            if status != 200:
                failures.append((path, username, status))
    assert failures == [], text
