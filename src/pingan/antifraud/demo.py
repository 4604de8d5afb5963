"""A demonstration case built from the bundled AMLSim sample (``pingan antifraud demo``).

One fan-in laundering pattern of the sample becomes a fraud case: its first origin account plays the
victim's bank, its first pattern transfer the victim's transfer; every account the money can reach in
``hops`` hops gets a bank statement (CSV, GBK, the usual Chinese headers, balances from the simulated
opening balance), imported through the same service an analyst uses. Account numbers are made up from
the node ids (``62220200`` + 8 digits); names are synthetic (Faker zh_CN). Times: simulation step ``s`` is
the day ``2026-01-01 + s`` at 10:00 + the transfer's position in the day (seconds), Beijing time. Amounts
are the sample's × 1,000 (yuan), so that a case looks like one (the sample's values are 2–600 units).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from pingan.antifraud import amlsim, services
from pingan.antifraud.models import FraudReport, Statement
from pingan.antifraud.trace import Seed, trace_poison
from pingan.core.demoguide import DEMO_PASSWORD
from pingan.core.models import OrgUnit
from pingan.core.services import user_create

BJ = dt.timezone(dt.timedelta(hours=8))
EPOCH = dt.datetime(2026, 1, 1, 10, 0, tzinfo=BJ)
SCALE = 1000
#: The texts the demo seeds, stored in Chinese as the demo's data (bank statements name banks so), and each said in
#: the reader's language by the pages (``{{ x|seeded }}``; issue 11: Chinese on English pages).
DEMO_NARRATIVE = "演示案件：由 IBM AMLSim 样本中的一个扇入（fan-in）洗钱模式生成。"
DEMO_BANK = "演示银行"
SEEDED_TEXTS = {
    DEMO_NARRATIVE: gettext_lazy("Demo case: made from one fan-in money-laundering pattern of the IBM AMLSim sample."),
    DEMO_BANK: gettext_lazy("Demo Bank"),
}


def account_no(node: int) -> str:
    return f"62220200{node:08d}"


@dataclass
class DemoCase:
    report: FraudReport
    statements: list[Statement]
    officer: str
    chief: str
    #: the passwords this run set (accounts it created, or found with none), by user name: shown once
    passwords: dict[str, str] = field(default_factory=dict)


#: The demo accounts' display names (synthetic): pages showed "fz_demo_officer", the user name, as the name.
DEMO_NAMES = {"fz_demo_officer": "郑海涛", "fz_demo_chief": "许国平"}


def _user(username: str, role: str, unit: OrgUnit, password: str, passwords: dict[str, str]):
    """The demo account ``username``: created with ``password``, or the existing one — given ``password`` when it
    has none (earlier demos made these accounts without one); ``passwords`` gets each password set."""
    from pingan.core.models import User
    from pingan.core.services import user_set_display_name, user_set_password

    existing = User.objects.filter(username=username).first()
    if existing is None:
        passwords[username] = password
        return user_create(username=username, password=password, role=role, unit=unit,
                           display_name=DEMO_NAMES[username])
    if existing.display_name in ("", username):  # named after its login by earlier demos
        user_set_display_name(user=existing, display_name=DEMO_NAMES[username])
    if not existing.has_usable_password():
        passwords[username] = password
        user_set_password(user=existing, password=password)
    return existing


def demo_case(*, hops: int = 3, pattern: int = 0, max_statements: int = 40,
              password: str = DEMO_PASSWORD) -> DemoCase:
    """Create the demo case (users ``fz_demo_officer`` and ``fz_demo_chief`` of the anti-fraud centre, given
    ``password`` when the demo creates them or finds them without one, as the other demos do; the case's
    ``passwords`` says which). Loads the demo organisation when the centre unit is
    missing and the configured centre is the demo's; raises ``LookupError`` when it is still missing."""
    from faker import Faker

    from pingan.antifraud import access
    from pingan.antifraud.statements import statement_csv

    centre = access.centre_unit()
    if centre is None and access.centre_code() == "350200-FZ":
        from pingan.core.reference import demo_org_load

        demo_org_load()
        centre = access.centre_unit()
    if centre is None:
        raise LookupError(f"the anti-fraud centre {access.centre_code()} is missing: run `pingan demo` first")
    passwords: dict[str, str] = {}
    officer = _user("fz_demo_officer", "officer", centre, password, passwords)
    chief = _user("fz_demo_chief", "station_chief", centre, password, passwords)
    data = amlsim.load_sample(amlsim.bundled_folder())
    led = data.ledger
    fan = [i for i in amlsim.instances(data) if i.typology == "fan_in"][pattern]
    seed_t = next(t for t in fan.transfers if int(led.src[t]) in fan.origins)
    reach = trace_poison(led, [Seed(seed_t)], max_hops=hops)
    accounts = sorted(reach.first, key=lambda a: reach.hops[a])[:max_statements]
    fake = Faker("zh_CN")
    fake.seed_instance(15)
    names = defaultdict(fake.name)

    def when(t: int) -> dt.datetime:
        return EPOCH + dt.timedelta(days=int(led.time[t])) + dt.timedelta(seconds=int(led.rank[t]) % 36000)

    victim = int(led.src[seed_t])
    report = services.report_create(
        actor=officer, victim_name=names[victim], victim_phone="13800138000", reported_at=when(seed_t)
        + dt.timedelta(hours=2), fraud_type="brushing_rebate", loss_cents=SCALE * int(led.amount[seed_t]),
        channel="im", narrative=DEMO_NARRATIVE,
        transfers=[{"at": when(seed_t), "amount_cents": SCALE * int(led.amount[seed_t]),
                    "from_account": account_no(victim), "to_account": account_no(int(led.dst[seed_t])),
                    "to_name": names[int(led.dst[seed_t])]}],
        identifiers=[{"kind": "phone", "value": "+86 17000000015"},
                     {"kind": "domain", "value": "shuadan-fanli.example"}])
    statements = []
    for a in accounts:
        mine = sorted(list(set((led.src == a).nonzero()[0].tolist()) | set((led.dst == a).nonzero()[0].tolist())),
                      key=lambda t: led.rank[t])
        bal = SCALE * int(led.opening[a])
        rows = []
        for t in mine:
            out = int(led.src[t]) == a
            cents = SCALE * int(led.amount[t])
            bal += -cents if out else cents
            other = int(led.dst[t]) if out else int(led.src[t])
            rows.append({"交易流水号": f"AML{t:07d}", "交易时间": when(t).strftime("%Y-%m-%d %H:%M:%S"),
                         "借贷标志": "借" if out else "贷", "交易金额": f"{cents / 100:,.2f}",
                         "余额": f"{bal / 100:,.2f}", "对方账号": account_no(other), "对方户名": names[other],
                         "对方开户行": DEMO_BANK, "摘要": "转账"})
        statements.append(services.statement_import(
            actor=officer, report=report, data=statement_csv(rows, encoding="gbk"), filename=f"{account_no(a)}.csv",
            account=account_no(a), bank=DEMO_BANK))
    return DemoCase(report, statements, officer.username, chief.username, passwords)
