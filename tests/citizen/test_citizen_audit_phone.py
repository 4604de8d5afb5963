"""Issue 11: the audit search promises a match by phone number; a citizen's identity holds one, so reading or
creating it keeps its digest."""

from __future__ import annotations

import pytest

from pingan.citizen.models import Identity
from pingan.citizen.selectors import _person
from pingan.core import audit

pytestmark = pytest.mark.django_db


def test_an_identity_is_found_by_its_phone():
    (subject,) = _person(Identity(name="沈云", id_number="", phone="138 1234 5678"))
    assert audit.subject_keys_for_query("13812345678") & audit.subject_keys(subject)
    assert not audit.subject_keys_for_query("13812345679") & audit.subject_keys(subject)
