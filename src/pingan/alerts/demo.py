"""The Xiamen alerts demo: district polygons on the demo branches, a few real-looking street devices in
each demo station's area, and one watch-listed plate. Idempotent (``pingan alerts demo``)."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from pingan.alerts import services

XIAMEN = str(resources.files("pingan.data").joinpath("jurisdictions/xiamen_350200_districts.json"))

#: (device id, name, English name, kind, lon, lat WGS-84, township adcode for station refinement). Names are
#: what the bureau calls its devices, in both languages (issue 11: the Chinese name showed on English pages);
#: each page shows the reader's (``Device.label``), never the two side by side.
DEVICES = [
    ("35020301001320000001", "莲前东路卡口", "Lianqian East Road checkpoint", "anpr", 118.1390, 24.4790, "350203010"),
    ("35020301001340000002", "莲前街道声学传感器", "Lianqian acoustic sensor", "acoustic", 118.1330, 24.4840,
     "350203010"),
    ("35020301001340000003", "莲前一键报警柱", "Lianqian SOS post", "sos", 118.1370, 24.4760, "350203010"),
    ("35020601001320000001", "江头卡口", "Jiangtou checkpoint", "anpr", 118.1330, 24.5050, "350206004"),
    ("35020601001340000002", "江头入侵报警", "Jiangtou intrusion alarm", "intrusion", 118.1290, 24.5010, "350206004"),
    ("35021101001320000001", "集美大道卡口", "Jimei Avenue checkpoint", "anpr", 118.0980, 24.5760, "350211001"),
    ("35020301001320000004", "鼓浪屿码头摄像机", "Gulangyu ferry pier camera", "camera", 118.0680, 24.4470,
     "350203012"),
]


#: The unit of the demo accounts (莲前派出所, in 思明分局 — where most demo devices stand).
DEMO_UNIT = "350203-LQ"


def demo_accounts(*, password: str) -> list[str]:
    """An officer and a station chief of :data:`DEMO_UNIT` (``demo_officer``, ``demo_chief``) with
    ``password`` and display names (``core.demoguide.SUGGESTED_NAMES``); existing accounts are left as they are
    but for a display name they lack. Returns the usernames created."""
    from pingan.core.demoguide import SUGGESTED_NAMES
    from pingan.core.models import OrgUnit, User
    from pingan.core.services import user_create, user_set_display_name

    unit = OrgUnit.objects.get(code=DEMO_UNIT)
    created = []
    for username, role in (("demo_officer", "officer"), ("demo_chief", "station_chief")):
        existing = User.objects.filter(username=username).first()
        if existing is None:
            user_create(username=username, password=password, role=role, unit=unit,
                        display_name=SUGGESTED_NAMES[role])
            created.append(username)
        elif not existing.display_name:  # made by an earlier demo without one: the pages greeted "demo_officer"
            user_set_display_name(user=existing, display_name=SUGGESTED_NAMES[role])
    return created


def demo_setup() -> dict:
    """Load the district polygons and register the demo devices (their VIID password: ``demo-password``)."""
    n = services.jurisdictions_load(actor=None, path=XIAMEN, key="adcode")
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    for device_id, name, name_en, kind, lon, lat, adcode in DEVICES:
        services.device_register(
            actor=None,
            device_id=device_id,
            name=name,
            name_en=name_en,
            kind=kind,
            lon=lon,
            lat=lat,
            adcode=adcode,
            password="demo-password",  # noqa: S106 - the demo devices' published password
            active_since=since,
        )
    return {"jurisdictions": n, "devices": len(DEVICES), "device_ids": [d[0] for d in DEVICES]}
