"""Who is "still on the roster", and who was ever a person who could leave (a fresh-user trial of the screening
roster's semantics; docs/screening.md "Flagged people no longer on the roster", docs/codes.md "A roster that drops
people"):

* a flagged person without an ID number stayed "on the roster" when a later roster listed a namesake — presence was
  decided by the name alone, so a landlord cleared them by listing someone else of that name: now the name and the
  phone must both agree;
* rows not screened (rejected, or cut off where a file ended) of an earlier roster were listed as people the police
  must confirm left: they never were screened persons — but a flagged person whose row is now rejected is still
  unaccounted for;
* the suspended code's card counted people of rosters uploaded after the suspension among those "flagged when the
  premises had a red code"."""

from __future__ import annotations

import pytest
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.screening.models import OffRoster, PersonResult

pytestmark = pytest.mark.usefixtures("isolated")


def roster(premises, levels: list[str], *, people: dict[int, dict] | None = None, rejected: int = 0):
    """A finished screening of ``levels`` (and ``rejected`` rows not screened) whose rows at the indexes of
    ``people`` get those fields before the next roster compares them; its code derived. Returns the job and its
    rows."""
    job = screened(premises, levels, rejected=rejected)
    rows = list(PersonResult.objects.filter(job=job).order_by("row"))
    for i, fields in (people or {}).items():
        PersonResult.objects.filter(pk=rows[i].pk).update(**fields)
    from pingan.screening.services import off_roster_refresh

    off_roster_refresh(premises_id=premises.pk)  # as the finished job did, with the rows as they are now
    services.safety_code_derive(premises=premises)
    return job, list(PersonResult.objects.filter(job=job).order_by("row"))


def live(premises):
    return SafetyCode.objects.filter(premises=premises, revoked_at__isnull=True).first()


def open_names(premises) -> list[str]:
    return sorted(OffRoster.objects.filter(premises=premises, status="open").values_list("person__name", flat=True))


RED_NO_ID = {"name": "林晓峰", "phone": "13906001234", "id_number": ""}


def test_a_namesake_does_not_clear_a_flagged_person_without_an_id_number(cast):
    roster(cast.premises_a, ["red", "green"], people={0: RED_NO_ID})
    assert live(cast.premises_a).level == "red"
    # the landlord lists another 林晓峰 (another phone) instead of the red tenant
    roster(cast.premises_a, ["green", "green"], people={0: {**RED_NO_ID, "phone": "13500000000"}})
    assert open_names(cast.premises_a) == ["林晓峰"]
    assert live(cast.premises_a) is None  # suspended: the red tenant is left out
    review = CodeReview.objects.get(premises=cast.premises_a, status="open")
    assert (review.kind, review.dropped) == ("suspension", 1)


def test_the_same_name_and_phone_is_the_same_person(cast):
    roster(cast.premises_a, ["red", "green"], people={0: RED_NO_ID})
    # the same tenant, now screened green, the phone written another way
    roster(cast.premises_a, ["green", "green"], people={0: {**RED_NO_ID, "phone": "+86 139-0600-1234"}})
    assert open_names(cast.premises_a) == []
    assert live(cast.premises_a).level == "green"


def test_rejected_rows_are_nobody_who_left(cast):
    roster(cast.premises_a, ["green", "green"], rejected=2)  # two rows not screened: the code is yellow
    assert live(cast.premises_a).level == "yellow"
    roster(cast.premises_a, ["green"])
    assert open_names(cast.premises_a) == []
    assert live(cast.premises_a).level == "green"
    assert not CodeReview.objects.filter(premises=cast.premises_a, status="open").exists()


def test_a_flagged_person_whose_row_is_now_rejected_is_still_unaccounted_for(cast):
    _a, (red, _green) = roster(cast.premises_a, ["red", "green"], people={0: {"id_number": "350203199001011234"}})
    # the next roster has the red tenant's row, not screened (the number as given fails the check)
    _b, rows = roster(cast.premises_a, ["green"], rejected=1,
                      people={1: {"name": red.name, "given_id_number": "350203199001011234"}})
    assert rows[1].status == "rejected"
    assert open_names(cast.premises_a) == [red.name]
    assert live(cast.premises_a) is None


def test_the_card_counts_only_people_flagged_under_the_code(cast):
    roster(cast.premises_a, ["red", "green"], people={0: RED_NO_ID})
    # B leaves out the red tenant (suspended) and has a yellow tenant of its own
    roster(cast.premises_a, ["yellow", "green"], people={1: {"name": "陈静", "phone": "13700000001"}})
    assert CodeReview.objects.get(premises=cast.premises_a, status="open").dropped == 1
    # C leaves out B's yellow tenant too: they were yellow while the code was suspended, not under the red code
    roster(cast.premises_a, ["green"], people={0: {"name": "陈静", "phone": "13700000001"}})
    review = CodeReview.objects.get(premises=cast.premises_a, status="open")
    assert review.kind == "suspension" and review.dropped == 1
    assert len(open_names(cast.premises_a)) == 2  # the police still list both


def test_the_police_premises_page_does_not_say_nobody_is_flagged_above_people_it_lists(cast, client):
    """The police premises page read "没有被标记的人员" right under its flagged count: the people of an earlier
    roster left out are listed (and counted) while the latest roster has no red or yellow row."""
    from django.urls import reverse
    from test_app_support import sign_in

    roster(cast.premises_a, ["red", "green"], people={0: RED_NO_ID})
    roster(cast.premises_a, ["green"], rejected=1)  # the red tenant left out; a row not screened
    sign_in(client, cast.officer_a)
    for language, nobody in (("zh-hans", "没有被标记的人员"), ("en", "Nobody is flagged")):
        html = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk]),
                          HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'data-total="1"' in html and 'data-unresolved="1"' in html
        assert nobody not in html
        assert "林晓峰" in html
