"""Issue 11's fresh-user trial (F2): the landlord's safety-code page showed the police's internal level-change
request verbatim — the officer's reason written for the station chief ("红码人员已全部核实离开，申请调整为黄码")
and, in the API, who asked and who decided. The owner is told that a level change is under review and its
outcome, in their language; the police still see the reason and the names."""

from __future__ import annotations

import re

import pytest
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.core.services import user_create

pytestmark = pytest.mark.usefixtures("isolated")

REASON = "红码人员已全部核实离开，申请调整为黄码"


@pytest.fixture
def requested(cast):
    screened(cast.premises_a, ["green", "red"])  # a red code
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    return services.level_override_request(premises=cast.premises_a, level="yellow", reason=REASON,
                                           actor=cast.officer_a)


def _main(client, cast, lang: str) -> str:
    client.cookies["django_language"] = lang
    html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
    return re.sub(r"\s+", " ", html[html.index("<main"):html.index("</main>")])


@pytest.mark.parametrize("lang, reviewing, changed", [
    ("zh-hans", "派出所正在审核将平安码调整为黄码", "派出所已于"),
    ("en", "The police station is reviewing a change of the code to a yellow code", "The police station changed"),
])
def test_the_owner_sees_a_change_under_review_and_its_outcome_not_the_officers_note(client, cast, requested, lang,
                                                                                   reviewing, changed):
    sign_in(client, cast.landlord_a)
    main = _main(client, cast, lang)
    assert reviewing in main, main
    for internal in (REASON, cast.officer_a.shown_name, cast.officer_a.username, "station chief", "所长"):
        assert internal not in main, internal
    chief2 = user_create(username="chief_a2", password="correct horse battery staple", role="station_chief",
                         unit=cast.unit_a, display_name="林明")
    services.level_override_approve(override=requested, actor=chief2, note="已核实")
    main = _main(client, cast, lang)
    assert changed in main and reviewing not in main, main
    assert REASON not in main and "林明" not in main and "已核实" not in main


def test_the_police_still_see_the_reason_and_who_asked(client, cast, requested):
    sign_in(client, cast.chief_a)
    main = _main(client, cast, "zh-hans")
    assert REASON in main and cast.officer_a.shown_name in main


def test_the_api_gives_the_owner_no_reason_and_no_names(client, cast, requested):
    sign_in(client, cast.landlord_a)
    rows = client.get("/api/v1/codes/overrides").json()
    assert [(r["level"], r["status"], r["reason"], r["requested_by"], r["decided_by"]) for r in rows] == [
        ("yellow", "requested", None, None, None)]
    sign_in(client, cast.officer_a)
    rows = client.get("/api/v1/codes/overrides", HTTP_X_PURPOSE="epidemic_screening").json()
    assert [(r["reason"], r["requested_by"]) for r in rows] == [(REASON, cast.officer_a.username)]


@pytest.mark.parametrize("lang, said", [("zh-hans", "场所负责人会在平安码页面看到"),
                                        ("en", "the owner reads it on their code page")])
def test_the_officer_is_told_that_a_corrections_outcome_goes_to_the_owner(client, cast, requested, lang, said):
    """What the owner does read from the police (a correction request's outcome) is said so on the form."""
    services.dispute_open(premises=cast.premises_a, text="人员已搬离，请核实", actor=cast.landlord_a)
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    assert said in client.get("/codes/police/").content.decode()
