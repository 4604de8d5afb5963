"""The purpose of use fits the action (issue 11: an alert acknowledgement was audited under "epidemic prevention
screening", the purpose chosen once for the session). Alert handling, dispatch, anti-fraud, citizen services and
case property record under the purpose their app fixes (``core.audit.FIXED_PURPOSES``), on pages and through
the API; screening and jurisdiction pages under the purpose declared for the session, which ``/purpose/``
asks again when it is not one an officer declares."""

from __future__ import annotations

import pytest
from alerts_support import LQ_SOS, ingest, payload, sign_in

pytestmark = pytest.mark.django_db


def _flagged_person(cast):
    """A finished screening of premises A with one red person (the officer of A may read it)."""
    from django.utils import timezone

    from pingan.screening.models import PersonResult, ScreeningJob

    now = timezone.now()
    job = ScreeningJob.objects.create(premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="r.csv",
                                      roster_sha256="0" * 64, status="done", progress=100, as_of=now,
                                      started_at=now, finished_at=now, counts={"accepted": 1, "red": 1})
    return PersonResult.objects.create(job=job, row=2, status="accepted", level="red", name="张伟", doc_type="ric",
                                       id_number="350203199001011230", identity_status="valid")


@pytest.fixture
def alert(on_duty, clock, worker):
    from pingan.alerts.models import Alert

    ingest(payload("p-1", LQ_SOS, "sos", clock()))
    worker().step()
    return Alert.objects.get(rule_id="sos", open=True)


def _purposes(action: str, object_type: str) -> list[str]:
    from pingan.core.models import AuditRecord

    return list(AuditRecord.objects.filter(action=action, object_type=object_type).values_list("purpose", flat=True))


def test_an_alert_acknowledgement_and_a_screening_read_are_recorded_under_their_own_purposes(client, on_duty,
                                                                                             alert):
    person = _flagged_person(on_duty)
    sign_in(client, on_duty.officer_a, purpose="epidemic_screening")  # declared once, at sign-in
    assert client.get(f"/police/persons/{person.pk}/").status_code == 200
    r = client.post(f"/alerts/{alert.pk}/", {"to": "acknowledged"})
    assert r.status_code in (200, 302), r.content[:300]
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    assert _purposes("read", "PersonResult") == ["epidemic_screening"]
    assert _purposes("alert_acknowledged", "Alert") == ["alert_response"]
    # the frame says which purpose applies here: fixed on the alert page, declared (and changeable) elsewhere
    html = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="audit-purpose"' in html and "处置警情" in html and "/purpose/?next=" not in html.split(
        'id="audit-purpose"')[1].split("</p>")[0]
    assert set(_purposes("read", "Alert")) == {"alert_response"}  # the alert page itself
    html = client.get(f"/police/persons/{person.pk}/").content.decode()
    assert "疫情防控筛查" in html.split('id="audit-purpose"')[1].split("</p>")[0]


def test_an_api_token_declared_for_another_purpose_acknowledges_under_alert_response(client, on_duty, alert):
    import json

    from pingan.core.services import token_create

    secret = token_create(user=on_duty.officer_a, name="t", purpose="case_investigation").secret
    r = client.post(f"/api/v1/alerts/{alert.pk}/transition", json.dumps({"to": "acknowledged"}),
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200, r.content
    assert _purposes("alert_acknowledged", "Alert") == ["alert_response"]
    person = _flagged_person(on_duty)  # a screening read through the same token keeps the token's purpose
    r = client.get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200, r.content
    assert set(_purposes("read", "PersonResult")) == {"case_investigation"}


def test_the_purpose_page_offers_only_what_an_officer_declares_and_asks_again_for_another(client, on_duty):
    sign_in(client, on_duty.officer_a, purpose="alert_response")  # e.g. a session from before: not declarable
    r = client.get("/police/")
    assert r.status_code == 302 and r["Location"].startswith("/purpose/")
    html = client.get(r["Location"]).content.decode()
    assert 'value="epidemic_screening"' in html and 'value="jurisdiction_management"' in html
    assert 'value="alert_response"' not in html and 'value="dispatch"' not in html
    assert client.post("/purpose/?next=/police/", {"purpose": "alert_response"}).status_code == 400
    r = client.post("/purpose/?next=/police/", {"purpose": "jurisdiction_management"})
    assert r.status_code == 302 and r["Location"] == "/police/"
    assert client.get("/police/").status_code == 200
    # the alerts terminal needs no declared purpose at all: its own is fixed
    sign_in(client, on_duty.officer_b, purpose="")
    assert client.get("/alerts/").status_code == 200


@pytest.mark.parametrize("app, purpose", [("alerts", "alert_response"), ("dispatch", "dispatch"),
                                          ("antifraud", "fraud_prevention"), ("citizen", "citizen_services"),
                                          ("evidence", "case_investigation"), ("dashboard", ""),
                                          ("screening", ""), ("codes", "")])
def test_each_app_whose_law_fixes_the_purpose_declares_it(app, purpose):
    # the apps' registrations run at import (selectors) or in ready()
    import pingan.alerts.selectors
    import pingan.dispatch.selectors  # noqa: F401
    from pingan.core import audit

    assert audit.fixed_purpose(f"pingan.{app}.views") == purpose
    assert audit.fixed_purpose(f"pingan.{app}.api") == purpose
