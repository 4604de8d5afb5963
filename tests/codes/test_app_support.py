"""Helpers for the Django-side safety-code tests (no tests here): screening jobs built as rows, sign-in,
and a fixture isolating keys and cache."""

from __future__ import annotations

import zlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from faker import Faker

_fake = Faker("zh_CN")
Faker.seed(5)


def screened(premises, levels: list[str], *, rejected: int = 0, finished_ago: timedelta = timedelta(minutes=5),
             status: str = "done", names: dict[int, str] | None = None):
    """A finished ScreeningJob of ``premises`` with one accepted PersonResult per entry of ``levels``
    (``""`` = accepted but no level) and ``rejected`` rejected rows (synthetic zh_CN names; ``names`` gives the
    accepted rows at those indexes a name — the same person as an earlier roster's — before the job becomes the
    latest, which is when the people no longer on the roster are recorded). The rows have no document number; each
    has a phone derived from its name, so a row named as an earlier one is that person (same name and phone:
    ``screening.services.present_on``)."""
    from pingan.screening.models import PersonResult, ScreeningJob

    now = timezone.now()
    counts = {"accepted": len(levels), "rejected": rejected,
              **{lv: levels.count(lv) for lv in ("green", "yellow", "red")}}
    job = ScreeningJob.objects.create(
        premises=premises, submitted_by=premises.owner, roster_name="roster.xlsx", roster_sha256="0" * 64,
        status=status, as_of=now, finished_at=now - finished_ago if status == "done" else None, counts=counts,
        ruleset_id="pingan.screening", ruleset_version="1")
    # names never drawn before in the session: a name drawn twice is the same person here (same name, same phone),
    # so two people meant to differ became one — CI of 2026-12-07: the roster chain's suspension counted 8 of its 9
    # people when the session's draws had reached a repeat (about 1 position in 80 of the seeded sequence)
    rows = [PersonResult(job=job, row=i + 2, status="accepted", level=lv, name=_fake.unique.name())
            for i, lv in enumerate(levels)]
    for i, name in (names or {}).items():
        rows[i].name = name
    for r in rows:  # the phone a row without a document number is known by besides its name: one per name here
        r.phone = f"138{zlib.crc32(r.name.encode()) % 10 ** 8:08d}"
    rows += [PersonResult(job=job, row=len(levels) + i + 2, status="rejected", level="",
                          reason="未筛查：证件号码校验位错误") for i in range(rejected)]
    PersonResult.objects.bulk_create(rows)
    from pingan.screening.services import screening_job_latest_refresh

    screening_job_latest_refresh(premises_ids=[premises.pk])  # as screening_job_run does when a job finishes
    return job


def sign_in(client, user, purpose: str = "epidemic_screening"):
    """Sign ``client`` in as ``user`` (police also declare a purpose of use, as the page flow requires)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = purpose
        session.save()
    return client


def phone_shots(monkeypatch, tmp_path):
    """The set-up of a chromium check: skipped without Debian's chromium; the live server's database reachable
    from the browser's thread; the screenshot folder (``PINGAN_SCREENSHOTS`` keeps them, else ``tmp_path``)."""
    import os
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("PINGAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def browser_page(browser, client, live_server, user, language: str, width: int = 375):
    """A chromium page ``width`` px wide, signed in as ``user`` (the test client's session), in ``language``."""
    sign_in(client, user)
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
                     {"name": "django_language", "value": language, "url": live_server.url}])
    return ctx.new_page()


@pytest.fixture
def isolated(settings, tmp_path):
    """Private keys in a per-test KEY_DIR, and an empty cache (trust store, revocation lists, rate limits)."""
    from django.core.cache import cache

    from pingan.codes import services

    settings.PINGAN = {**settings.PINGAN, "KEY_DIR": tmp_path / "keys"}
    cache.clear()
    services._signers.clear()
    yield tmp_path / "keys"
    cache.clear()


def run_code_command(*args: str) -> str:
    """Run ``pingan code ARGS...`` in-process and return what it printed."""
    out = StringIO()
    call_command("code", *args, stdout=out)
    return out.getvalue()
