"""The page decorator is core's shared machinery (``core.web.page``): every app's page views go through it for
sign-in, the police purpose of use, the allowed roles and refusals — no view checks the purpose by hand, and no
app reaches into another app (``dashboard``) for it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"


def test_it_lives_in_core_not_in_the_dashboard():
    from pingan.core.web import POLICE, SUBMITTERS, page  # noqa: F401

    assert importlib.util.find_spec("pingan.dashboard.web") is None
    users = [p for p in SRC.rglob("*.py") if "dashboard.web" in p.read_text(encoding="utf-8")]
    assert users == []


def test_no_view_checks_the_purpose_of_use_by_hand():
    by_hand = [f"{p.relative_to(SRC)}:{n}" for p in SRC.glob("*/views.py")
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\bneeds_purpose\(", line)]
    assert by_hand == []


@pytest.mark.parametrize("path", ["/codes/police/", "/premises/", "/"])
def test_a_police_page_still_asks_for_the_purpose_first(client, cast, path):
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/purpose/?next=")


def test_the_audit_page_stays_closed_to_an_officer_and_open_to_the_auditor(client, cast):
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    assert client.get("/audit/").status_code == 403
    client.force_login(cast.auditor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/audit/").status_code == 200


def test_a_premises_outside_the_jurisdiction_is_a_404_page(client, cast):
    client.force_login(cast.officer_b, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    assert client.get(f"/premises/{cast.premises_a.pk}/").status_code == 404
    assert client.get(f"/codes/premises/{cast.premises_a.pk}/").status_code == 404
    assert client.get(f"/premises/{cast.premises_b.pk}/").status_code == 200
