"""Reference data: GB/T 2260 divisions into the database, and the demo organisation (Xiamen).

The divisions come from :mod:`pingan.lib.adcodes` (NBS 2023 codes plus python-stdnum's historical codes);
the demo organisation from ``core/data/demo_xiamen.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from pingan.core.models import AdminDivision, OrgUnit
from pingan.core.services import orgunit_create
from pingan.lib import adcodes


@transaction.atomic
def divisions_load() -> int:
    """Replace the ``AdminDivision`` table with the bundled divisions; returns how many were loaded."""
    rows = [
        AdminDivision(code=d.code, name=d.name, level=d.level, parent_code=d.parent or "", current=d.current)
        for d in adcodes.divisions(include_historical=True)
    ]
    AdminDivision.objects.all().delete()
    AdminDivision.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass
class DemoOrg:
    """What :func:`demo_org_load` created (``created``) or found already there (``existing``)."""

    created: list[OrgUnit]
    existing: list[OrgUnit]

    @property
    def units(self) -> list[OrgUnit]:
        return sorted(self.created + self.existing, key=lambda u: u.path)


@transaction.atomic
def demo_org_load() -> DemoOrg:
    """Create the Xiamen demo organisation; idempotent (existing unit codes are kept as they are, except that a
    unit without an English name gets the bundled one: a database made before the units had them)."""
    spec = tomllib.loads(resources.files("pingan.core.data").joinpath("demo_xiamen.toml").read_text("utf-8"))
    result = DemoOrg([], [])

    def ensure(code: str, name: str, kind: str, parent: OrgUnit | None, codes: list[str], name_en: str = "") -> OrgUnit:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is not None:
            if name_en and not unit.name_en and unit.name == name:
                unit.name_en = name_en
                unit.save(update_fields=["name_en"])
            result.existing.append(unit)
            return unit
        unit = orgunit_create(code=code, name=name, kind=kind, parent=parent, adcodes_covered=codes, name_en=name_en)
        result.created.append(unit)
        return unit

    b = spec["bureau"]
    bureau = ensure(b["code"], b["name"], OrgUnit.Kind.BUREAU, None, b["adcodes"], b.get("name_en", ""))
    stations: dict[str, OrgUnit] = {}
    for br in spec["branch"]:
        branch = ensure(br["code"], br["name"], OrgUnit.Kind.BRANCH, bureau, br["adcodes"], br.get("name_en", ""))
        for st in br.get("stations", []):
            stations[st["code"]] = ensure(st["code"], st["name"], OrgUnit.Kind.STATION, branch, st["adcodes"],
                                          st.get("name_en", ""))
    for area in spec.get("area", []):
        ensure(area["code"], area["name"], OrgUnit.Kind.AREA, stations[area["station"]], area["adcodes"],
               area.get("name_en", ""))
    for centre in spec.get("centre", []):
        ensure(centre["code"], centre["name"], OrgUnit.Kind.CENTRE, bureau, [], centre.get("name_en", ""))
    for body in spec.get("external", []):
        ensure(body["code"], body["name"], body["kind"], None, body["adcodes"], body.get("name_en", ""))
    return result
