"""A premises is named with its flat or room wherever it is named (issue 11: the door poster said only
"莲前东路 88 号" for "3 单元 101 室", and the officer's premises list showed six flats of one building as six
identical lines): ``Premises.label`` (name and room) and ``Premises.place`` (address and room) — the lists of
the police and the landlord, the code page, the poster, the signed code the verification page and
``pingan code verify`` show, the audit page's names and the upload form's choices."""

from __future__ import annotations

import subprocess
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.core.models import premises_label
from pingan.core.services import premises_create

pytestmark = pytest.mark.usefixtures("isolated")

NAME = "莲前东路 88 号"
ROOMS = ("3 单元 101 室", "3 单元 102 室")


def test_the_label_adds_the_room_once_and_keeps_it_within_a_limit():
    assert premises_label(NAME, ROOMS[0]) == "莲前东路 88 号 3 单元 101 室"
    assert premises_label(NAME, "") == NAME
    assert premises_label("莲前东路 88 号 3 单元 101 室", "3单元101室") == "莲前东路 88 号 3 单元 101 室"
    short = premises_label("很长的场所名称" * 10, ROOMS[0], limit=40)
    assert len(short) <= 40 and short.endswith(ROOMS[0])


@pytest.fixture
def flats(cast):
    return [premises_create(actor=cast.landlord_a, name=NAME, kind="rental", address="思明区莲前东路 88 号",
                            room=room, adcode="350203010") for room in ROOMS]


def test_the_police_and_landlord_lists_tell_the_flats_apart(client, cast, flats):
    sign_in(client, cast.officer_a)
    page = client.get(reverse("dashboard:jurisdiction"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for room in ROOMS:
        assert f"{NAME} {room}" in page and f"思明区莲前东路 88 号 {room}" in page
    client.logout()
    sign_in(client, cast.landlord_a)
    page = client.get(reverse("screening:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert all(f"{NAME} {room}" in page for room in ROOMS)
    upload = client.get(reverse("screening:upload"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert all(room in upload for room in ROOMS)


def test_the_code_its_poster_and_its_verification_name_the_flat(client, cast, flats, tmp_path):
    screened(flats[0], ["green"])
    code = services.safety_code_issue(premises=flats[0], actor=None)
    assert services.code_claims(code).premises_name == f"{NAME} {ROOMS[0]}"  # what every verifier shows

    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("codes:premises", args=[flats[0].pk])).content.decode()
    assert f"{NAME} {ROOMS[0]}" in page
    pdf = client.get(reverse("codes:poster", args=[flats[0].pk])).content
    (tmp_path / "poster.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "poster.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "3 单元 101 室" in text.replace("\n", " ")

    out = StringIO()
    call_command("code", "verify", code.token, stdout=out, stderr=StringIO())
    assert f"{NAME} {ROOMS[0]}" in out.getvalue()

    from pingan.core import audit

    described = audit.describe_objects([("SafetyCode", code.code_id), ("Premises", str(flats[1].pk))])
    assert ROOMS[0] in described[("SafetyCode", code.code_id)]
    assert ROOMS[1] in described[("Premises", str(flats[1].pk))]
