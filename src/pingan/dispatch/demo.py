"""The Xiamen dispatch demo: patrol units for the demo stations (a car, a motorcycle of the 铁骑 squad and a
foot patrol each, at positions inside their areas, based at the station's point — so they are still proposed
once their demo fix is old), the command centre's drone, and today's day and night
shifts (08:00-20:00, 20:00-08:00 Asia/Shanghai) with the stations' officers on them. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pingan.core.models import OrgUnit, Role, User
from pingan.dispatch import services
from pingan.dispatch.models import Drone, PatrolUnit, Shift
from pingan.dispatch.roster import ZONE, shift_bounds

#: station code → (call-sign prefix, lon, lat WGS-84 near the station)
STATIONS = {
    "350203-LQ": ("LQ", 118.1370, 24.4790),
    "350203-JL": ("JL", 118.1200, 24.4850),
    "350206-JT": ("JT", 118.1330, 24.5050),
    "350206-DQ": ("DQ", 118.1100, 24.5200),
    "350211-JM": ("JM", 118.0980, 24.5760),
    "350205-HC": ("HC", 118.0330, 24.4850),
}


def demo_setup() -> dict:
    now = timezone.now()
    units = 0
    for code, (prefix, lon, lat) in STATIONS.items():
        station = OrgUnit.objects.filter(code=code).first()
        if station is None:
            continue
        for i, (kind, dlon, dlat) in enumerate((("car", 0.004, 0.002), ("motorcycle", -0.003, 0.004),
                                                ("foot", 0.001, -0.002))):
            call = f"{prefix}-{kind[0].upper()}1"
            pu = PatrolUnit.objects.filter(code=call).first() or services.patrol_unit_create(
                actor=None, code=call, kind=kind, unit=station, base=(lon, lat))
            if pu.base_lon is None:  # the station's position: where the unit is taken to be without AVL
                pu = services.patrol_unit_base_set(actor=None, patrol_unit_id=pu.pk, lon=lon, lat=lat)
            if pu.status == PatrolUnit.Status.OFF_DUTY:
                services.unit_status_set(actor=None, patrol_unit_id=pu.pk, to="available")
            services.position_report(actor=None, patrol_unit_id=pu.pk, lon=lon + dlon * (i + 1), lat=lat + dlat,
                                     source="api")
            units += 1
    centre = OrgUnit.objects.filter(code="350200-ZH").first()
    lq = OrgUnit.objects.filter(code="350203-LQ").first()
    if lq is not None and not Drone.objects.filter(serial="DEMO-M30T-0001").exists():
        d = services.drone_register(actor=None, code="ZH-UAV1", unit=lq, model="DJI Matrice 30T",
                                    serial="DEMO-M30T-0001", max_flight_min=41, cruise_mps=15)
        services.unit_status_set(actor=None, patrol_unit_id=d.patrol_unit_id, to="available")
        services.position_report(actor=None, patrol_unit_id=d.patrol_unit_id, lon=118.1450, lat=24.4700,
                                 battery_pct=95)
    today = now.astimezone(ZONE).date()
    shifts = 0
    for day in (today - dt.timedelta(days=1), today):
        # both names (issue 11: "白班" on English pages): pages show the reader's (Shift.label)
        for name, name_en, start, end in (("白班", "Day shift", dt.time(8), dt.time(20)),
                                          ("夜班", "Night shift", dt.time(20), dt.time(8))):
            s, e = shift_bounds(day, start, end)
            for code in STATIONS:
                station = OrgUnit.objects.filter(code=code).first()
                if station is None:
                    continue
                if Shift.objects.filter(unit=station, starts_at=s).exists():  # a demo run before both names
                    Shift.objects.filter(unit=station, starts_at=s, name=name, name_en="").update(name_en=name_en)
                    continue
                members = list(User.objects.filter(unit=station, role__in=[Role.OFFICER, Role.STATION_CHIEF],
                                                   is_active=True).order_by("username"))
                officers = [u for u in members if u.role == Role.OFFICER]
                chiefs = [u for u in members if u.role == Role.STATION_CHIEF]
                pus = list(PatrolUnit.objects.filter(unit=station).order_by("code"))
                crews = [(pu, officers[i::len(pus)] if officers else []) for i, pu in enumerate(pus)]
                services.shift_create(actor=None, unit=station, name=name, name_en=name_en, starts_at=s, ends_at=e,
                                      users=chiefs, crews=crews)
                shifts += 1
    return {"patrol units": units, "shifts created": shifts, "command centre": centre.code if centre else "-"}
