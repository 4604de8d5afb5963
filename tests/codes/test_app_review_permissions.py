"""Releasing a suspended code is a police step (the roster left out people who were flagged before): every
role, in the premises' jurisdiction and outside it, on the queue page, the page's release form and the API.

Only an officer or a station chief of the premises' jurisdiction releases it; everyone else leaves the review
open and the premises without a code: outside the jurisdiction (and for accounts that see no premises) the
review does not exist (404); the owner and the bureau's analyst see it but may not release it (403)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode

pytestmark = pytest.mark.usefixtures("isolated")

NOTE = "走访核实：两名租户已于上周搬离"

#: who may release: the premises (``premises_a``) is in station A's jurisdiction
RELEASES = {"officer_a", "chief_a"}
#: who sees the review but may not release it
SEES_ONLY = {"landlord_a", "analyst"}
#: who does not see it at all
NOT_FOUND = {"officer_b", "chief_b", "landlord_b", "enterprise", "citizen", "admin", "auditor"}
ROLES = sorted(RELEASES | SEES_ONLY | NOT_FOUND)


@pytest.fixture
def review(cast):
    """Premises A's code suspended: a roster with a red person, then one without them (lower level)."""
    screened(cast.premises_a, ["green", "red"])
    services.safety_code_derive(premises=cast.premises_a)  # what a finished screening's hook does
    assert SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True).level == "red"
    screened(cast.premises_a, ["green"])
    assert services.safety_code_derive(premises=cast.premises_a).outcome == "suspended"
    rv = CodeReview.objects.get(premises=cast.premises_a, status="open")
    assert not SafetyCode.objects.filter(premises=cast.premises_a, revoked_at__isnull=True).exists()
    return rv


def _released(rv: CodeReview, by) -> bool:
    rv.refresh_from_db()
    live = SafetyCode.objects.filter(premises_id=rv.premises_id, revoked_at__isnull=True)
    if rv.status == "released":
        assert rv.decided_by_id == by.pk and rv.note == NOTE and live.get().level == "green"
        return True
    assert rv.status == "open" and not live.exists()
    return False


@pytest.mark.parametrize("who", ROLES)
def test_release_through_the_page(client, people, review, who):
    user = people[who]
    sign_in(client, user)
    response = client.post(reverse("codes:review_release", args=[review.pk]), {"note": NOTE})
    if who in NOT_FOUND:
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response.url == reverse("codes:police")
    assert _released(review, user) is (who in RELEASES)


@pytest.mark.parametrize("who", ROLES)
def test_release_through_the_api(client, people, review, who):
    user = people[who]
    sign_in(client, user)
    response = client.post(f"/api/v1/codes/reviews/{review.pk}/release", {"note": NOTE},
                           content_type="application/json", HTTP_X_PURPOSE="epidemic_screening")
    expected = 200 if who in RELEASES else 403 if who in SEES_ONLY else 404
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == "released" and response.json()["decided_by"] == who
    else:
        assert response["Content-Type"].startswith("application/problem+json")
    assert _released(review, user) is (who in RELEASES)


@pytest.mark.parametrize("who", ROLES)
def test_the_queue_lists_the_suspended_code_to_the_jurisdictions_police_only(client, people, review, who):
    user = people[who]
    sign_in(client, user)
    api = client.get("/api/v1/codes/reviews", {"status": "open"}, HTTP_X_PURPOSE="epidemic_screening")
    assert api.status_code == 200
    assert [r["id"] for r in api.json()] == ([review.pk] if who in RELEASES | SEES_ONLY else [])
    page = client.get(reverse("codes:police"))
    if user.role in ("officer", "station_chief", "analyst"):
        assert page.status_code == 200
        listed = f'id="review-{review.pk}"' in page.content.decode()
        form = reverse("codes:review_release", args=[review.pk]) in page.content.decode()
        assert listed is (who in RELEASES | {"analyst"})
        assert form is (who in RELEASES)  # the analyst reads the queue; no release button it may not use
    else:  # the queue exists, not for this role: the site's 403 page
        assert page.status_code == 403


def test_anonymous_visitors_release_nothing(client, review):
    assert client.post(reverse("codes:review_release", args=[review.pk]), {"note": NOTE}).status_code == 302
    response = client.post(f"/api/v1/codes/reviews/{review.pk}/release", {"note": NOTE},
                           content_type="application/json")
    assert response.status_code == 401
    review.refresh_from_db()
    assert review.status == "open"


def test_a_release_needs_a_note_and_happens_once(client, people, review):
    sign_in(client, people["officer_a"])
    url = f"/api/v1/codes/reviews/{review.pk}/release"
    empty = client.post(url, {"note": "  "}, content_type="application/json", HTTP_X_PURPOSE="epidemic_screening")
    assert empty.status_code == 400 and empty.json()["code"] == "note_required"
    assert client.post(url, {"note": NOTE}, content_type="application/json",
                       HTTP_X_PURPOSE="epidemic_screening").status_code == 200
    again = client.post(url, {"note": NOTE}, content_type="application/json", HTTP_X_PURPOSE="epidemic_screening")
    assert again.status_code in (400, 409) and again.json()["code"] == "review_closed"
    assert SafetyCode.objects.filter(premises_id=review.premises_id, revoked_at__isnull=True).count() == 1
