"""Issue 11's walk of the citizen pages as a citizen and as a station's desk (zh and en): each desk action
says what it did, the application page cites the rules by name, and a counter or terminal is named in the
reader's language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from test_citizen_kiosk import sign_in, todays_booking

from pingan.citizen import services
from pingan.citizen.models import Counter, Terminal

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%synthetic\n"


@pytest.mark.parametrize("lang, called, walk_in, nobody, checked_in", [
    ("zh-hans", "正在呼叫 W001", "已取号 W001", "当前无人等候", "已签到"),
    ("en", "Calling W001", "Walk-in ticket W001 issued", "No one is waiting", "Checked in"),
])
def test_each_desk_action_says_what_it_did(client, cast, world, lang, called, walk_in, nobody, checked_in):
    """The desk got the bare ticket number ("W001") as its message, and nothing at all when it called the next
    and no one was waiting."""
    booking = todays_booking(world, world.alice)
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    desk = f"/citizen/station/counters/{world.counter_a.pk}/"
    html = client.post(desk, {"action": "walk_in"}, follow=True).content.decode()
    assert walk_in in html
    html = client.post(desk, {"action": "call"}, follow=True).content.decode()
    assert called in html
    html = client.post(desk, {"action": "call"}, follow=True).content.decode()
    assert nobody in html
    html = client.post(desk, {"action": "check_in", "booking": booking.pk, "id_number": booking.id_number},
                       follow=True).content.decode()
    assert checked_in in html and booking.name in html and "A001" in html


@pytest.mark.parametrize("lang, cited", [("zh-hans", "《居住证暂行条例》"),
                                         ("en", "Interim Regulations on Residence Permits")])
def test_the_application_cites_the_rules_by_name(client, cast, world, settings, tmp_path, lang, cited):
    """The applicant's page said "Rules: order663-2016", the rules file's version key."""
    settings.DATA_DIR = tmp_path
    app = services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                                residence_since=dt.date(2020, 1, 1), basis="employment",
                                documents=[services.Upload("id_card", "id.pdf", PDF)])
    for user in (world.alice, cast.officer_a):
        sign_in(client, user)
        client.cookies["django_language"] = lang
        html = client.get(f"/citizen/permits/{app.pk}/").content.decode()
        assert cited in html and app.rules_version not in html


def test_a_counter_and_a_terminal_are_named_in_the_readers_language(client, cast, world):
    """An English page named every counter "莲前派出所户政窗口" beside "Lianqian Police Station", and a terminal
    started without a name was stored as "莲前派出所户政窗口 terminal"."""
    Counter.objects.filter(pk=world.counter_a.pk).update(name_en="Household registration counter, Station A")
    client.cookies["django_language"] = "en"
    html = client.get("/citizen/services/residence_permit_first/").content.decode()
    assert "Household registration counter, Station A" in html and "莲前派出所户政窗口" not in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/citizen/services/residence_permit_first/").content.decode()
    assert "莲前派出所户政窗口" in html and "Household registration counter" not in html

    terminal, _secret = services.terminal_create(actor=cast.officer_a, counter_id=world.counter_a.pk, name="  ")
    assert Terminal.objects.get(pk=terminal.pk).name == ""
    sign_in(client, cast.officer_a)
    for lang, label in (("zh-hans", f"{terminal.pk} 号自助终端"), ("en", f"terminal no. {terminal.pk}")):
        client.cookies["django_language"] = lang
        html = client.get(f"/citizen/station/counters/{world.counter_a.pk}/").content.decode()
        assert label in html and "户政窗口 terminal" not in html, lang


def test_the_demo_names_its_counters_in_english_too():
    """``pingan citizen demo`` gives each counter an English name built from its station's, and fills it in on
    a counter it made before."""
    from django.core.management import call_command

    from pingan.core.models import OrgUnit

    call_command("citizen", "demo", stdout=io.StringIO())
    lq = Counter.objects.get(unit=OrgUnit.objects.get(code="350203-LQ"))
    assert lq.name == "莲前派出所户政窗口"
    assert lq.name_en == "Household registration counter, Lianqian Police Station"
    Counter.objects.filter(pk=lq.pk).update(name_en="")
    call_command("citizen", "demo", stdout=io.StringIO())
    assert Counter.objects.get(pk=lq.pk).name_en == "Household registration counter, Lianqian Police Station"


def test_the_kiosk_lists_what_to_bring_as_each_language_lists(client, cast, world):
    """The terminal's services page joined the documents with ", " on a Chinese page (居民身份证, 近期证件照片)."""
    from test_citizen_kiosk import terminal_at

    terminal_at(client, cast, world.counter_a)
    html = client.get("/citizen/kiosk/services/").content.decode()
    assert "居民户口簿、近期证件照片" in html and "居民户口簿, " not in html
    client.cookies["django_language"] = "en"
    html = client.get("/citizen/kiosk/services/").content.decode()
    assert "household register, a recent ID photo" in html
