"""Anti-fraud fixtures: centre staff (an officer and a chief of 350200-FZ) beside the shared cast, and a
small case: a victim pays a mule account, which pays two more accounts and withdraws cash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from antifraud_support import MULE, SECOND, T0, THIRD, VICTIM_ACCT, statement_csv


@dataclass
class Centre:
    officer: object
    chief: object
    chief2: object
    unit: object


@pytest.fixture
def centre(cast) -> Centre:
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    unit = OrgUnit.objects.get(code="350200-FZ")
    mk = lambda name, role: user_create(username=name, password="correct horse battery staple", role=role,  # noqa: E731
                                        unit=unit, display_name=name)
    return Centre(mk("fz_officer", "officer"), mk("fz_chief", "station_chief"), mk("fz_chief2", "station_chief"),
                  unit)


@pytest.fixture
def case(centre):
    """A report with one victim transfer of 50,000 yuan to MULE and MULE's statement."""
    from pingan.antifraud import services

    report = services.report_create(
        actor=centre.officer, victim_name="王某", victim_phone="13800000001", reported_at=T0 + dt.timedelta(hours=5),
        fraud_type="fake_investment", loss_cents=5_000_000,
        transfers=[{"at": T0, "amount_cents": 5_000_000, "to_account": MULE, "from_account": VICTIM_ACCT,
                    "to_name": "李某"}],
        identifiers=[{"kind": "phone", "value": "+86 139 0000 0002"}, {"kind": "domain", "value": "https://Invest-Bad.example/x"}])
    # MULE (opening 1,000.00): receives 50,000 from the victim, pays 30,000 to SECOND, 15,000 to THIRD,
    # 2,000 in cash; 4,000 stays.
    data = statement_csv([
        ("M1", "2026-03-02 17:00:00", "贷", "50,000.00", "51,000.00", VICTIM_ACCT, "王某", "建设银行", "转账"),
        ("M2", "2026-03-02 17:10:00", "借", "30,000.00", "21,000.00", SECOND, "张某", "农业银行", "转账"),
        ("M3", "2026-03-02 17:20:00", "借", "15,000.00", "6,000.00", THIRD, "赵某", "招商银行", "转账"),
        ("M4", "2026-03-02 18:00:00", "借", "2,000.00", "4,000.00", "", "", "", "ATM取现"),
    ])
    stmt = services.statement_import(actor=centre.officer, report=report, data=data, filename="mule.csv",
                                     account=MULE, bank="工商银行")
    return report, stmt


@pytest.fixture(autouse=True)
def _purpose_of_use():
    """Service and selector tests act as a signed-in police user who declared a purpose (as the page flow
    and API tokens do); the web tests declare theirs through the session and the tokens."""
    from pingan.core import audit

    token = audit.set_context(audit.AuditContext(purpose="case_investigation"))
    yield
    audit.reset_context(token)
