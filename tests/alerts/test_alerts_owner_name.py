"""The alert payload the worker pushes to terminals names who took an alert as pages name an account
(``User.shown_name``), in both languages — it named an account without a display name by its login (issue 11's
trial: a user name where pages show a name)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_payload_names_the_owner_as_pages_do_never_by_the_login(cast):
    from pingan.alerts.models import Alert
    from pingan.alerts.services import alert_payload
    from pingan.core.services import user_create

    officer = user_create(username="lq_officer_7", password=None, role="officer", unit=cast.unit_a)
    alert = Alert(pk=1, unit=cast.unit_a, owner=officer, summary="", params={}, labels={}, priority="P2",
                  rule_id="sos", state="acknowledged")
    fields = {f.name for f in Alert._meta.fields}
    if "raised_at" in fields:
        from django.utils import timezone

        alert.raised_at = timezone.now()
    payload = alert_payload(alert)
    assert payload["owner"] == "莲前派出所民警" and payload["owner_en"] == "officer of Lianqian Police Station"
    assert "lq_officer_7" not in str(payload)
