"""The screening and police pages speak their reader's language alone (issue 11, "Language"): every page of
the permission matrix, for every kind of account that may see it, in Chinese and in English — checked with
tests/page_language.py, as the other apps' pages are."""

from __future__ import annotations

import pytest
from test_web_permissions import PAGES, objects  # noqa: F401 - objects is a fixture the test uses
from web_support import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_screening_and_police_page_is_in_one_language(client, cast, objects, language):  # noqa: F811
    from page_language import check_pages, data_values

    people = {role: getattr(cast, role) for role in ("admin", "auditor", "analyst", "chief_a", "officer_a",
                                                    "officer_b", "landlord_a", "landlord_b", "enterprise", "citizen")
              if hasattr(cast, role)}
    # the fixture's rows are stored as results were before codes (a Chinese reason, Chinese match reasons): that
    # stored text is data here; results stored as codes are checked by test_web_rejection_language
    data = data_values("screening.PersonResult.name", "screening.PersonResult.address",
                       "screening.ScreeningJob.roster_name", "screening.PersonResult.reason",
                       values=("证件号码一致",))
    found = check_pages(client, PAGES, people, objects, sign_in, language, data)
    assert not found, found
