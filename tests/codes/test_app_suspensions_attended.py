"""Every suspended code waits in the queue of someone who may release it, or is released when its cause has gone
(issue 11). Screening migration 0018 closed the records of the people a roster had left out when it found them
on the latest roster after all, and — a migration issuing no code — left their premises' suspensions open with
nobody left out to check; and a suspension was shown to the police of the unit it opened in, while only the
police of the premises' unit now may release it, so a premises moved to another station sat in a queue whose
Release button was refused. ``services.suspensions_unattended`` finds both kinds; ``pingan code reviews
--resolve`` re-derives the first."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.screening.models import OffRoster

pytestmark = [pytest.mark.usefixtures("isolated", "commands_in_english")]


@pytest.fixture
def review(cast):
    """Premises A's code suspended: a roster with a red person, then one without them (a lower level)."""
    screened(cast.premises_a, ["green", "red"])
    services.safety_code_derive(premises=cast.premises_a)
    screened(cast.premises_a, ["green"])
    assert services.safety_code_derive(premises=cast.premises_a).outcome == "suspended"
    return CodeReview.objects.get(premises=cast.premises_a, status="open")


def test_a_suspension_whose_people_were_found_back_is_found_and_resolved(cast, review):
    assert services.suspensions_unattended() == []
    # what 0018 does: the people left out are on the latest roster after all; the suspension stays open
    OffRoster.objects.filter(premises=cast.premises_a, status="open").update(status="back")
    (item,) = services.suspensions_unattended()
    assert (item.review.pk, item.reason) == (review.pk, "cause_gone")
    out = StringIO()
    call_command("code", "reviews", stdout=out)
    assert "nobody is left out of its roster any more" in out.getvalue() and cast.premises_a.name in out.getvalue()
    out = StringIO()
    call_command("code", "reviews", "--resolve", stdout=out)
    assert "suspension closed, green code issued" in out.getvalue()
    assert "every suspended code waits in a queue of someone who may release it" in out.getvalue()
    review.refresh_from_db()
    assert review.status == "resolved" and review.issued_code is not None
    assert SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True).level == "green"
    assert services.suspensions_unattended() == []


def test_a_moved_premises_takes_its_suspension_to_the_station_that_releases_it(client, cast, people, review):
    from pingan.core.models import Premises

    Premises.objects.filter(pk=cast.premises_a.pk).update(unit=cast.unit_b)  # an approved `pingan access` change
    for who, shown in (("officer_a", False), ("chief_a", False), ("officer_b", True), ("chief_b", True)):
        sign_in(client, people[who])
        html = client.get(reverse("codes:police")).content.decode()
        assert (f'id="review-{review.pk}"' in html) == shown, who
        if shown:
            assert f"/codes/reviews/{review.pk}/release/" in html, who
    response = client.post(reverse("codes:review_release", args=[review.pk]), {"note": "走访核实：已搬离"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "released" and review.decided_by_id == people["chief_b"].pk


def test_a_suspension_nobody_may_release_is_found(cast, people, review):
    from pingan.core.models import User

    User.objects.filter(role__in=["officer", "station_chief"], unit=cast.unit_a).update(is_active=False)
    (item,) = services.suspensions_unattended()
    assert item.reason == "no_releaser"
    out = StringIO()
    call_command("code", "reviews", stdout=out)
    assert "no officer or station chief of Lianqian Police Station (350203-LQ) may release it" in out.getvalue()
