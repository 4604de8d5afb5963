"""Issue 11: the audit search promises a match by phone number; a fraud report's victim and a warning's person are
shown with their phone, so their reads keep its digest (a warning often has no name: the phone is all there is)."""

from __future__ import annotations

import pytest

from pingan.antifraud.models import FraudReport, Warning
from pingan.antifraud.selectors import report_subjects, warning_subjects
from pingan.core import audit

pytestmark = pytest.mark.django_db


def keys(subjects) -> set[int]:
    return set().union(*(audit.subject_keys(s) for s in subjects))


@pytest.mark.parametrize("written", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_a_report_and_a_warning_are_found_by_the_phone_they_show(written):
    report = FraudReport(victim_name="沈云", victim_id_number="", victim_phone="13812345678")
    warning = Warning(person_phone="+8613812345678", person_name="")
    assert audit.subject_keys_for_query(written) & keys(report_subjects(report))
    assert audit.subject_keys_for_query(written) & keys(warning_subjects(warning))
    assert not audit.subject_keys_for_query("13812345679") & keys(warning_subjects(warning))
