"""A demonstration property room (``pingan evidence demo``): the central store's locations under
350200-SW, accounts for every role of the flow (custodian, investigators and a chief of 莲前派出所, a
procurator of 350203-JCY, a court clerk of 350203-FY) and one case with a seizure list of four items, two of
them checked in. Names are made up. Passwords are printed once."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pingan.core.models import OrgUnit, User
from pingan.core.reference import demo_org_load
from pingan.core.services import user_create
from pingan.evidence import services
from pingan.evidence.models import Case, Location

LAYOUT = [  # code, name, English name, kind, parent, storage class, capacity
    ("SW", "涉案财物管理中心", "Case Property Centre", "store", None, "general", 0),
    ("SW-R1", "一号库房（一般物品）", "Store room 1 (general items)", "room", "SW", "general", 0),
    ("SW-R1-A1", "A1 货架", "Shelf A1", "shelf", "SW-R1", "general", 200),
    ("SW-R1-A2", "A2 货架", "Shelf A2", "shelf", "SW-R1", "general", 200),
    ("SW-V1", "贵重物品保险柜", "Valuables safe", "locker", "SW", "vault", 50),
    ("SW-H1", "危险品专用库", "Hazardous goods store", "room", "SW", "hazardous", 100),
    ("SW-C1", "冷藏库", "Cold store", "room", "SW", "cold", 50),
    ("SW-Y1", "车辆停放区", "Vehicle yard", "yard", "SW", "vehicle_yard", 40),
]

ACCOUNTS = [  # username, role, unit, display name
    ("sw_custodian", "custodian", "350200-SW", "林秀兰"),  # synthetic names: pages say the role beside them
    ("lq_officer", "officer", "350203-LQ", "黄伟"),
    ("lq_officer2", "officer", "350203-LQ", "吴俊杰"),
    ("lq_chief", "station_chief", "350203-LQ", "蔡建国"),
    ("jcy_procurator", "procurator", "350203-JCY", "郑丽娟"),
    ("fy_clerk", "court_clerk", "350203-FY", "许海燕"),
]


@dataclass
class Demo:
    case: Case
    passwords: dict[str, str]


@transaction.atomic
def demo_room() -> Demo:
    if not OrgUnit.objects.filter(code="350200-SW").exists():
        demo_org_load()
    made: dict[str, Location] = {loc.code: loc for loc in Location.objects.all()}
    for code, name, name_en, kind, parent, cls, cap in LAYOUT:
        if code not in made:
            made[code] = services.location_create(actor=None, code=code, name=name, name_en=name_en, kind=kind,
                                                   parent=made.get(parent or ""), storage_class=cls, capacity=cap)
        elif not made[code].name_en:  # made before locations had English names
            Location.objects.filter(pk=made[code].pk).update(name_en=name_en)
    units = {u.code: u for u in OrgUnit.objects.all()}
    passwords, users = {}, {}
    for username, role, unit, display in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            passwords[username] = secrets.token_urlsafe(12)
            user = user_create(username=username, password=passwords[username], role=role, unit=units[unit],
                               display_name=display)
        users[username] = user
    number = f"A35020301000{timezone.localdate():%Y%m%d}01"
    case = Case.objects.filter(number=number).first()
    if case is None:
        case = services.case_create(actor=users["lq_officer"], number=number, title="莲前街道入室盗窃案（演示）",
                                    investigators=[users["lq_officer2"]])
        sl = services.seizure_list_create(
            actor=users["lq_officer"], case=case, number=f"KY-{number[-10:]}", holder_name="演示持有人",
            witness_name="演示见证人", officers=[users["lq_officer2"]], place="思明区莲前东路（演示）",
            seized_at=timezone.now() - dt.timedelta(hours=3),
            items=[services.ItemIn("手机（演示）", "electronic", features="黑色"),
                   services.ItemIn("现金（演示）", "cash", photos=2, value_cents=320_000, features="百元券 32 张"),
                   services.ItemIn("撬棍（演示）", "other", features="长约 60 厘米"),
                   services.ItemIn("电动自行车（演示）", "vehicle", features="蓝色")])
        items = list(sl.items.order_by("line"))
        services.item_check_in(actor=users["sw_custodian"], label=items[0].label, location_code="SW-R1-A1")
        services.item_check_in(actor=users["sw_custodian"], label=items[1].label, location_code="SW-V1")
    return Demo(case, passwords)
