"""Citizen pages and API: a permission test for every role × own/other jurisdiction (and citizen × own/other
application and booking) on every page and endpoint; the booking and application flows through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from citizen_support import make_citizen
from django.utils import timezone

from pingan.citizen import services
from pingan.citizen.models import Booking, PermitApplication, Slot
from pingan.core.models import AuditRecord
from pingan.core.services import token_create

pytestmark = pytest.mark.django_db
POLICE = ("officer", "station_chief", "analyst")
ROLES = ("admin", "auditor", "analyst", "chief_a", "officer_a", "officer_b", "landlord_a", "citizen", "alice", "bob")
PDF = b"%PDF-1.4\n%synthetic\n"


def sign_in(client, user):
    """Police declare a purpose at sign-in (the home page's); the citizen pages record under citizen services."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in POLICE:
        session = client.session
        session["purpose"] = "jurisdiction_management"
        session.save()
    return client


@pytest.fixture
def objects(cast, world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    services.slots_open(counter=world.counter_a)
    slot = Slot.objects.filter(counter=world.counter_a).order_by("day", "start").first()
    booking = services.booking_create(actor=world.alice, slot_id=slot.pk, service="residence_permit_first")
    app = services.permit_apply(actor=world.alice, address="思明区莲前东路100号", adcode="350203010",
                                residence_since=dt.date(2020, 1, 1), basis="employment",
                                documents=[services.Upload(k, f"{k}.pdf", PDF) for k in
                                           ("id_card", "photo", "lease", "labour_contract")])
    return {"counter": world.counter_a.pk, "counter_b": world.counter_b.pk, "app": app.pk, "booking": booking.pk,
            "slot": slot.pk}


def actors(cast, world):
    return {"alice": world.alice, "bob": world.bob, **{r: getattr(cast, r) for r in ROLES if r not in ("alice", "bob")}}


PUBLIC = dict.fromkeys(ROLES, 200)
CITIZENS = {"citizen": 200, "alice": 200, "bob": 200}
POLICE_ALL = {"analyst": 200, "chief_a": 200, "officer_a": 200, "officer_b": 200}
# page → expected status per role; a role not named gets 403 (the role may not use the page)
PAGES = [
    ("catalogue", "/citizen/", PUBLIC),
    ("catalogue channel", "/citizen/?channel=terminal", PUBLIC),
    ("service", "/citizen/services/residence_permit_first/", PUBLIC),
    ("display", "/citizen/counters/{counter}/display/", PUBLIC),
    ("me", "/citizen/me/", CITIZENS),
    ("book", "/citizen/counters/{counter}/book/", CITIZENS),
    ("permit new", "/citizen/permits/new/", CITIZENS),
    ("permit", "/citizen/permits/{app}/", {"alice": 200, "bob": 404, "citizen": 404, "analyst": 200, "chief_a": 200,
                                           "officer_a": 200, "officer_b": 404}),
    ("station", "/citizen/station/", POLICE_ALL),
    ("desk A", "/citizen/station/counters/{counter}/", {"analyst": 200, "chief_a": 200, "officer_a": 200,
                                                         "officer_b": 404}),
    ("desk B", "/citizen/station/counters/{counter_b}/", {"analyst": 200, "chief_a": 404, "officer_a": 404,
                                                           "officer_b": 200}),
]


@pytest.mark.parametrize(("name", "url", "ok"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_only_for_the_right_roles_and_jurisdiction(client, cast, world, objects, name, url, ok):
    got = {}
    for role, user in actors(cast, world).items():
        sign_in(client, user)
        got[role] = client.get(url.format(**objects)).status_code
    assert got == {r: ok.get(r, 403) for r in ROLES}


def test_anonymous_visitors_see_the_public_pages_and_sign_in_for_the_rest(client, objects):
    for url in ("/citizen/", "/citizen/services/id_card_replacement/", "/citizen/register/",
                "/citizen/counters/{counter}/display/"):
        assert client.get(url.format(**objects)).status_code == 200
    for url in ("/citizen/me/", "/citizen/permits/{app}/", "/citizen/station/", "/citizen/permits/new/"):
        response = client.get(url.format(**objects))
        assert response.status_code == 302 and "/login/" in response["Location"]


def _api(client, user, method, url, body=None):
    headers = {}
    if user is not None:
        purpose = "citizen_services" if user.role in POLICE else ""
        headers["Authorization"] = f"Bearer {token_create(user=user, name='t', purpose=purpose).secret}"
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, body or {}, content_type="application/json", headers=headers)


ENDPOINTS = [
    ("services", "get", "/api/v1/citizen/services", None, PUBLIC),
    ("counts", "get", "/api/v1/citizen/services/counts", None, PUBLIC),
    ("counters", "get", "/api/v1/citizen/counters", None, PUBLIC),
    ("slots", "get", "/api/v1/citizen/counters/{counter}/slots", None, PUBLIC),
    ("display", "get", "/api/v1/citizen/counters/{counter}/display", None, PUBLIC),
    ("bookings", "get", "/api/v1/citizen/bookings", None, PUBLIC),
    ("permits", "get", "/api/v1/citizen/permits", None, PUBLIC),
    ("permit", "get", "/api/v1/citizen/permits/{app}", None,
     {"alice": 200, "analyst": 200, "chief_a": 200, "officer_a": 200}),
    # a decision that does not exist: the desk gets as far as the 400; nobody changes the application
    ("decide", "post", "/api/v1/citizen/permits/{app}/decision", {"decision": "bogus"},
     {"chief_a": 400, "officer_a": 400, "analyst": 403, "alice": 403}),
    ("endorse", "post", "/api/v1/citizen/permits/{app}/endorse", None,
     {"chief_a": 400, "officer_a": 400, "analyst": 403, "alice": 400}),
    ("check-in", "post", "/api/v1/citizen/bookings/{booking}/check-in", {"id_number": "x"},
     {"chief_a": 400, "officer_a": 400, "analyst": 403, "alice": 403}),
    ("walk-in", "post", "/api/v1/citizen/counters/{counter}/walk-in", {},
     {"chief_a": 201, "officer_a": 201, "analyst": 403}),
    ("call-next", "post", "/api/v1/citizen/counters/{counter}/call-next", None,
     {"chief_a": 200, "officer_a": 200, "analyst": 403}),
    ("apply", "post", "/api/v1/citizen/permits", {"address": "某地某路1号", "adcode": "999999",
                                                  "residence_since": "2020-01-01", "basis": "employment"},
     {"alice": 400, "bob": 400, "citizen": 400, **dict.fromkeys(("admin", "auditor", "analyst", "chief_a",
                                                                 "officer_a", "officer_b", "landlord_a"), 403)}),
    # the slot has 2 places: alice holds one, bob takes the last, so alice (asked last) hears it is full, and so
    # does the citizen without an identity (asked after bob): a full slot is refused before the identity is read
    ("book", "post", "/api/v1/citizen/bookings", {"slot_id": "{slot}", "service": "residence_permit_first"},
     {"alice": 409, "bob": 201, "citizen": 409, **dict.fromkeys(("admin", "auditor", "analyst", "chief_a",
                                                                 "officer_a", "officer_b", "landlord_a"), 403)}),
    ("cancel", "post", "/api/v1/citizen/bookings/{booking}/cancel", None,
     {"alice": 200, "bob": 404, "citizen": 404, **dict.fromkeys(("admin", "auditor", "analyst", "chief_a",
                                                                 "officer_a", "officer_b", "landlord_a"), 403)}),
]


@pytest.mark.parametrize(("name", "method", "url", "body", "ok"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_each_endpoint_only_for_the_right_roles_and_jurisdiction(client, cast, world, objects, name, method, url,
                                                                   body, ok):
    got = {}
    order = sorted(actors(cast, world).items(), key=lambda kv: kv[0] == "alice")  # alice (who may cancel) last
    for role, user in order:
        data = {k: (int(v.format(**objects)) if isinstance(v, str) and v.startswith("{") else v)
                for k, v in (body or {}).items()}
        got[role] = _api(client, user, method, url.format(**objects), data or body).status_code
    assert got == {r: ok.get(r, 404) for r in ROLES}
    assert _api(client, None, method, url.format(**objects), body).status_code == (
        200 if ok is PUBLIC and method == "get" and "bookings" not in url and "permits" not in url else 401)


def test_lists_are_scoped_and_audited(client, cast, world, objects):
    for user, n in ((world.alice, 1), (world.bob, 0), (cast.officer_a, 1), (cast.officer_b, 0), (cast.analyst, 1),
                    (cast.admin, 0)):
        for url in ("/api/v1/citizen/bookings", "/api/v1/citizen/permits"):
            body = _api(client, user, "get", url).json()
            assert body["count"] == n, (user.username, url)
            if n:
                assert "*" in body["items"][0]["id_number_masked"]
                assert world.alice.identity.id_number not in str(body)
    reads = AuditRecord.objects.filter(object_type="PermitApplication.list", actor="officer_a")
    assert reads.exists() and reads.first().purpose == "citizen_services"


def test_a_citizen_books_and_cancels_through_the_pages(client, world):
    services.slots_open(counter=world.counter_a)
    sign_in(client, world.bob)
    page = client.get(f"/citizen/counters/{world.counter_a.pk}/book/")
    slots = page.context["slots"]
    assert slots and page.status_code == 200
    r = client.post(f"/citizen/counters/{world.counter_a.pk}/book/",
                    {"slot": slots[0].pk, "service": "id_card_replacement"})
    assert r.status_code == 302
    b = Booking.objects.get(citizen=world.bob)
    me = client.get("/citizen/me/").content.decode()
    assert world.counter_a.name in me
    when = f"{b.day:%Y-%m-%d} {b.slot.start:%H:%M}"
    named = f"居民身份证补领 · {world.counter_a.name} · {when}"  # service, office, day and time
    # the button's question (with JavaScript) names the appointment
    assert f'data-confirm="取消预约：{named}"' in me
    # a second step first (works without JavaScript): nothing is cancelled until it is confirmed, and the
    # confirmation page says which appointment
    step = client.post(f"/citizen/bookings/{b.pk}/cancel/")
    text = step.content.decode()
    assert step.status_code == 200 and 'id="confirm"' in text
    assert named in text
    b.refresh_from_db()
    assert b.status == "booked"
    done = client.post(f"/citizen/bookings/{b.pk}/cancel/", {"confirmed": "1"}, follow=True)
    b.refresh_from_db()
    assert b.status == "cancelled" if b.day > timezone.localdate() else "booked"
    if b.status == "cancelled":  # afterwards a message says which appointment was cancelled
        assert [str(m) for m in done.context["messages"]] == [f"已取消预约：{named}。该时段已释放给他人。"]


def test_the_cancel_question_and_message_speak_english_too(client, world):
    services.slots_open(counter=world.counter_a)
    client.cookies["django_language"] = "en"
    sign_in(client, world.bob)
    slot = Slot.objects.filter(counter=world.counter_a, day__gt=timezone.localdate()).order_by("day", "start")[0]
    b = services.booking_create(actor=world.bob, slot_id=slot.pk, service="id_card_replacement")
    named = f"Resident ID card: replacement · {world.counter_a.name} · {b.day:%Y-%m-%d} {slot.start:%H:%M}"
    assert f'data-confirm="Cancel the appointment: {named}"' in client.get("/citizen/me/").content.decode()
    assert named in client.post(f"/citizen/bookings/{b.pk}/cancel/").content.decode()
    done = client.post(f"/citizen/bookings/{b.pk}/cancel/", {"confirmed": "1"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        f"Appointment cancelled: {named}. The place is free again for others."]


def test_someone_elses_booking_is_not_named_nor_cancelled(client, world):
    services.slots_open(counter=world.counter_a)
    slot = Slot.objects.filter(counter=world.counter_a).order_by("day", "start")[0]
    b = services.booking_create(actor=world.alice, slot_id=slot.pk, service="id_card_replacement")
    sign_in(client, world.bob)
    assert client.post(f"/citizen/bookings/{b.pk}/cancel/").status_code == 404
    b.refresh_from_db()
    assert b.status == "booked"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_home_page_shows_every_count_with_a_label(client, world, language):
    """The citizen's home panel: upcoming appointments, applications in progress and notices, each a number
    (0 included) with its label (the counts were blank: the template read names the panel does not pass)."""
    services.slots_open(counter=world.counter_a)
    client.cookies["django_language"] = language
    sign_in(client, world.bob)
    html = client.get("/").content.decode()
    panel = html[html.index('id="home-citizen"'):]
    panel = panel[:panel.index("</section>")]
    import re

    figures = re.findall(r"<b>([^<]*)</b><span>([^<]*)</span>", panel)
    labels = (["待办预约", "办理中的申请", "条通知"] if language == "zh-hans"
              else ["upcoming appointments", "applications in progress", "notices"])
    assert figures == list(zip(["0", "0", "0"], labels, strict=True))
    slot = Slot.objects.filter(counter=world.counter_a).order_by("day", "start")[0]
    services.booking_create(actor=world.bob, slot_id=slot.pk, service="id_card_replacement")
    html = client.get("/").content.decode()
    one = "1</b><span>" + ("待办预约" if language == "zh-hans" else "upcoming appointment<")
    assert one in html


def test_the_station_home_panel_shows_its_counts_with_labels(client, cast, world, objects):
    sign_in(client, cast.chief_a)
    html = client.get("/").content.decode()
    panel = html[html.index('id="home-citizen-station"'):]
    panel = panel[:panel.index("</section>")]
    assert "<b>1</b><span>份待审核申请</span>" in panel
    assert "<b>0</b><span>份逾期未发证</span>" in panel


def test_an_application_through_the_pages_with_one_notice_then_the_station(client, cast, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    carol = make_citizen("carol", seed=3)
    sign_in(client, carol)
    r = client.post("/citizen/permits/new/", {
        "address": "思明区莲前东路8号", "adcode": "350203010", "residence_since": "2020-05-01", "basis": "employment",
        "doc_id_card": SimpleUploadedFile("id.pdf", PDF)}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    app = PermitApplication.objects.get(applicant=carol)
    assert r.status_code == 302 and app.status == "incomplete"
    page = client.get(f"/citizen/permits/{app.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for label in ("近期证件照片", "房屋租赁合同", "劳动合同"):  # every missing document, in one place
        assert label in page
    client.post(f"/citizen/permits/{app.pk}/", {"action": "documents", "doc_photo": SimpleUploadedFile("p.png",
                b"\x89PNG\r\n\x1a\nxx"), "doc_extra": SimpleUploadedFile("lease.pdf", PDF), "kind_extra": "lease",
                "doc_labour_contract": SimpleUploadedFile("c.pdf", PDF)})
    app.refresh_from_db()
    assert app.status == "submitted" and app.missing == []
    sign_in(client, cast.officer_a)
    assert f"RP-{app.pk}" in client.get("/citizen/station/").content.decode()
    client.post(f"/citizen/permits/{app.pk}/", {"action": "accept"})
    app.refresh_from_db()
    assert app.status == "accepted" and app.due_on == timezone.localdate() + dt.timedelta(days=15)
    sign_in(client, carol)
    page = client.get("/citizen/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Application RP-{app.pk} was accepted" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sign_up_says_a_taken_name_and_a_weak_password_in_the_viewers_language(client, world, language):
    from citizen_support import PASSWORD, fake_name, id_number

    def sign_up(username, password):
        response = client.post("/citizen/register/", {
            "name": fake_name(60), "id_number": id_number(60), "username": username, "password": password},
            HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200  # the form again, with the message
        return response.content.decode()

    taken = sign_up(world.alice.username, PASSWORD)  # alice's user name, a good password
    weak = sign_up("dora", "x7#Lq")  # a free user name, a short password
    common = sign_up("dora", "password123")
    if language == "zh-hans":
        assert f"用户名 {world.alice.username} 已被占用：请换一个。" in taken
        assert "请设置更强的密码。" in weak and "密码长度太短。密码必须包含至少 10 个字符。" in weak
        assert "请设置更强的密码。" in common and "这个密码太常见了。" in common
        for page in (taken, weak, common):  # the English of the service (the API's detail) is not shown
            for english in ("is taken", "too weak", "too short", "too common", "This password"):
                assert english not in page
    else:
        assert f"The user name {world.alice.username} is taken: choose another one." in taken
        assert "Choose a stronger password. This password is too short. It must contain at least 10 characters." \
            in weak
        assert "Choose a stronger password. This password is too common." in common
    assert not world.alice.__class__.objects.filter(username="dora").exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_viewers_language(client, cast, world, objects, language):
    """Each page (and each service of the catalogue) for each kind of account that may see it: no rule-set ids,
    internal identifiers or repository paths; an English page has no Chinese but names and addresses, a
    Chinese page no English sentence (tests/page_language.py)."""
    from page_language import check_pages, data_values

    data = data_values("citizen.Counter.name", "citizen.Counter.address", "citizen.Identity.name",
                       "citizen.PermitApplication.name", "citizen.PermitApplication.address")
    services_pages = [(f"service {code}", f"/citizen/services/{code}/", PUBLIC)
                      for code in (s["code"] for s in services.catalogue_data()["service"])]
    transit = ("transit", "/citizen/transit/?nationality=ID&port=XMN&entry_at=2025-06-01T10:00&exit_at=2025-06-20T10:00"
               "&coming_from=KR&going_to=KR&areas=350203&purpose=work", PUBLIC)  # every condition's text shown
    pages = [*PAGES, *services_pages, transit, ("register", "/citizen/register/", {"anonymous": 200})]
    found = check_pages(client, pages, actors(cast, world), objects, sign_in, language, data)
    assert not found, found


def test_api_document_upload_only_by_the_applicant(client, cast, world, objects):
    """``POST /api/v1/citizen/permits/{id}/documents`` (multipart): every role, own and other application."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    url = f"/api/v1/citizen/permits/{objects['app']}/documents"

    def upload(user, data=png, kind="photo"):
        headers = {}
        if user is not None:
            purpose = "citizen_services" if user.role in POLICE else ""
            headers["Authorization"] = f"Bearer {token_create(user=user, name='t', purpose=purpose).secret}"
        return client.post(url, {"kind": kind, "document": SimpleUploadedFile("photo.png", data)}, headers=headers)

    got = {role: upload(user).status_code for role, user in actors(cast, world).items()}
    assert got == {r: {"alice": 201, "bob": 404, "citizen": 404}.get(r, 403) for r in ROLES}
    assert upload(None).status_code == 401
    bad = upload(world.alice, data=b"MZ\x90\x00")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_document_type"
    assert upload(world.alice, kind="passport_scan").json()["code"] == "bad_document_kind"
    assert PermitApplication.objects.get(pk=objects["app"]).documents.filter(kind="photo").count() == 2


def test_an_account_without_an_identity_is_told_before_the_form(client, cast, world):
    """Issue 11's trial: an account made with `pingan user create --role citizen` walked through a booking and only
    on pressing 预约 read "该账号没有实名信息…". My services, the booking page and the permit application say so
    first, with no form to fill in; a citizen with an identity sees the forms as before."""
    sign_in(client, cast.citizen)
    for lang, said in (("zh-hans", "该账号没有实名信息（姓名和身份证号码），不能预约"),
                       ("en", "This account has no real-name identity (name and ID number), so it cannot book")):
        client.cookies["django_language"] = lang
        for url in ("/citizen/me/", f"/citizen/counters/{world.counter_a.pk}/book/", "/citizen/permits/new/"):
            html = client.get(url).content.decode()
            assert 'id="no-identity"' in html and said in html, url
            assert 'id="book-form"' not in html and 'enctype="multipart/form-data"' not in html, url
    sign_in(client, world.alice)
    for url in ("/citizen/me/", f"/citizen/counters/{world.counter_a.pk}/book/", "/citizen/permits/new/"):
        assert 'id="no-identity"' not in client.get(url).content.decode(), url
