"""Photos of items and signatures of holder and witness: stored content-addressed like digital evidence,
hashed, re-hashed on every read (a changed byte is caught, never served), on the item's chain, drawn on the
printed seizure list; who may add and read them, role × own/other jurisdiction."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image
from test_evidence_web import actors, sign_in, token_create

from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import AuditRecord
from pingan.evidence import chainexport, selectors, services
from pingan.evidence.models import Attachment, Item

pytestmark = pytest.mark.django_db


def image(fmt: str = "JPEG", colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, fmt)
    return buf.getvalue()


def test_a_photo_is_stored_by_hash_on_the_chain_and_lets_a_valuable_in(cast, case, people, store):
    _, items = case
    ring = items[2]
    data = image()
    a = services.item_photo_add(actor=cast.officer_a, label=ring.label, name="ring.jpg", data=data)
    assert a.content_type == "image/jpeg" and services.blob_path(a.sha256).read_bytes() == data
    ring = Item.objects.get(pk=ring.pk)
    ev = ring.events.order_by("-seq").first()
    assert ring.photos == 1 and ev.kind == "photo" and ev.detail["sha256"] == a.sha256
    assert services.item_verify(item=ring).ok
    services.item_value(actor=people.custodian, label=ring.label, photos=ring.photos, value_cents=180_000)
    services.scan(actor=people.custodian, label=ring.label, location_code="SW-V1")  # photographed and valued
    got, body = selectors.attachment_open(actor=cast.officer_a, attachment_id=a.pk)
    assert got == a and body == data
    for bad, code in ((b"not an image", "bad_image"), (b"", "empty_file"), (image("GIF"), "bad_image")):
        with pytest.raises(DomainError) as e:
            services.item_photo_add(actor=people.custodian, label=ring.label, name="x", data=bad)
        assert e.value.code == code
    for who in (cast.officer_b, people.procurator, people.custodian_elsewhere):
        with pytest.raises((PermissionDenied, NotFound)):
            services.item_photo_add(actor=who, label=ring.label, name="x.jpg", data=data)
    with pytest.raises(PermissionDenied):  # police of the jurisdiction who do not investigate the case
        services.item_photo_add(actor=cast.chief_a, label=ring.label, name="x.jpg", data=data)


def test_a_changed_byte_in_a_photo_is_caught_and_not_served(cast, case, people, store):
    _, items = case
    a = services.item_photo_add(actor=cast.officer_a, label=items[0].label, name="p.jpg", data=image())
    path = services.blob_path(a.sha256)
    path.chmod(0o640)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(selectors.Tampered):
        selectors.attachment_open(actor=cast.officer_a, attachment_id=a.pk)
    item = Item.objects.get(pk=items[0].pk)
    ev = item.events.order_by("-seq").first()
    assert ev.kind == "integrity_failure" and ev.detail["expected"] == a.sha256
    assert services.item_verify(item=item).ok


def _sign_and_print(cast, people, case, tmp_path):
    _, items = case
    sl_id = items[0].seizure_list_id
    pad = image("PNG", (255, 255, 255))
    with pytest.raises(DomainError) as e:  # a signature pad gives a PNG
        services.seizure_list_sign(actor=cast.officer_a, list_id=sl_id, signer="holder", png=image("JPEG"))
    assert e.value.code == "bad_image"
    for who in (cast.chief_a, people.custodian, cast.officer_b, people.procurator):
        with pytest.raises((PermissionDenied, NotFound)):
            services.seizure_list_sign(actor=who, list_id=sl_id, signer="holder", png=pad)
    h = services.seizure_list_sign(actor=cast.officer_a, list_id=sl_id, signer="holder", png=pad)
    w = services.seizure_list_sign(actor=people.officer_a2, list_id=sl_id, signer="witness",
                                   png=image("PNG", (250, 250, 250)))
    with pytest.raises(DomainError) as e:
        services.seizure_list_sign(actor=cast.officer_a, list_id=sl_id, signer="holder", png=pad)
    assert e.value.code == "already_signed"
    assert AuditRecord.objects.filter(action="sign", object_id="KY-2026-001").count() == 2
    return sl_id, h, w


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")
def test_signatures_are_drawn_on_the_three_copies_unless_their_hash_fails(cast, case, people, store, tmp_path):
    sl_id, holder, _ = _sign_and_print(cast, people, case, tmp_path)

    def printed():
        sl = selectors.seizure_list_get(actor=cast.officer_a, list_id=sl_id)
        path = tmp_path / "sl.pdf"
        path.write_bytes(chainexport.seizure_list_document(
            sl, selectors.signatures_checked(actor=cast.officer_a, seizure_list=sl)))
        images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True).stdout
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
        return len(images.decode().splitlines()) - 2, text

    n, text = printed()
    assert n == 6 and "未显示" not in text  # two signatures on each of three copies
    path = services.blob_path(holder.sha256)
    path.chmod(0o640)
    path.write_bytes(image("PNG", (0, 0, 0)))
    n, text = printed()
    assert n == 3 and text.count("未显示") == 3  # the holder's is refused on every copy, the witness's stays
    assert AuditRecord.objects.filter(action="integrity_failure", object_type="EvidenceAttachment").exists()


def test_photo_and_signature_reads_by_role_and_jurisdiction(client, cast, people, case, store):
    _, items = case
    photo = services.item_photo_add(actor=cast.officer_a, label=items[0].label, name="p.jpg", data=image())
    sig = services.seizure_list_sign(actor=cast.officer_a, list_id=items[0].seizure_list_id, signer="holder",
                                     png=image("PNG"))
    # the photo follows the item (the case's police, the store, analysts); the signature the seizure list
    ok = {"analyst", "chief_a", "officer_a", "custodian"}
    for role, user in actors(cast, people).items():
        for a in (photo, sig):
            r = client.get(f"/api/v1/evidence/attachments/{a.pk}",
                           HTTP_AUTHORIZATION=f"Bearer {token_create(user=user).secret}")
            assert r.status_code == (200 if role in ok else 404), (role, a.kind, r.status_code)
            sign_in(client, user)
            r = client.get(f"/evidence/attachments/{a.pk}/")
            readers = {"analyst", "chief_a", "officer_a", "officer_b", "custodian", "custodian_elsewhere",
                       "procurator", "clerk"}
            assert r.status_code == (200 if role in ok else 404 if role in readers else 403), (role, a.kind)
            client.logout()


def test_photo_and_signature_writes_through_the_api_by_role(client, cast, people, case, store):
    _, items = case
    allowed_photo = {"officer_a", "custodian"}
    allowed_sign = {"officer_a"}
    for role, user in actors(cast, people).items():
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user).secret}"}
        r = client.post(f"/api/v1/evidence/items/{items[0].label}/photos",
                        {"file": _upload("p.jpg", image())}, **auth)
        assert (r.status_code == 201) == (role in allowed_photo), (role, r.status_code, r.content[:200])
        if r.status_code != 201:
            assert r.status_code in (403, 404) and r["Content-Type"] == "application/problem+json"
        if role not in allowed_sign:
            r = client.post(f"/api/v1/evidence/seizure-lists/{items[0].seizure_list_id}/signatures",
                            {"signer": "witness", "file": _upload("s.png", image("PNG"))}, **auth)
            assert r.status_code in (403, 404), (role, r.status_code)
    r = client.post(f"/api/v1/evidence/seizure-lists/{items[0].seizure_list_id}/signatures",
                    {"signer": "witness", "file": _upload("s.png", image("PNG"))},
                    HTTP_AUTHORIZATION=f"Bearer {token_create(user=cast.officer_a).secret}")
    assert r.status_code == 201 and r.json()["signer"] == "witness"
    assert Attachment.objects.filter(kind="photo").count() == 2


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_case_page_keeps_a_signature_from_the_pad(client, cast, people, case, store):
    import base64

    _, items = case
    sign_in(client, cast.officer_a)
    page = client.get(f"/evidence/cases/{items[0].case_id}/").content.decode()
    assert "sign-pad" in page
    png = "data:image/png;base64," + base64.b64encode(image("PNG")).decode()
    client.post(f"/evidence/cases/{items[0].case_id}/", {"form": "sign", "list": items[0].seizure_list_id,
                                                         "signer": "holder", "png": png})
    assert Attachment.objects.get().signer == "holder"
