"""Shared fixtures: a cast of personas in two jurisdictions (the Healthchecks Alice/Bob/Charlie habit).

* station A = 莲前派出所 (思明区 莲前街道 350203010), station B = 江头派出所 (湖里区 江头街道 350206004);
* ``officer_a``/``chief_a`` belong to A, ``officer_b`` to B, ``analyst`` to the bureau;
* ``landlord_a`` owns ``premises_a`` (in A), ``landlord_b`` owns ``premises_b`` (in B).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Cast:
    admin: object
    auditor: object
    analyst: object
    chief_a: object
    officer_a: object
    officer_b: object
    landlord_a: object
    landlord_b: object
    enterprise: object
    citizen: object
    unit_a: object
    unit_b: object
    premises_a: object
    premises_b: object

    def users(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if hasattr(v, "role")}


PASSWORD = "correct horse battery staple"


@pytest.fixture
def cast(db) -> Cast:
    from pingan.core.models import OrgUnit
    from pingan.core.reference import demo_org_load
    from pingan.core.services import premises_create, user_create

    demo_org_load()
    unit = {u.code: u for u in OrgUnit.objects.all()}
    a, b, bureau = unit["350203-LQ"], unit["350206-JT"], unit["350200"]

    def mk(name, role, u=None):
        return user_create(username=name, password=PASSWORD, role=role, unit=u, display_name=name)

    c = Cast(
        admin=mk("admin", "admin"), auditor=mk("auditor", "auditor", bureau), analyst=mk("analyst", "analyst", bureau),
        chief_a=mk("chief_a", "station_chief", a), officer_a=mk("officer_a", "officer", a),
        officer_b=mk("officer_b", "officer", b), landlord_a=mk("landlord_a", "landlord"),
        landlord_b=mk("landlord_b", "landlord"), enterprise=mk("enterprise", "enterprise"),
        citizen=mk("citizen", "citizen"), unit_a=a, unit_b=b, premises_a=None, premises_b=None,
    )
    c.premises_a = premises_create(actor=c.landlord_a, name="莲前出租屋", kind="rental",
                                   address="思明区莲前东路1号", adcode="350203010")
    c.premises_b = premises_create(actor=c.landlord_b, name="江头公寓", kind="rental",
                                   address="湖里区江头北路2号", adcode="350206004")
    return c


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached revocation lists live in the cache: start every test empty."""
    from django.conf import settings

    if not settings.configured:  # a framework-free test run (pytest -p no:django)
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
