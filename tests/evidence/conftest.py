"""Evidence fixtures beside the shared cast: central-store custodians (350200-SW), a procurator (350203-JCY),
a court clerk (350203-FY), a second station chief of A, a store with rooms and shelves, and a case of
station A (莲前) with a seizure list of four items."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from evidence_support import PASSWORD, T0


@dataclass
class People:
    custodian: object
    custodian2: object
    procurator: object
    procurator2: object
    clerk: object
    chief_a2: object
    officer_a2: object
    custodian_elsewhere: object


@pytest.fixture
def people(cast) -> People:
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    u = {x.code: x for x in OrgUnit.objects.all()}

    def mk(name, role, unit):
        return user_create(username=name, password=PASSWORD, role=role, unit=unit, display_name=name)

    return People(mk("sw_custodian", "custodian", u["350200-SW"]), mk("sw_custodian2", "custodian", u["350200-SW"]),
                  mk("jcy_procurator", "procurator", u["350203-JCY"]),
                  mk("jcy_procurator2", "procurator", u["350203-JCY"]), mk("fy_clerk", "court_clerk", u["350203-FY"]),
                  mk("chief_a2", "station_chief", u["350203-LQ"]), mk("officer_a2", "officer", u["350203-LQ"]),
                  mk("zh_custodian", "custodian", u["350200-ZH"]))


@pytest.fixture
def store(people):
    from pingan.evidence import services

    s = services.location_create(actor=None, code="SW", name="涉案财物管理中心", kind="store")
    r1 = services.location_create(actor=None, code="SW-R1", name="一号库房", kind="room", parent=s)
    a1 = services.location_create(actor=None, code="SW-R1-A1", name="A1 架", kind="shelf", parent=r1)
    a2 = services.location_create(actor=None, code="SW-R1-A2", name="A2 架", kind="shelf", parent=r1, capacity=2)
    v = services.location_create(actor=None, code="SW-V1", name="保险柜", kind="locker", parent=s,
                                 storage_class="vault")
    yard = services.location_create(actor=None, code="SW-Y1", name="车辆停放区", kind="yard", parent=s,
                                    storage_class="vehicle_yard")
    cold = services.location_create(actor=None, code="SW-C1", name="冷库", kind="room", parent=s,
                                    storage_class="cold")
    return {"store": s, "room": r1, "a1": a1, "a2": a2, "vault": v, "yard": yard, "cold": cold}


@pytest.fixture
def case(cast, people, store):
    """Case of station A investigated by officer_a and officer_a2: a phone, cash, a gold ring, fish."""
    from pingan.evidence import services
    from pingan.evidence.services import ItemIn

    c = services.case_create(actor=cast.officer_a, number="A3502030100002026110001", title="莲前盗窃案",
                             investigators=[people.officer_a2])
    sl = services.seizure_list_create(
        actor=cast.officer_a, case=c, number="KY-2026-001", holder_name="陈某", holder_id_number="350203199001011234",
        witness_name="见证人王某", officers=[people.officer_a2], seized_at=T0, place="莲前东路1号",
        items=[ItemIn("华为手机 P60", "electronic", features="黑色，屏幕碎裂"),
               ItemIn("现金", "cash", quantity=1, features="百元券 50 张", photos=2, value_cents=500_000),
               ItemIn("金戒指", "valuables", features="约 5 克"),
               ItemIn("冻带鱼", "perishable", quantity="2.5", quantity_unit="千克")])
    return c, list(sl.items.order_by("line"))


@pytest.fixture(autouse=True)
def _purpose_of_use():
    from pingan.core import audit

    token = audit.set_context(audit.AuditContext(purpose="case_investigation"))
    yield
    audit.reset_context(token)


@pytest.fixture(autouse=True)
def _blobs(settings, tmp_path):
    settings.PINGAN_EVIDENCE_BLOBS = str(tmp_path / "blobs")
