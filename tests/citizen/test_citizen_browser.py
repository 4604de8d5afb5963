"""Real browser (Playwright driving Debian's chromium) on a 375-px phone: a citizen finds a service, books an
appointment (the day's times come by htmx), sees it under My services and cancels it; an officer checks the
booking in at the desk on its day and the call display shows the ticket. Nothing is wider than the phone."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from citizen_support import PASSWORD
from django.db import connections
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))


@pytest.fixture
def phone(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])

        def new_page(locale: str = "zh-CN"):
            context = browser.new_context(viewport={"width": 375, "height": 800}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(20_000)
            return page

        yield new_page
        browser.close()
        connections.close_all()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_citizen_books_on_a_phone_and_the_desk_checks_in(live_server, phone, cast, world):
    page = phone()
    page.goto(f"{live_server.url}/citizen/")
    fits(page)
    page.click("text=居民身份证补领")  # the catalogue in Chinese: what to bring, where to go
    expect(page.locator("main")).to_contain_text("居民户口簿")
    fits(page)
    sign_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/citizen/services/id_card_replacement/")
    page.click(f"a[href='/citizen/counters/{world.counter_a.pk}/book/?service=id_card_replacement']")
    days = page.locator("a.day")
    assert days.count() == 7
    days.nth(1).click()  # htmx swaps in the second day's times
    second = page.locator("a.day").nth(1).get_attribute("href").split("day=")[1][:10]
    expect(page.locator("#slots legend")).to_contain_text(second)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen-book-375.png"), full_page=True)
    fits(page)
    page.locator("#slots label.slot").first.click()
    page.click("#book-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("预约成功")
    expect(page.locator("#bookings")).to_contain_text(second)
    expect(page.locator("#bookings")).to_contain_text("居民身份证补领")
    fits(page)
    page.screenshot(path=str(SHOTS / "citizen-me-375.png"), full_page=True)

    from pingan.citizen.models import Booking

    booking = Booking.objects.get(citizen=world.bob)
    assert booking.day.isoformat() == second and booking.slot.taken == 1
    questions = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))  # the confirmation step
    page.click("#bookings button")  # cancel (two days ahead: allowed)
    expect(page.locator("#bookings")).to_contain_text("已取消")
    named = f"居民身份证补领 · {world.counter_a.name} · {booking.day:%Y-%m-%d} {booking.slot.start:%H:%M}"
    assert questions and questions[0].startswith(f"取消预约：{named}")  # the viewer's language, the appointment
    expect(page.locator(".messages")).to_contain_text(f"已取消预约：{named}")
    fits(page)
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_desk_checks_a_booking_in_and_the_display_calls_it(live_server, phone, cast, world):
    from django.utils import timezone

    from pingan.citizen.models import Booking, Slot

    identity = world.alice.identity
    today = timezone.localdate()
    slot = Slot.objects.create(counter=world.counter_a, day=today, start=dt.time(0, 0), capacity=2, taken=1)
    Booking.objects.create(slot=slot, day=today, citizen=world.alice, name=identity.name,
                           id_number=identity.id_number, service="residence_permit_first", rules_version="xiamen-2018")
    page = phone()
    sign_in(page, live_server.url, "officer_a")
    # no purpose to declare: citizen services record their own (5f39193), whatever the home page asks for
    page.goto(f"{live_server.url}/citizen/station/counters/{world.counter_a.pk}/")
    expect(page.locator("#bookings")).to_contain_text(identity.name)
    page.fill("#bookings input[name=id_number]", identity.id_number)
    page.click("#bookings button")
    expect(page.locator(".messages")).to_contain_text("A001")
    page.click("button[value=call]")
    fits(page)
    page.screenshot(path=str(SHOTS / "citizen-desk-375.png"), full_page=True)
    board = phone()
    board.goto(f"{live_server.url}/citizen/counters/{world.counter_a.pk}/display/")
    expect(board.locator(".calling")).to_have_text("A001")
    assert identity.name not in board.inner_text("main")  # the display shows numbers, never names


def test_a_terminal_checks_in_with_the_card_prints_the_ticket_and_forgets_when_idle(live_server, phone, cast, world,
                                                                                   monkeypatch):
    from django.utils import timezone

    from pingan.citizen.models import Booking, Slot

    monkeypatch.setenv("PINGAN_CITIZEN_KIOSK_IDLE_SECONDS", "10")
    identity = world.alice.identity
    today = timezone.localdate()
    slot = Slot.objects.create(counter=world.counter_a, day=today, start=dt.time(0, 0), capacity=2, taken=1)
    Booking.objects.create(slot=slot, day=today, citizen=world.alice, name=identity.name,
                           id_number=identity.id_number, service="residence_permit_first", rules_version="xiamen-2018")
    page = phone()
    page.add_init_script("window.__printed = 0; window.print = function () { window.__printed += 1; };")
    sign_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/citizen/station/counters/{world.counter_a.pk}/")
    page.click("text=在本设备上启用自助终端")
    page.select_option("select[name=counter]", str(world.counter_a.pk))
    page.click("main button")
    expect(page.locator("h1")).to_have_text("自助终端")
    expect(page.locator(".bar .account")).to_have_count(0)  # the officer is signed out
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen-kiosk-home-375.png"), full_page=True)
    fits(page)
    for box in [page.locator(".kiosk-button").nth(i).bounding_box() for i in range(3)]:
        assert box["height"] >= 64 and box["width"] >= 300  # large touch targets on a 375-px screen
    page.click("text=已有预约：签到")
    # the ID-card reader seam: a reader in keyboard mode types the number into the focused field, then Enter
    expect(page.locator("#id_number")).to_be_focused()  # the field has the focus once the page is shown
    page.keyboard.type(identity.id_number)
    page.keyboard.press("Enter")
    expect(page.locator(".ticket-label")).to_have_text("A001")
    assert page.evaluate("window.__printed") == 1  # printed once on arrival
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 2
    assert identity.name not in page.inner_text("main")
    fits(page)
    page.screenshot(path=str(SHOTS / "citizen-kiosk-ticket-375.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("header.bar").is_hidden() and page.locator("#kiosk-end").is_hidden()
    expect(page.locator(".ticket-label")).to_be_visible()
    page.screenshot(path=str(SHOTS / "citizen-kiosk-ticket-print.png"), full_page=True)
    page.emulate_media(media="screen")
    ticket_url = page.url
    page.wait_for_url(f"{live_server.url}/citizen/kiosk/", timeout=25_000)  # 10 s untouched: cleared
    response = page.goto(ticket_url)
    assert response.status == 404  # the last person's ticket is gone from this terminal


def test_a_hotel_desk_checks_240_hour_transit_on_a_phone(live_server, phone, db):
    page = phone()
    page.goto(f"{live_server.url}/citizen/transit/")
    fits(page)
    page.select_option("select[name=nationality]", "KR")
    page.select_option("select[name=port]", "XMN")
    page.fill("input[name=entry_at]", "2025-03-03T22:30")
    page.fill("input[name=exit_at]", "2025-03-14T08:00")  # after 03-14 00:00: too long
    page.fill("input[name=coming_from]", "日本")  # names, not codes: typed, or chosen from the list
    page.fill("input[name=going_to]", "德国")
    assert page.locator("#countries option[value='日本']").count() == 1  # by name alone (0b096241)
    page.fill("input[name=place1]", "")
    page.locator("input[name=place1]").press_sequentially("厦门")  # htmx brings the suggestions as one types
    expect(page.locator("#places1 option").first).to_have_attribute("value", "福建省 厦门市")
    page.fill("input[name=place1]", "福建省 厦门市")
    page.check("input[name=onward]")
    page.check("input[name=document]")
    page.click("#transit-form p > button[type=submit]")
    expect(page.locator("#answer h2")).to_have_text("不符合条件")
    expect(page.locator("#answer li.fail")).to_have_count(1)
    expect(page.locator("#answer li.fail")).to_contain_text("2025-03-14 00:00")
    fits(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen-transit-375.png"), full_page=True)
    page.fill("input[name=exit_at]", "2025-03-13T20:00")
    page.click("#transit-form p > button[type=submit]")
    expect(page.locator("#answer h2")).to_have_text("适用")
    expect(page.locator("#answer")).to_contain_text("福建省 厦门市")  # the place by name in the answer
    # an ambiguous place: the page asks which one, a tap answers
    page.fill("input[name=place1]", "鼓楼区")
    page.click("#transit-form p > button[type=submit]")
    page.click("button[name=place1][value='福建省 福州市 鼓楼区']")
    expect(page.locator("#answer h2")).to_have_text("适用")
    fits(page)
    page.screenshot(path=str(SHOTS / "citizen-transit-ambiguous-375.png"), full_page=True)
