"""The demonstration case from the bundled AMLSim sample, and the ``pingan antifraud`` command."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from pingan.antifraud import services
from pingan.antifraud.demo import account_no, demo_case

pytestmark = pytest.mark.django_db


def test_the_demo_case_imports_statements_that_trace_to_holders(cast):
    case = demo_case(hops=2, max_statements=12)
    assert 2 <= len(case.statements) <= 12
    assert all(not s.rejections and not s.gaps for s in case.statements)
    from pingan.core.models import User

    officer = User.objects.get(username=case.officer)
    run = services.trace_run(actor=officer, report=case.report)
    assert run.result["conserved"] and (run.result["holdings"] or run.result["next_queries"])
    first = case.report.transfers.get().to_account
    assert first.startswith("62220200") and first != account_no(0)


def test_the_amlsim_command_prints_the_table(capsys):
    call_command("antifraud", "amlsim", "--hops", "2")
    out = capsys.readouterr().out
    assert "| fan_in | fifo | 122 | 223 |" in out


def test_the_demo_gives_its_accounts_a_password_and_prints_it_once(cast, monkeypatch):
    """Issue 11's trial: the anti-fraud demo left fz_demo_officer and fz_demo_chief without a password (the guide said
    "no password yet") where the alerts, citizen and evidence demos set one and print it. Now it sets ``--password``
    (the same default) on the accounts it creates, or finds without one, and the guide shows it once."""
    import io

    from django.utils import translation

    from pingan.antifraud import demo
    from pingan.core.demoguide import DEMO_PASSWORD
    from pingan.core.models import User

    for name in ("fz_demo_officer", "fz_demo_chief"):
        User.objects.filter(username=name).first() and User.objects.filter(username=name).update(password="!")
    case = demo_case(hops=2, max_statements=2)
    assert case.passwords == {"fz_demo_officer": DEMO_PASSWORD, "fz_demo_chief": DEMO_PASSWORD}
    for name in case.passwords:
        assert User.objects.get(username=name).check_password(DEMO_PASSWORD), name
    User.objects.filter(username="fz_demo_chief").update(password="!")  # an account made without one
    again = demo_case(hops=2, max_statements=2, password="another-secret-9")
    assert again.passwords == {"fz_demo_chief": "another-secret-9"}
    assert User.objects.get(username="fz_demo_officer").check_password(DEMO_PASSWORD)  # kept
    asked = {}

    def the_case(**kwargs):
        asked.update(kwargs)
        return again

    monkeypatch.setattr(demo, "demo_case", the_case)
    out = io.StringIO()
    with translation.override("en"):
        call_command("antifraud", "demo", "--hops", "2", "--password", "another-secret-9", stdout=out)
    text = out.getvalue()
    assert asked["password"] == "another-secret-9"
    assert "password: another-secret-9  (shown once)" in text and "no password yet" not in text, text
