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
