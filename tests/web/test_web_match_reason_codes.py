"""Match reasons stored as codes and parameters (issue 11: the engines' English lines were stored and the pages
parsed them at display time): a screening stores codes, the API still answers the engine's English lines (its
stable form) with the codes beside them, and the migration converts the rows stored before — and back."""

from __future__ import annotations

import importlib

import pytest
from web_support import screened_by_engine, sign_in  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_a_screening_stores_codes_and_the_api_keeps_the_engines_lines(client, cast, screened_by_engine):  # noqa: F811
    from pingan.screening.models import Hit, PersonResult

    job, _b = screened_by_engine
    person = PersonResult.objects.get(job=job, name="甲红")
    stored = [r for h in Hit.objects.filter(person=person) for r in h.match_reasons]
    assert stored and all(isinstance(r, dict) and set(r) == {"code", "params"} for r in stored), stored
    assert {"code": "area_stay", "params": {"level": "high", "area": "k-high", "days": "7"}} in stored
    sign_in(client, cast.officer_a)
    body = client.get(f"/api/v1/persons/{person.pk}").json()
    lines = [line for h in body["hits"] for line in h["match_reasons"]]
    assert "stayed in listed high-risk area k-high while it was listed, within 7 days" in lines
    assert "document number equal" in lines
    codes = [r for h in body["hits"] for r in h["match_reason_codes"]]
    assert {"code": "area_stay", "params": {"level": "high", "area": "k-high", "days": "7"}} in codes


def test_the_migration_converts_the_lines_stored_before_and_back(cast):
    from django.apps import apps
    from web_support import make_job

    from pingan.screening.models import Hit

    make_job(cast.landlord_a, cast.premises_a, "甲")
    old = ["document number equal", "stayed in listed high-risk area k-high while it was listed, within 7 days",
           "证件号码一致"]
    Hit.objects.update(match_reasons=old)
    migration = importlib.import_module("pingan.screening.migrations.0013_match_reasons_as_codes")
    migration.forwards(apps, None)
    hit = Hit.objects.first()
    assert hit.match_reasons == [
        {"code": "document_equal", "params": {}},
        {"code": "area_stay", "params": {"level": "high", "area": "k-high", "days": "7"}},
        {"code": "text", "params": {"text": "证件号码一致"}}]
    migration.backwards(apps, None)
    assert all(h.match_reasons == old for h in Hit.objects.all())
