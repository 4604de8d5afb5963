"""Real browser (Playwright driving Debian's chromium) on a 375-px-wide phone screen.

A landlord signs in, uploads a roster with bad rows, watches the progress (the task waits in the database
queue until the worker runs it), sees the results with the bad rows explained and downloads them; an officer
of station A signs in, declares the purpose, and sees A's premises and flagged people and none of B's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect
from web_support import PASSWORD, make_job, roster_bytes

from pingan.core.jobs import Worker, run_inline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))



@pytest.fixture
def phone(browser):
    def new_page():
        context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    return new_page


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def landlord_uploads(browser, base: str, roster: Path, *, lang: str, locale: str, width: int = 375):
    """``(context, page)``: landlord_a signed in at ``width`` px in ``lang``, ``roster`` uploaded on the upload page
    and its job page shown with the rows to fix (``#rejected``). The caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale, accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, base, "landlord_a")
    page.goto(f"{base}/screening/upload/")
    page.set_input_files("input[name=roster]", str(roster))
    page.click("main button[type=submit]")
    page.wait_for_selector("#rejected", timeout=30_000)
    return context, page


def open_section(page, href: str) -> None:
    """Go to a section as a person would: its tab, or on a phone through the ☰ menu (docs/web.md, "The frame")
    when the page itself links no such place."""
    link = page.locator(f"a[href='{href}']:visible")
    if not link.count():
        page.click("nav.sections details.sections-menu > summary")
    link.first.click()


def test_a_landlord_uploads_watches_progress_and_reads_the_results(live_server, phone, cast, risk, settings,
                                                                   tmp_path):
    settings.PINGAN = {**settings.PINGAN, "JOBS_INLINE": False}  # queued for the worker, as in production
    roster = tmp_path / "租户名单.csv"
    roster.write_bytes(roster_bytes())
    page = phone()
    sign_in(page, live_server.url, "landlord_a")
    open_section(page, "/screening/")
    page.locator("a[href='/screening/upload/']:visible").first.click()
    page.check(f"input[name=premises][value='{cast.premises_a.pk}']")  # a few premises: radio buttons
    page.set_input_files("input[name=roster]", str(roster))
    expect(page.locator("#chosen")).to_contain_text("租户名单.csv")  # the drop zone names the chosen file
    page.click("main button[type=submit]")
    page.wait_for_selector("#progress progress")  # queued: the progress bar polls while the worker is idle
    assert page.locator("#progress[hx-trigger]").count() == 1
    if connections["default"].vendor == "postgresql":
        Worker(batch=True, concurrency=1, interval=0.1).run()  # `pingan worker`, until the queue is empty
    else:
        # the worker's forked child would write to its own copy of SQLite's in-memory test database: run the
        # queued job here, as the child runs it (tests/core/test_leased_jobs.py covers the worker itself). The
        # live server shares this thread's connection, so the page's polls are refused while the job runs
        # (htmx polls again after) rather than served inside the job's transaction.
        from pingan.screening.models import ScreeningJob

        (job,) = ScreeningJob.objects.filter(status="queued")
        page.route("**/screening/jobs/**", lambda route: route.abort())
        page.wait_for_timeout(3000)  # a poll already sent has its answer
        assert run_inline("screening", job.pk) == "done", ScreeningJob.objects.get(pk=job.pk).error
        page.unroute("**/screening/jobs/**")
    page.wait_for_selector("#rejected", timeout=20_000)  # htmx saw the job finish and reloaded the page
    rejected = page.inner_text("ul.rejected")
    assert "第 6 行" in rejected and "姓名" in rejected
    people = page.inner_text("ul.people")
    assert "张伟" in people and "*" in people
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "landlord-results-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    with page.expect_download() as download:
        page.click("a[href$='results.csv']")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "张伟" in text and "police_hits" not in text


def test_an_officer_of_station_a_sees_only_station_a(live_server, phone, cast):
    make_job(cast.landlord_a, cast.premises_a, "甲")
    make_job(cast.landlord_b, cast.premises_b, "乙")
    page = phone()
    sign_in(page, live_server.url, "officer_a")
    page.check("input[value=epidemic_screening]")  # the purpose of use, once per sign-in
    page.click("main button[type=submit]")
    open_section(page, "/police/")
    page.wait_for_selector("#flagged-list")
    body = page.inner_text("main")
    assert cast.premises_a.name in body and "甲红" in body and "甲绿" in body
    assert cast.premises_b.name not in body and "乙红" not in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "officer-jurisdiction-375.png"), full_page=True)
    page.click("text=甲红")
    page.screenshot(path=str(SHOTS / "officer-person-375.png"), full_page=True)
    main = page.inner_text("main")
    # the hit by its rule's name in the viewer's language; the rule id only under the collapsed record references
    assert "到过高风险区" in main and "area-high" not in main
