"""A premises whose unit is a branch (分局: its address named the district, not the township) belongs to no
station. The review found its suspended code routed to nobody: only stations see the station queue, and none
lies at the branch. It goes where a sign-up at district level goes (``core.scoping.station_work_filter``):
every station under the branch sees it in its queue, and an officer or station chief of one of them releases
it; the stations of another branch do not see it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import selectors, services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.core.errors import PermissionDenied
from pingan.core.models import OrgUnit

pytestmark = pytest.mark.usefixtures("isolated")

NOTE = "走访核实：名单上的人员已全部搬离"
PURPOSE = "jurisdiction_management"


@pytest.fixture
def branch_suspension(cast):
    """premises_a at the Siming branch (350203, above station A), a red roster, then one that leaves the red
    tenant out: its code is suspended."""
    premises = cast.premises_a
    premises.unit = OrgUnit.objects.get(code="350203")
    premises.save(update_fields=["unit"])
    screened(premises, ["green", "red"])
    services.safety_code_derive(premises=premises)
    screened(premises, ["green"])
    services.safety_code_derive(premises=premises)
    rv = CodeReview.objects.get(premises=premises, status="open")
    assert rv.kind == "suspension" and rv.premises.unit.kind == "branch"
    assert not SafetyCode.objects.filter(premises=premises, revoked_at__isnull=True).exists()
    return rv


def test_the_stations_under_the_branch_see_it_and_others_do_not(cast, branch_suspension):
    rv = branch_suspension
    for user in (cast.officer_a, cast.chief_a, cast.analyst):
        assert list(selectors.reviews_list(actor=user, status="open", purpose=PURPOSE)) == [rv], user.username
        assert selectors.review_get(actor=user, review_id=rv.pk) == rv
    # another branch's station, another owner
    assert not selectors.reviews_list(actor=cast.officer_b, status="open", purpose=PURPOSE).exists()
    assert not selectors.reviews_list(actor=cast.landlord_b, status="open").exists()


def test_a_station_officer_under_the_branch_releases_it_and_another_branchs_may_not(cast, branch_suspension):
    rv = branch_suspension
    with pytest.raises(PermissionDenied):
        services.code_review_release(review=rv, actor=cast.officer_b, note=NOTE)
    with pytest.raises(PermissionDenied):
        services.code_review_release(review=rv, actor=cast.analyst, note=NOTE)
    services.code_review_release(review=rv, actor=cast.officer_a, note=NOTE)
    rv.refresh_from_db()
    assert rv.status == "released" and rv.decided_by == cast.officer_a
    assert SafetyCode.objects.filter(premises=rv.premises, revoked_at__isnull=True).exists()


def test_the_station_queue_page_lists_it_with_its_release_form(cast, client, branch_suspension):
    rv = branch_suspension
    sign_in(client, cast.chief_a)
    page = client.get(reverse("codes:police")).content.decode()
    assert f'id="review-{rv.pk}"' in page and reverse("codes:review_release", args=[rv.pk]) in page
    sign_in(client, cast.officer_b)
    assert f'id="review-{rv.pk}"' not in client.get(reverse("codes:police")).content.decode()


def test_a_correction_request_at_a_branch_premises_reaches_the_stations_under_it(cast):
    """The same routing for the owner's correction request (dispute) of a branch-level premises' code."""
    premises = cast.premises_a
    premises.unit = OrgUnit.objects.get(code="350203")
    premises.save(update_fields=["unit"])
    screened(premises, ["green", "green"])
    services.safety_code_derive(premises=premises)
    d = services.dispute_open(premises=premises, text="两名租户均已登记，请核实", actor=cast.landlord_a)
    assert d.unit.kind == "branch"
    assert list(selectors.disputes_list(actor=cast.officer_a, purpose=PURPOSE)) == [d]
    assert not selectors.disputes_list(actor=cast.officer_b, purpose=PURPOSE).exists()
    with pytest.raises(PermissionDenied):
        services.dispute_resolve(dispute=d, upheld=False, outcome="已核实", actor=cast.officer_b)
    services.dispute_resolve(dispute=d, upheld=False, outcome="已核实：等级无误", actor=cast.chief_a)
    d.refresh_from_db()
    assert d.status == "rejected" and d.resolved_by == cast.chief_a


def test_every_link_of_the_queue_opens_for_the_stations_under_the_branch(cast, client, branch_suspension):
    """Issue 11's trial: a station officer followed "See who, on the premises page" from the queue to a branch-level
    premises and got a 404. The premises page, the people it lists, its screenings and its code page open for the
    stations under the branch (who do its station work) and stay closed to another branch's."""
    import re

    from pingan.screening.models import PersonResult

    rv = branch_suspension
    sign_in(client, cast.officer_a)
    queue = client.get(reverse("codes:police")).content.decode()
    item = queue[queue.index(f'id="review-{rv.pk}"'):]
    item = item[:item.index("<h2")]
    links = set(re.findall(r'href="(/[^"#]*)', item))
    assert reverse("dashboard:premises", args=[rv.premises_id]) in links
    premises_page = client.get(reverse("dashboard:premises", args=[rv.premises_id]))
    assert premises_page.status_code == 200
    body = premises_page.content.decode()
    people = set(re.findall(r'href="(/police/persons/\d+/)"', body))
    jobs = set(re.findall(r'href="(/screening/jobs/\d+/)"', body))
    left_out = PersonResult.objects.filter(job__premises=rv.premises, level="red").get()
    assert reverse("dashboard:person", args=[left_out.pk]) in people and jobs
    for url in sorted(links | people | jobs):
        assert client.get(url).status_code == 200, url
    sign_in(client, cast.officer_b)
    for url in sorted(links | people | jobs):
        assert client.get(url).status_code == 404, url
