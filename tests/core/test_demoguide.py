"""After a demo, every demo command says the same things: how to start the site and the URL to open, each
demo account with its role, unit and password (or how to set one), how to add another role, what to try."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pingan.core.demoguide import SERVE_URL, Suggest, guide

pytestmark = pytest.mark.django_db


def written(**kw) -> str:
    out: list[str] = []
    guide(out.append, **kw)
    return "\n".join(out)


def test_it_names_each_account_with_its_password_or_how_to_set_one(cast):
    from pingan.core.services import user_create

    user_create(username="nopass", password=None, role="landlord", display_name="x")
    text = written(start="/screening/", accounts=["landlord_a", "officer_a", "nopass", "ghost"],
                   passwords={"officer_a": "s3cret-once"}, serve_env="PINGAN_SCREENING_AS_OF=2022-08-20",
                   suggest=[Suggest("officer", "350203-LQ"), Suggest("analyst", "350200", "demo_analyst")],
                   tries=["look at the results"])
    assert "PINGAN_SCREENING_AS_OF=2022-08-20 pingan serve" in text and f"{SERVE_URL}/screening/" in text
    assert "officer_a" in text and "password: s3cret-once" in text and cast.unit_a.code in text
    assert "landlord_a" in text and "set earlier" in text
    assert "nopass" in text and "no password yet: pingan changepassword nopass" in text
    assert "ghost" not in text
    # officer exists among the accounts: only the analyst is suggested
    assert "pingan user create demo_analyst --role analyst --unit 350200" in text and "--role officer" not in text
    assert "- look at the results" in text


@pytest.mark.parametrize("command", [["citizen", "demo"], ["evidence", "demo"]])
def test_demo_commands_end_with_the_guide(command, db):
    out = io.StringIO()
    call_command(*command, stdout=out)
    text = out.getvalue()
    assert "Next: try it in the browser" in text and SERVE_URL in text and "things to try:" in text
    assert "(shown once)" in text  # the accounts the demo just made, with their passwords
