"""Issue 11: the citizen's home panel showed blank counts — its template read names (``upcoming``) that the
panel's context does not pass (a panel's context is ``panel``). Every home panel of every role is rendered
here with a marker for each variable that does not resolve, and with its data present (a citizen with an
appointment, a station with an application waiting), so a panel that reads a name it is not given fails."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db
MARK = "@@UNRESOLVED@@"


def _templates_marking_unresolved():
    templates = copy.deepcopy(settings.TEMPLATES)
    for t in templates:
        t.setdefault("OPTIONS", {})["string_if_invalid"] = MARK
    return templates


def test_every_home_panel_reads_only_what_its_context_gives(client, cast, settings, tmp_path):
    from pingan.citizen import services
    from pingan.citizen.models import Slot

    settings.DATA_DIR = tmp_path
    services.catalogue_load()
    counter = services.counter_create(unit=cast.unit_a, name="莲前派出所户政窗口", services=["id_card_replacement"],
                                      sessions=[["08:30", "12:00"]], slot_minutes=30, capacity=2)
    services.slots_open(counter=counter)
    citizen = services.citizen_register(username="panel_citizen", password="correct horse battery staple",
                                        name="测试", id_number="11010519491231002X")
    slot = Slot.objects.filter(counter=counter).order_by("day", "start").first()
    services.booking_create(actor=citizen, slot_id=slot.pk, service="id_card_replacement")
    services.permit_apply(actor=citizen, address="思明区莲前东路100号", adcode="350203010",
                          residence_since=dt.date(2020, 1, 1), basis="employment",
                          documents=[services.Upload(k, f"{k}.pdf", b"%PDF-1.4\n%synthetic\n")
                                     for k in ("id_card", "photo", "lease", "labour_contract")])
    users = {**cast.users(), "panel_citizen": citizen}
    seen = set()
    with override_settings(TEMPLATES=_templates_marking_unresolved()):
        for name, user in users.items():
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.session
            session["purpose"] = "jurisdiction_management"
            session.save()
            response = client.get("/", follow=True)
            html = response.content.decode()
            seen.update(k for k in ("home-citizen", "home-citizen-station") if f'id="{k}"' in html)
            assert MARK not in html, (name, html[max(html.index(MARK) - 300, 0):html.index(MARK) + 50])
    assert seen == {"home-citizen", "home-citizen-station"}  # the two panels that were blank are among those checked


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_home_shows_the_same_card_twice(client, cast, language):
    # issue 11: the auditor's home showed "审计日志" twice, the audit panel and the audit section's card
    import re

    client.cookies["django_language"] = language
    for name, user in cast.users().items():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session["purpose"] = "jurisdiction_management"
        session.save()
        html = client.get("/", follow=True).content.decode()
        if "<main" not in html or 'class="grid"' not in html:
            continue  # a role without a home page (landlord, enterprise) goes to its section
        main = html[html.index("<main"):]
        titles = [" ".join(re.sub(r"<[^>]+>", "", t).split()) for t in re.findall(r"<h2[^>]*>(.*?)</h2>", main, re.S)]
        titles += re.findall(r'<a class="card" href="[^"]*"><strong>(.*?)</strong>', main)
        assert len(titles) == len(set(titles)), (name, titles)
        if user.role == "auditor":
            assert titles.count("审计日志" if language == "zh-hans" else "Audit trail") == 1, titles
