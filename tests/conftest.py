"""Shared fixtures: a cast of personas in two jurisdictions (the Healthchecks Alice/Bob/Charlie habit).

* station A = 莲前派出所 (思明区 莲前街道 350203010), station B = 江头派出所 (湖里区 江头街道 350206004);
* ``officer_a``/``chief_a`` belong to A, ``officer_b`` to B, ``analyst`` to the bureau;
* ``landlord_a`` owns ``premises_a`` (in A), ``landlord_b`` owns ``premises_b`` (in B).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import settings

# No per-example deadline: the suite runs on shared 2-core machines where an example can wait 200 ms for a CPU
# (test_contains_agrees_with_a_rectangle failed so at load 10). Speed is measured in bench/, not here.
settings.register_profile("pingan", deadline=None)
settings.load_profile("pingan")


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


@pytest.fixture
def permit_applications(cast):
    """``permit_applications(status, n, name=status)``: ``n`` residence-permit applications of the cast's citizen
    in station A in ``status``, the i-th named ``f"{name}{i:03d}"`` and submitted i minutes ago (the lists of the
    citizen-services desk)."""
    import datetime as dt

    from django.utils import timezone

    from pingan.citizen.models import PermitApplication

    def make(status: str, n: int, *, name: str | None = None) -> None:
        PermitApplication.objects.bulk_create(
            [
                PermitApplication(
                    applicant=cast.citizen,
                    name=f"{status if name is None else name}{i:03d}",
                    id_number=f"1101011990{len(status):02d}07{i:04d}",
                    address="思明区莲前东路8号",
                    adcode="350203010",
                    unit=cast.unit_a,
                    residence_since=dt.date(2025, 1, 1),
                    basis="residence",
                    status=status,
                    rules_version="t",
                    submitted_at=timezone.now() - dt.timedelta(minutes=i),
                )
                for i in range(n)
            ]
        )

    return make


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


@pytest.fixture(autouse=True)
def _fresh_routing():
    """The alerts' routing caches hold organisation units for a second or more (``pingan.alerts.services``): a
    test starting within that second after another's rollback routed its device to a unit no longer there
    (IntegrityError on alerts_device's unit at teardown, in full runs only). Start every test without them."""
    from django.conf import settings

    if settings.configured:
        from pingan.alerts.services import routing_forget

        routing_forget()
    yield


@pytest.fixture
def process_env(transactional_db):
    """``process_env()``: the environment of a ``pingan`` subprocess on the test's database, data directory and
    key directory as they are when called (production settings module; PostgreSQL only: a subprocess cannot
    reach SQLite's in-memory test database)."""
    import os
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a subprocess cannot reach SQLite's in-memory test database: set PINGAN_TEST_DATABASE_URL")
    auth = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def env() -> dict[str, str]:
        e = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_"))}
        e.update(DJANGO_SETTINGS_MODULE="pingan.config.settings", PINGAN_DATABASE_URL=url,
                 PINGAN_DATA_DIR=str(settings.DATA_DIR), PINGAN_KEY_DIR=str(settings.PINGAN["KEY_DIR"]),
                 PYTHONUNBUFFERED="1")
        return e

    return env


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (zh-Hans): a test that activates English, or a request
    that left its language active on the thread, must not decide how a later test's texts render."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped: the alerts streams' pool closed, so that
    none of its threads' connections keeps PostgreSQL from dropping the database."""
    yield
    from pingan.alerts.stream import shutdown_pool

    shutdown_pool()


def pytest_unconfigure(config):
    """A thread that outlives the session (an endless response body, an executor's task) keeps the interpreter
    from exiting: CI once waited 75 minutes after a green suite. If the process is still alive 120 s from here,
    every thread's stack is printed and it exits with status 1."""
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(120, exit=True, file=sys.stderr)


@pytest.fixture
def commands_in_english():
    """For tests that read a command's English lines: a command speaks the language pingan activates from
    PINGAN_LANGUAGE or the locale, Chinese by default (tests/core/test_cli_language.py checks the Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
