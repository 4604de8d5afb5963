"""New counts, same code (issue 10's benchmark: a day's run revoked ~86 % of the city's codes only because one
more yellow person kept a yellow premises yellow). When a re-evaluation moves the level counts of the screening
behind a premises' live code but not its level under the rule nor the people it covers, the code — its signed
claims identical — is kept, its counts brought up to date; nothing is revoked or signed, and the poster on the
door stays valid. A level change still supersedes. The same rule one premises at a time and in bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from derived_support import SH, TENANTS, import_movements, import_risk, listing_table, listings, run
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import CodeReview, SafetyCode
from pingan.codes.revocation import RevocationList
from pingan.codes.selectors import premises_code_state
from pingan.codes.token import Status
from pingan.core.models import AuditRecord, Premises
from pingan.screening import reevaluate
from pingan.screening import services as screening_services
from pingan.screening.models import PersonResult

pytestmark = pytest.mark.usefixtures("isolated")

CAUSE = {"code": "code_cause.reevaluation", "params": {"dataset": "test", "changed": 1, "job": 0}}
JIANGTOU = dict(area_key="k-med", adcode="350206", community="江头街道某小区", level="medium")
X, W, Y = TENANTS[0], TENANTS[1], TENANTS[11]


class _Rollback(Exception):
    pass


def live(premises) -> SafetyCode:
    return SafetyCode.objects.get(premises=premises, revoked_at__isnull=True)


def issues(premises) -> int:
    return AuditRecord.objects.filter(action="issue", object_type="SafetyCode", detail__premises=premises.pk).count()


def revoked(code: SafetyCode) -> bool:
    entries = RevocationList.verify(services.revocation_list_current(issuer=code.issuer).data,
                                    services.trust_store()).entries
    return bytes.fromhex(code.code_id) in entries


@pytest.fixture
def yellow(cast, tmp_path, settings):
    """Premises A screened with five tenants, one of them (X) yellow, the rest green: a yellow code of 5."""
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    import_risk(tmp_path)
    job = run(cast.premises_a, TENANTS[:5])
    PersonResult.objects.filter(job=job, id_number=X[1]).update(level="yellow")
    services.safety_code_derive(premises=cast.premises_a, cause=CAUSE)
    code = live(cast.premises_a)
    assert (code.level, code.people, code.counts["yellow"]) == ("yellow", 5, 1)
    return job


def _turn(job, tenant, level: str) -> None:
    """What a re-evaluation does to one person's result."""
    PersonResult.objects.filter(job=job, id_number=tenant[1]).update(level=level)


@pytest.mark.parametrize("path", ["one premises", "in bulk"])
def test_one_more_yellow_person_keeps_the_yellow_code_and_its_poster(cast, yellow, path):
    before = live(cast.premises_a)
    audited, codes = issues(cast.premises_a), SafetyCode.objects.filter(premises=cast.premises_a).count()
    _turn(yellow, W, "yellow")
    if path == "one premises":
        out = services.safety_code_derive(premises=cast.premises_a, cause=CAUSE)
        assert out.outcome == "kept" and out.code.pk == before.pk
    else:
        done = services.safety_codes_derive_bulk(causes={cast.premises_a.pk: CAUSE})
        assert done == {"issued": 0, "suspended": 0, "unchanged": 0, "kept": 1, "none": 0}
    code = live(cast.premises_a)
    # the same code: same id, same signed text, nothing revoked, no new code, no new issue record
    assert (code.pk, code.code_id, code.token, code.level, code.people) == (
        before.pk, before.code_id, before.token, "yellow", 5)
    assert SafetyCode.objects.filter(premises=cast.premises_a).count() == codes
    assert issues(cast.premises_a) == audited
    assert services.safety_code_verify(code.token).status is Status.VALID and not revoked(code)
    # its counts are those of the screening now (the pages' "screening: N people, R red, Y yellow")
    assert code.counts == {"green": 3, "yellow": 2, "red": 0, "unresolved": 0}
    # again with the same counts: unchanged, as before
    assert services.safety_code_derive(premises=cast.premises_a, cause=CAUSE).outcome == "unchanged"


@pytest.mark.parametrize("path", ["one premises", "in bulk"])
def test_a_level_change_still_supersedes_the_code(cast, yellow, path):
    before = live(cast.premises_a)
    _turn(yellow, W, "red")
    if path == "one premises":
        assert services.safety_code_derive(premises=cast.premises_a, cause=CAUSE).outcome == "issued"
    else:
        assert services.safety_codes_derive_bulk(causes={cast.premises_a.pk: CAUSE})["issued"] == 1
    code = live(cast.premises_a)
    assert code.pk != before.pk and (code.level, code.people) == ("red", 5)
    before.refresh_from_db()
    assert before.revocation_reason == "rescreened" and revoked(before)


@pytest.mark.parametrize("path", ["one premises", "in bulk"])
def test_an_expired_code_or_a_code_under_review_or_by_a_level_change_is_not_kept(cast, yellow, path):
    def derive():
        if path == "one premises":
            return services.safety_code_derive(premises=cast.premises_a, cause=CAUSE).outcome
        done = services.safety_codes_derive_bulk(causes={cast.premises_a.pk: CAUSE})
        return next(k for k, v in done.items() if v)

    # expired: a new code, valid again
    SafetyCode.objects.filter(pk=live(cast.premises_a).pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    _turn(yellow, W, "yellow")
    assert derive() == "issued"
    # an open review (the police confirm people left): decided one by one, as before — a new code; with nobody
    # off the roster the review is resolved by it
    CodeReview.objects.create(premises=cast.premises_a, unit=cast.premises_a.unit, job=yellow, baseline_job=yellow,
                              baseline_level="yellow", level="yellow", dropped=1, kind=CodeReview.Kind.LEFT_OUT)
    _turn(yellow, TENANTS[3], "yellow")
    assert derive() == "issued"
    assert not CodeReview.objects.filter(premises=cast.premises_a, status="open").exists()
    # a level the rule did not give (an approved level change to green of a yellow screening): the change was
    # decided on the people as they were, so new counts go back to the rule
    SafetyCode.objects.filter(pk=live(cast.premises_a).pk).update(level="green")
    _turn(yellow, TENANTS[2], "yellow")
    assert derive() == "issued" and live(cast.premises_a).level == "yellow"
    assert live(cast.premises_a).counts == {"green": 1, "yellow": 4, "red": 0, "unresolved": 0}


def test_bulk_and_one_by_one_end_alike_with_kept_and_issued_codes(cast, yellow):
    """Two premises in one bulk run: A keeps its code (one more yellow), B's turns (green → yellow); the same
    state as one at a time."""
    job_b = run(cast.premises_b, TENANTS[10:14])
    assert live(cast.premises_b).level == "green"
    _turn(yellow, W, "yellow")
    _turn(job_b, Y, "yellow")
    ids = [cast.premises_a.pk, cast.premises_b.pk]

    def state():
        return [(c.premises_id, c.level, c.people, c.counts, c.revoked_at is None, c.token)
                for c in SafetyCode.objects.filter(premises_id__in=ids).order_by("premises_id", "issued_at", "id")
                if c.premises_id == cast.premises_a.pk or c.revoked_at is not None] + [
            (c.premises_id, c.level, c.people, c.counts) for c in SafetyCode.objects.filter(
                premises_id=cast.premises_b.pk, revoked_at__isnull=True)] + [
            issues(Premises.objects.get(pk=pk)) for pk in ids]
    try:
        with transaction.atomic():
            one = [services.safety_code_derive(premises=Premises.objects.get(pk=pk), cause=CAUSE).outcome
                   for pk in ids]
            expected = state()
            raise _Rollback
    except _Rollback:
        pass
    assert one == ["kept", "issued"]
    done = services.safety_codes_derive_bulk(causes={pk: CAUSE for pk in ids})
    assert (done["kept"], done["issued"]) == (1, 1)
    assert state() == expected


def test_a_days_movements_keep_the_codes_whose_level_stays(cast, tmp_path, settings, client):
    """Through the re-evaluation a day's movement records run: A (yellow, X listed) gets one more yellow tenant
    and keeps its code; B's tenant stayed in the high-risk area and B's code turns red. The run counts one code
    changed and one kept, its audit record says both, and the card of A's code says when its screening was
    re-checked, with the counts now."""
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    import_risk(tmp_path, extra=[(X[1], X[0], "350206", "江头街道某小区", "2022-08-16")])
    a = run(cast.premises_a, TENANTS[:5])
    run(cast.premises_b, TENANTS[10:14])
    reevaluate.reevaluate(dataset=screening_services.risk_dataset_store(
        kind="listings", name="test listings", source="江头 listed", table=listings(
            listing_table(), listing_table(**JIANGTOU, listed_until=dt.datetime(2022, 8, 25, 20, tzinfo=SH)))))
    # A's codes issued a minute earlier (a code's issue time is in whole seconds; the runs may fall in one second)
    SafetyCode.objects.filter(premises=cast.premises_a).update(
        issued_at=F("issued_at") - dt.timedelta(minutes=1))
    before_a, before_b = live(cast.premises_a), live(cast.premises_b)
    assert (before_a.level, before_b.level) == ("yellow", "green")
    audited = issues(cast.premises_a)
    delta = import_movements(tmp_path, "2022-08-18.csv", [
        (W[1], W[0], "350206", "江头街道某小区", "2022-08-17"),   # A's second tenant in the medium-risk area
        (Y[1], Y[0], "350203", "莲前街道某社区", "2022-08-18"),   # B's tenant in the high-risk area
    ])
    run2 = reevaluate.reevaluate(dataset=delta)
    assert (run2.changed, run2.codes_changed, run2.stats["codes_kept"]) == (2, 1, 1)
    code_a = live(cast.premises_a)
    assert (code_a.pk, code_a.token, code_a.level) == (before_a.pk, before_a.token, "yellow")
    assert code_a.counts == {"green": 3, "yellow": 2, "red": 0, "unresolved": 0} and issues(cast.premises_a) == audited
    assert not revoked(code_a)
    assert live(cast.premises_b).level == "red" and revoked(before_b)
    assert AuditRecord.objects.filter(action="reevaluate", detail__run=run2.pk, detail__codes_changed=1,
                                      detail__codes_kept=1).exists()
    a.refresh_from_db()
    assert a.reevaluated_at is not None and a.reevaluated_at > code_a.issued_at
    sign_in(client, cast.landlord_a)
    with translation.override("en"):
        page = client.get(reverse("codes:premises", args=[cast.premises_a.pk]), HTTP_ACCEPT_LANGUAGE="en"
                          ).content.decode()
    line = page.split('id="code-rechecked"', 1)[1].split("</p>", 1)[0]
    when = timezone.localtime(a.reevaluated_at).strftime("%Y-%m-%d %H:%M")
    assert f"re-checked against newer risk data on {when}: 5 people, 0 red, 2 yellow" in line
    assert "this code and its poster stay valid" in line
    with translation.override("zh-hans"):
        zh = client.get(reverse("codes:premises", args=[cast.premises_a.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
                        ).content.decode()
    assert f"{when} 已按更新的风险数据重新核查筛查结果：5 人，红 0 人，黄 2 人。" in zh
    assert "等级未变，本码和门上的海报继续有效。" in zh
    # B's new code was issued by that run: nothing re-checked its screening since
    assert premises_code_state(cast.premises_b)["rechecked"] is None
    assert premises_code_state(cast.premises_a)["rechecked"] == a.reevaluated_at
