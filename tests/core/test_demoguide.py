"""After a demo, every demo command says the same things: how to start the site and the URL to open, each
demo account with its role, unit and password (or how to set one), how to add another role, what to try."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pingan.core.demoguide import SERVE_URL, Suggest, Visit, cli, guide

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


def written(**kw) -> str:
    out: list[str] = []
    guide(out.append, **kw)
    return "\n".join(out)


def test_it_names_each_account_with_its_password_or_how_to_set_one(cast):
    from pingan.core.services import user_create

    user_create(username="nopass", password=None, role="landlord", display_name="x")
    text = written(visits=[Visit("/screening/", ("landlord_a",), "look"), Visit("/stats/", ("demo_analyst",), "x")],
                   accounts=["landlord_a", "officer_a", "nopass", "ghost"],
                   passwords={"officer_a": "s3cret-once"}, serve_env="PINGAN_SCREENING_AS_OF=2022-08-20",
                   suggest=[Suggest("officer", "350203-LQ"), Suggest("analyst", "350200", "demo_analyst")],
                   tries=["look at the results"])
    pingan = cli()
    assert f"PINGAN_SCREENING_AS_OF=2022-08-20 {pingan} serve" in text and f"{SERVE_URL}/screening/" in text
    assert "officer_a" in text and "password: s3cret-once" in text and cast.unit_a.label in text
    # the role and unit by name, not their codes beside them (issue 11: "demo_landlord  landlord（房东）")
    assert "landlord (landlord)" not in text and f"({cast.unit_a.code})" not in text
    assert "landlord_a" in text and "set earlier" in text
    assert "nopass" in text and f"no password yet: {pingan} changepassword nopass" in text
    assert "ghost" not in text
    # officer exists among the accounts: only the analyst is suggested
    assert f"{pingan} user create demo_analyst --role analyst --unit 350200" in text and "--role officer" not in text
    assert "- look at the results" in text
    assert f"- {SERVE_URL}/screening/  as landlord_a: look" in text and f"{SERVE_URL}/stats/  as demo_analyst" in text
    with pytest.raises(ValueError, match="ghost"):  # a page hint for an account that neither exists nor is suggested
        written(visits=[Visit("/x/", ("ghost",), "x")], accounts=["landlord_a"])


@pytest.mark.parametrize("command", [["citizen", "demo"], ["evidence", "demo"]])
def test_demo_commands_end_with_the_guide(command, db):
    out = io.StringIO()
    call_command(*command, stdout=out)
    text = out.getvalue()
    assert "Next: try it in the browser" in text and SERVE_URL in text and "open each page as the account" in text
    assert "(shown once)" in text  # the accounts the demo just made, with their passwords


def _script(path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_the_command_is_printed_as_it_must_be_typed(tmp_path, monkeypatch):
    """A user who installed with the README's command (``python -m venv .venv; .venv/bin/pip install …``) has
    ``.venv/bin/pingan``, not ``pingan`` on PATH: every demo's closing hint said ``pingan serve``."""
    import sys

    script = _script(tmp_path / ".venv" / "bin" / "pingan")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [script, "alerts", "demo"])
    assert cli() == ".venv/bin/pingan"
    out: list[str] = []
    guide(out.append, visits=[Visit("/alerts/", ("demo_officer",), "x")], suggest=[Suggest("officer", "350203-LQ")])
    assert "  1. start the site:  .venv/bin/pingan serve" in out
    assert ("       .venv/bin/pingan user create demo_officer --role officer --unit 350203-LQ --display-name 陈志强"
            in out)
    # an activated venv (its bin first on PATH): the bare name
    monkeypatch.setenv("PATH", f"{tmp_path / '.venv' / 'bin'}:/usr/bin:/bin")
    assert cli() == "pingan"
    # started elsewhere: the absolute path
    elsewhere = tmp_path / "x"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cli() == script
    # python -m pingan.cli: the script beside the interpreter
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "src" / "pingan" / "cli.py")])
    monkeypatch.setattr(sys, "executable", str(tmp_path / ".venv" / "bin" / "python"))
    assert cli() == ".venv/bin/pingan"


def test_the_alerts_demo_prints_a_summary_and_json_on_request(db, tmp_path, monkeypatch):
    """``pingan alerts demo`` printed a JSON line: now what was created, the accounts with their password, how
    to raise alerts and open the terminal; ``--json`` keeps the machine-readable form."""
    import json
    import sys

    script = _script(tmp_path / ".venv" / "bin" / "pingan")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [script, "alerts", "demo"])
    out = io.StringIO()
    call_command("alerts", "demo", "--password", "Demo-pass-2026", stdout=out)
    text = out.getvalue()
    assert not text.lstrip().startswith("{") and "Xiamen alerts demo" in text
    # the units by their English names, listed the English way (issue 11)
    assert "jurisdiction boundaries: 6 loaded" in text and "Siming District Branch, " in text and "、" not in text
    assert "35020301001340000003  莲前一键报警柱 (one-key SOS alarm post) → Lianqian Police Station" in text
    assert "demo_officer" in text and "demo_chief" in text and text.count("password: Demo-pass-2026  (shown once)") == 2
    assert "mosquitto_pub -q 1 -t pingan/v1/devices/35020301001340000003/events" in text
    assert ".venv/bin/pingan serve" in text
    assert f"{SERVE_URL}/alerts/" in text and "pingan serve" not in text.replace(".venv/bin/pingan serve", "")
    again = io.StringIO()
    call_command("alerts", "demo", "--json", stdout=again)
    data = json.loads(again.getvalue())
    assert data["jurisdictions"] == 6 and data["devices"] == 7 and data["accounts"] == []  # created before
    from pingan.core.models import User

    assert User.objects.get(username="demo_officer").check_password("Demo-pass-2026")
    assert User.objects.get(username="demo_chief").role == "station_chief"
