"""One level everywhere (issues 10 and 11): the landlord's premises list, the pages of an older and a newer
screening, the police premises page and jurisdiction list, the API and the verification of the old code all
say what the premises' code says — through a partial roster with a row not screened, the full roster with a
red tenant, and a four-eyes level change. A row not screened has no level in any page, download or response.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.conf import settings
from django.urls import reverse
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import SafetyCode
from pingan.codes.token import Status

pytestmark = pytest.mark.usefixtures("isolated")

RED = ("张伟", RED_ID)
EXAMPLE = ("示例沈云", TENANTS[29][1])  # the template's example row left in: rejected, not screened


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def card_state(html: str) -> str:
    """The state of the one safety-code card on a page."""
    found = re.findall(r'<section class="card safety-code" id="safety-code" data-code-state="(\w+)"', html)
    assert len(found) == 1, found
    return found[0]


def list_state(html: str, container: str, name: str) -> str:
    """The code state shown for premises ``name`` in the list ``container`` (an element id)."""
    block = html[html.index(f'id="{container}"'):]
    item = next(li for li in block.split("<li")[1:] if name in li)
    found = re.findall(r'data-code-state="(\w+)"', item)
    assert len(found) == 1, item
    return found[0]


def api_premises(client, user, premises_id: int) -> dict:
    from pingan.core.services import token_create

    secret = token_create(user=user, name="t", purpose="epidemic_screening").secret
    rows = client.get("/api/v1/jurisdiction/premises?limit=100", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    return next(r for r in rows["items"] if r["id"] == premises_id)


def every_page(client, cast, old_job, new_job) -> dict[str, str]:
    """The premises' code state as each page and the API show it."""
    name = cast.premises_a.name
    seen: dict[str, str] = {}
    sign_in(client, cast.landlord_a)
    seen["landlord list"] = list_state(page(client, reverse("screening:home")), "my-premises", name)
    seen["landlord code page"] = card_state(page(client, reverse("codes:premises", args=[cast.premises_a.pk])))
    seen["new job page"] = card_state(page(client, reverse("screening:job", args=[new_job.pk])))
    seen["old job page (current code)"] = card_state(page(client, reverse("screening:job", args=[old_job.pk])))
    sign_in(client, cast.officer_a)
    seen["police jurisdiction list"] = list_state(page(client, reverse("dashboard:jurisdiction")), "premises-list",
                                                  name)
    seen["police premises page"] = card_state(page(client, reverse("dashboard:premises",
                                                                   args=[cast.premises_a.pk])))
    seen["police old job page"] = card_state(page(client, reverse("screening:job", args=[old_job.pk])))
    api = api_premises(client, cast.officer_a, cast.premises_a.pk)
    seen["api code_state"], seen["api level"] = api["code_state"], api["level"]
    seen["api current code"] = current_code(client, cast.landlord_a, cast.premises_a.pk)["level"]
    return seen


def current_code(client, user, premises_id: int) -> dict:
    from pingan.core.services import token_create

    secret = token_create(user=user, name="t").secret
    return client.get(f"/api/v1/codes/premises/{premises_id}/current", HTTP_AUTHORIZATION=f"Bearer {secret}").json()


@pytest.fixture
def risk(db, tmp_path):
    return import_risk(tmp_path)


def test_every_page_agrees_through_a_partial_roster_the_full_roster_and_a_level_change(cast, risk, client):
    # 1. four green tenants and the template's example row left in: the row is not screened, so the code is
    #    yellow (unresolved) — the premises list said green from the job's counts
    partial = run(cast.premises_a, [*TENANTS[:4], EXAMPLE])
    assert (partial.counts["green"], partial.counts["rejected"]) == (4, 1)
    first = SafetyCode.objects.get(premises=cast.premises_a)
    assert (first.level, first.people) == ("yellow", 4)
    seen = every_page(client, cast, partial, partial)
    assert set(seen.values()) == {"yellow"}, seen
    sign_in(client, cast.landlord_a)
    html = page(client, reverse("screening:job", args=[partial.pk]))
    assert 'data-rule-level="yellow"' in html and 'id="this-screening-code"' not in html

    # 2. the full roster with a red tenant: every page says red; the old job's page says its code was
    #    superseded, by which screening, and labels the red code as the premises' current one
    full = run(cast.premises_a, [*TENANTS[:17], RED])
    live = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    assert (live.level, live.people, live.job_id) == ("red", 18, full.pk)
    seen = every_page(client, cast, partial, full)
    assert set(seen.values()) == {"red"}, seen
    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    old = page(client, reverse("screening:job", args=[partial.pk]))
    assert 'data-this-code="superseded"' in old and 'data-rule-level="yellow"' in old
    mine = old[old.index('id="this-screening-code"'):old.index('id="safety-code"')]
    assert "yellow code" in mine and "superseded on" in mine, mine
    # The newer screening is linked and named by its upload's time and file, not by its database id.
    assert f'href="{reverse("screening:job", args=[full.pk])}">' in mine and "(roster.csv)</a>" in mine, mine
    assert f">#{full.pk}</a>" not in mine
    assert "Current safety code of the premises" in old
    new = page(client, reverse("screening:job", args=[full.pk]))
    assert 'id="this-screening-code"' not in new and 'data-rule-level="red"' in new
    # the old code verifies as revoked, online and from the signed list
    assert services.safety_code_verify(first.token).status is Status.REVOKED
    verdict = client.post("/api/v1/codes/verify", {"text": first.token}, content_type="application/json").json()
    assert (verdict["status"], verdict["revocation_reason"]) == ("revoked", "rescreened")

    # 3. a four-eyes level change to yellow: every page follows the new code, still covering 18 people
    ov = services.level_override_request(premises=cast.premises_a, level="yellow", reason="张伟 tested negative",
                                         actor=cast.officer_a)
    services.level_override_approve(override=ov, actor=cast.chief_a)
    changed = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    assert (changed.level, changed.people, changed.job_id) == ("yellow", 18, full.pk)
    seen = every_page(client, cast, partial, full)
    assert set(seen.values()) == {"yellow"}, seen
    api = current_code(client, cast.landlord_a, cast.premises_a.pk)
    assert (api["job_id"], api["people"], api["cause_code"]) == (full.pk, 18, "code_cause.override")
    sign_in(client, cast.landlord_a)
    new = page(client, reverse("screening:job", args=[full.pk]))
    assert 'id="this-screening-code"' not in new  # the changed code is still this screening's
    old = page(client, reverse("screening:job", args=[partial.pk]))
    assert 'data-this-code="superseded"' in old
    assert services.safety_code_verify(live.token).status is Status.REVOKED


def test_a_row_not_screened_has_no_level_in_downloads_pages_and_the_api(cast, risk, client):
    from pingan.core.services import token_create

    job = run(cast.premises_a, [*TENANTS[:2], EXAMPLE])
    rejected_row = 4
    sign_in(client, cast.landlord_a)
    for lang, level_heading, row_heading in (("zh-hans", "等级", "行号"), ("en", "Level", "Row")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        body = client.get(reverse("screening:download", args=[job.pk, "csv"])).content.decode("utf-8-sig")
        rows = {r[row_heading]: r for r in csv.DictReader(io.StringIO(body))}
        assert rows[str(rejected_row)][level_heading] == "", rows[str(rejected_row)]
        assert rows["2"][level_heading] not in ("", None)
    xlsx = client.get(reverse("screening:download", args=[job.pk, "xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    values = list(sheet.iter_rows(values_only=True))
    level_at = values[0].index(next(h for h in values[0] if h in ("等级", "Level")))
    by_row = {r[0]: r for r in values[1:]}
    assert by_row[rejected_row][level_at] is None
    secret = token_create(user=cast.landlord_a, name="t").secret
    export = client.get(f"/api/v1/jobs/{job.pk}/export?format=csv", HTTP_AUTHORIZATION=f"Bearer {secret}")
    machine = {r["row"]: r for r in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert (machine[str(rejected_row)]["status"], machine[str(rejected_row)]["level"]) == ("rejected", "")
    results = client.get(f"/api/v1/jobs/{job.pk}/results?status=rejected",
                         HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]
    assert [(r["row"], r["level"]) for r in results] == [(rejected_row, "")]


def test_a_download_says_what_the_pages_say_after_new_risk_data_changed_a_result(cast, tmp_path, settings, client):
    """The result file keeps what the screening found; a re-evaluation changes the database rows. A download
    must follow the rows (the page said yellow, the file green)."""
    import datetime as dt

    from derived_support import SH, listing_table, listings

    from pingan.core.services import token_create
    from pingan.screening import reevaluate
    from pingan.screening import services as screening
    from pingan.screening.models import PersonResult

    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    x = TENANTS[0]
    import_risk(tmp_path, extra=[(x[1], x[0], "350206", "江头街道某小区", "2022-08-16")])
    job = run(cast.premises_a, TENANTS[:3])
    listed = screening.risk_dataset_store(
        kind="listings", name="test listings", source="江头 listed", table=listings(listing_table(), listing_table(
            area_key="k-med", adcode="350206", community="江头街道某小区", level="medium",
            listed_until=dt.datetime(2022, 8, 25, 20, tzinfo=SH))))
    assert reevaluate.reevaluate(dataset=listed).changed == 1
    person = PersonResult.objects.get(job=job, id_number=x[1])
    assert person.level == "yellow"

    def export(user) -> dict[str, dict]:
        secret = token_create(user=user, name="t", purpose="epidemic_screening").secret
        body = client.get(f"/api/v1/jobs/{job.pk}/export?format=csv", HTTP_AUTHORIZATION=f"Bearer {secret}")
        return {r["row"]: r for r in csv.DictReader(io.StringIO(body.content.decode("utf-8-sig")))}

    mine = export(cast.landlord_a)[str(person.row)]
    assert mine["level"] == "yellow" and "medium-risk" in mine["reason"], mine
    police = export(cast.officer_a)[str(person.row)]
    assert police["level"] == "yellow" and police["police_hits"].startswith("area-medium:"), police
    others = [r for row, r in export(cast.landlord_a).items() if row != str(person.row)]
    assert {r["level"] for r in others} == {"green"}
    sign_in(client, cast.landlord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, reverse("screening:job", args=[job.pk]))
    assert 'data-rule-level="yellow"' in html and card_state(html) == "yellow"
