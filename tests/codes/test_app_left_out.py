"""Flagged people a newer roster leaves out while the level does not go down (the code stays red or yellow, so
no suspension): they stay in the police view — the jurisdiction list, its counts, the premises page — marked
as not on the latest roster, until an officer or station chief of the jurisdiction confirms they left (a note
required, audited) or a later roster brings them back (docs/codes.md "A roster that drops people")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.core.models import AuditRecord
from pingan.dashboard import selectors as dashboard
from pingan.screening.models import PersonResult, ScreeningJob

pytestmark = pytest.mark.usefixtures("isolated")

NOTE = "走访核实：该租户已于上周搬离"
#: who confirms: the premises (``premises_a``) is in station A's jurisdiction
CONFIRMS = {"officer_a", "chief_a"}
#: who sees the review (and the premises) but may not confirm
SEES_ONLY = {"landlord_a", "analyst"}
NOT_FOUND = {"officer_b", "chief_b", "landlord_b", "enterprise", "citizen", "admin", "auditor"}
ROLES = sorted(CONFIRMS | SEES_ONLY | NOT_FOUND)


def roster(premises, levels: list[str], *, same_as: dict[int, PersonResult] | None = None):
    """A finished screening of ``levels`` whose rows at the indexes of ``same_as`` are the same people (same
    name, rows without a document number) as the given rows of an earlier screening; its code derived."""
    job = screened(premises, levels, names={i: earlier.name for i, earlier in (same_as or {}).items()})
    rows = list(PersonResult.objects.filter(job=job, status="accepted").order_by("row"))
    services.safety_code_derive(premises=premises)  # what a finished screening's hook does
    return job, rows


@pytest.fixture
def left_out(cast):
    """A red premises (a red and a yellow tenant), then a roster that keeps the red tenant and leaves out the
    yellow one: still red, so no suspension — a ``left_out`` review instead."""
    full, (_, red, yellow) = roster(cast.premises_a, ["green", "red", "yellow"])
    part, _ = roster(cast.premises_a, ["red", "green"], same_as={0: red})
    live = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    assert (live.level, live.job_id) == ("red", part.pk)
    rv = CodeReview.objects.get(premises=cast.premises_a, status="open")
    assert (rv.kind, rv.baseline_job_id, rv.job_id, rv.dropped) == ("left_out", full.pk, part.pk, 1)
    return rv, red, yellow


def listing(client, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("dashboard:jurisdiction"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_partial_roster_keeping_the_level_red_still_shows_the_dropped_yellow_person(cast, client, left_out):
    _rv, red, yellow = left_out
    page = listing(client, cast.officer_a)
    assert page.count(yellow.name) == 1 and page.count(red.name) == 1
    assert page.count("data-off-roster") == 1 and "在民警核实此人已离开之前，仍列在此处" in page  # zh-Hans
    counts = dashboard.jurisdiction_counts(actor=cast.officer_a, qs=dashboard.jurisdiction_flagged(
        actor=cast.officer_a, purpose="jurisdiction_management"))
    assert (counts["red"], counts["yellow"]) == (1, 1)
    searched = client.get(reverse("dashboard:jurisdiction"), {"q": yellow.name}).content.decode()
    assert yellow.name in searched and red.name not in searched
    premises = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert yellow.name in premises and 'id="left-out"' in premises
    assert reverse("dashboard:off_roster_resolve", args=[cast.premises_a.pk]) in premises
    assert 'data-code-state="red"' in premises  # the code is live: nothing suspended
    assert yellow.name not in listing(client, cast.officer_b)  # another station sees nothing of it


def test_confirming_they_left_removes_them_keeps_the_code_and_is_audited(cast, client, left_out):
    rv, red, yellow = left_out
    live = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    sign_in(client, cast.officer_a)
    url = reverse("codes:review_confirm_left", args=[rv.pk])
    client.post(url, {"note": "  "})  # a note is required
    rv.refresh_from_db()
    assert rv.status == "open"
    response = client.post(url, {"note": NOTE})
    assert response.status_code == 302 and response.url == reverse("dashboard:premises", args=[cast.premises_a.pk])
    rv.refresh_from_db()
    assert (rv.status, rv.decided_by_id, rv.note, rv.issued_code_id) == ("released", cast.officer_a.pk, NOTE, None)
    record = AuditRecord.objects.get(action="review_confirm_left", object_id=str(rv.pk))
    assert record.actor_id == cast.officer_a.pk and record.detail["dropped"] == 1
    assert yellow.name not in listing(client, cast.officer_a)
    page = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert yellow.name not in page and red.name in page and 'id="left-out"' not in page
    assert SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True).pk == live.pk
    client.post(url, {"note": NOTE})  # once only
    assert AuditRecord.objects.filter(action="review_confirm_left").count() == 1


@pytest.mark.parametrize("who", ROLES)
def test_only_the_jurisdictions_officers_and_chiefs_confirm(client, people, left_out, who):
    rv, _, yellow = left_out
    user = people[who]
    sign_in(client, user)
    page = client.get(reverse("dashboard:premises", args=[rv.premises_id]))
    form = reverse("codes:review_confirm_left", args=[rv.pk])
    if user.role in ("officer", "station_chief", "analyst"):
        assert page.status_code == (404 if who in NOT_FOUND else 200)
        if page.status_code == 200:
            assert yellow.name in page.content.decode()
            # the analyst reads; no form (the page's form confirms for the premises, the review's URL still works)
            on_page = reverse("dashboard:off_roster_resolve", args=[rv.premises_id])
            assert (on_page in page.content.decode()) is (who in CONFIRMS)
    else:
        assert page.status_code == 403
    response = client.post(form, {"note": NOTE})
    assert response.status_code == (404 if who in NOT_FOUND else 302)
    rv.refresh_from_db()
    assert rv.status == ("released" if who in CONFIRMS else "open")
    assert (rv.decided_by_id == user.pk) is (who in CONFIRMS)


def test_the_service_refuses_the_landlord_and_a_suspension(cast, left_out):
    from pingan.core.errors import DomainError, PermissionDenied

    rv, _, _ = left_out
    with pytest.raises(PermissionDenied):
        services.code_review_confirm_left(review=rv, actor=cast.landlord_a, note=NOTE)
    with pytest.raises(DomainError) as refused:  # not released: that would issue a second live code
        services.code_review_release(review=rv, actor=cast.officer_a, note=NOTE)
    assert refused.value.code == "review_other_kind"
    assert SafetyCode.objects.filter(premises=cast.premises_a, revoked_at__isnull=True).count() == 1


def test_a_watchlist_hit_left_out_stays_and_a_green_one_opens_nothing(cast, client):
    from pingan.screening.models import PersonResult as PR

    _, (green, red, hit) = roster(cast.premises_a, ["green", "red", "green"])
    PR.objects.filter(pk=hit.pk).update(silent_hit=True)
    roster(cast.premises_a, ["red"], same_as={0: red})  # the green tenant and the silent hit left out
    rv = CodeReview.objects.get(premises=cast.premises_a, status="open")
    assert (rv.kind, rv.dropped, rv.dropped_rows) == ("left_out", 1, [hit.row])
    page = listing(client, cast.officer_a)
    assert hit.name in page and green.name not in page


def test_a_later_roster_bringing_them_back_lists_them_once(cast, client, left_out):
    rv, red, yellow = left_out
    _, rows = roster(cast.premises_a, ["red", "yellow"], same_as={0: red, 1: yellow})
    rv.refresh_from_db()
    assert rv.status == "resolved"
    page = listing(client, cast.officer_a)
    assert page.count(yellow.name) == 1 and "data-off-roster" not in page
    assert f'/persons/{rows[1].pk}/' in page  # from the newest screening


def test_a_roster_that_then_lowers_the_level_suspends_the_code(cast, client, left_out):
    rv, red, yellow = left_out
    roster(cast.premises_a, ["green"])  # the red tenant gone too: the level drops
    rv.refresh_from_db()
    assert (rv.status, rv.kind) == ("open", "suspension")
    assert not SafetyCode.objects.filter(premises=cast.premises_a, revoked_at__isnull=True).exists()
    # everyone no longer on the roster counts: the yellow tenant left out first and the red one left out now
    # (the review names the roster just before; the people are recorded per roster, screening.OffRoster)
    part = ScreeningJob.objects.filter(premises=cast.premises_a).order_by("-pk")[1]  # the partial roster
    assert (rv.baseline_job_id, rv.dropped) == (part.pk, 2)
    page = listing(client, cast.officer_a)
    assert red.name in page and yellow.name in page and page.count("data-off-roster") == 2


def test_the_jurisdiction_list_costs_the_same_queries_with_people_left_out(cast, client):
    _, (_, red, _) = roster(cast.premises_a, ["green", "red", "yellow"])
    sign_in(client, cast.officer_a)
    url = reverse("dashboard:jurisdiction")
    client.get(url)  # the session's first save is not the list's cost
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    roster(cast.premises_a, ["red", "green"], same_as={0: red})  # the same two flagged rows, one left out
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "data-off-roster" in page
    assert len(after) == len(before), ([q["sql"][:90] for q in before.captured_queries],
                                      [q["sql"][:90] for q in after.captured_queries])
