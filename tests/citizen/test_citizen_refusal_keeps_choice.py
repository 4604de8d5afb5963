"""A refused booking or application keeps what the citizen chose and says where the existing one is (issue 11:
after "you already have a booking on 12-09" the booking page went back to the first day with no link to My
services; "you already have an open application" named no application)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from citizen_support import make_citizen

from pingan.citizen import services
from pingan.citizen.models import Booking

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%synthetic\n"


def sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_second_booking_on_a_day_keeps_that_day_and_links_the_first(client, world, language):
    services.slots_open(counter=world.counter_a)
    sign_in(client, world.bob)
    url = f"/citizen/counters/{world.counter_a.pk}/book/"
    days = client.get(url).context["days"]
    assert len(days) >= 2
    day = days[-1]  # not the first day: the page used to fall back to it
    page = client.get(url, {"day": day.isoformat()})
    first, second = [s for s in page.context["slots"] if s.free][:2]
    assert client.post(url, {"slot": first.pk, "service": "id_card_replacement"}).status_code == 302
    booked = Booking.objects.get(citizen=world.bob)
    r = client.post(url, {"slot": second.pk, "service": "household_move_in"}, HTTP_ACCEPT_LANGUAGE=language)
    body = r.content.decode()
    assert r.status_code == 200
    assert r.context["day"] == day  # the day chosen, not the first one
    assert re.search(rf'value="{second.pk}"\s+checked', body)  # and the time chosen
    assert re.search(r'<option value="household_move_in" selected>', body)  # and the service
    assert f'href="/citizen/me/#booking-{booked.pk}"' in body  # where the first one is
    assert f'id="booking-{booked.pk}"' in client.get("/citizen/me/").content.decode()
    said = "See it in My services" if language == "en" else "在“我的办事”中查看"
    assert said in body
    assert Booking.objects.filter(citizen=world.bob).count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_second_application_links_the_open_one(client, world, language, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    carol = make_citizen("carol", seed=3)
    services.permit_apply(actor=carol, address="思明区莲前东路8号", adcode="350203010",
                          residence_since=dt.date(2020, 5, 1), basis="employment",
                          documents=[services.Upload("id_card", "id.pdf", PDF)])
    app = carol.permit_apps.get()
    sign_in(client, carol)
    form = {"address": "思明区莲前东路9号", "adcode": "350203010", "residence_since": "2021-01-01",
            "basis": "employment"}
    r = client.post("/citizen/permits/new/", form, HTTP_ACCEPT_LANGUAGE=language)
    body = r.content.decode()
    assert r.status_code == 200 and carol.permit_apps.count() == 1
    assert f'href="/citizen/permits/{app.pk}/"' in body
    assert f"RP-{app.pk}" in body
    assert 'value="思明区莲前东路9号"' in body  # what was typed is kept
