"""Continuous re-screening (issue 10): new risk data re-evaluate only the people they can affect, and the
results, police hits and safety codes follow, explained and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from derived_support import LISTED_FROM, SH, TENANTS, import_movements, import_risk, listing_table, listings, run
from django.utils import translation
from test_app_support import isolated  # noqa: F401 - fixture

from pingan.codes import services as codes
from pingan.codes.models import SafetyCode
from pingan.codes.revocation import RevocationList
from pingan.core.models import AuditRecord
from pingan.core.texts import render
from pingan.screening import reevaluate, services
from pingan.screening.models import Hit, PersonResult, Reevaluation

pytestmark = pytest.mark.usefixtures("isolated")

X, Y = TENANTS[0], TENANTS[20]  # travelled to 湖里区 江头街道 (350206) on 2022-08-16
JIANGTOU = dict(area_key="k-med", adcode="350206", community="江头街道某小区", level="medium")


def live(premises) -> SafetyCode:
    return SafetyCode.objects.get(premises=premises, revoked_at__isnull=True)


def snapshot(name: str, until: dt.datetime):
    """A new risk-area snapshot: 莲前 as before, and 江头 listed from 2022-08-10 20:00 until ``until``."""
    return services.risk_dataset_store(kind="listings", name="test listings", source=name,
                                       table=listings(listing_table(), listing_table(**JIANGTOU, listed_until=until)))


def assert_counts_recount(*jobs) -> None:
    """Each job's stored counts (moved by the re-evaluation's changes on PostgreSQL, recounted on SQLite) and
    its live code's counts agree with counting its rows and hits afresh."""
    for job in jobs:
        job = job.__class__.objects.get(pk=job.pk)
        counts, people = codes.screening_counts(job)
        hits = Hit.objects.filter(job=job)
        assert {k: job.counts[k] for k in ("green", "yellow", "red", "police_hits", "silent_hits", "flagged_people")} \
            == {"green": counts.green, "yellow": counts.yellow, "red": counts.red, "police_hits": hits.count(),
                "silent_hits": hits.filter(silent=True).count(),
                "flagged_people": hits.filter(silent=False).values("person").distinct().count()}
        assert job.counts["accepted"] == people and job.counts["accepted"] + job.counts["rejected"] == \
            PersonResult.objects.filter(job=job).count()
        code = SafetyCode.objects.get(premises_id=job.premises_id, revoked_at__isnull=True)
        assert code.counts == {"green": counts.green, "yellow": counts.yellow, "red": counts.red,
                               "unresolved": counts.unresolved} and code.people == people


@pytest.fixture
def world(cast, tmp_path, settings):
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    import_risk(tmp_path, extra=[(X[1], X[0], "350206", "江头街道某小区", "2022-08-16"),
                                 (Y[1], Y[0], "350206", "江头街道某小区", "2022-08-16")])
    a = run(cast.premises_a, TENANTS[:5])            # X among them
    b = run(cast.premises_b, [*TENANTS[10:14], Y])   # Y among them
    assert live(cast.premises_a).level == live(cast.premises_b).level == "green"
    return a, b


def test_a_listing_imported_after_the_screening_turns_the_codes_and_lifting_it_turns_them_back(cast, world,
                                                                                             monkeypatch):
    a, _ = world

    def no_recount(cur, job_ids, now):  # PostgreSQL moves the counts by the changes: no job's people recounted
        assert not job_ids
    monkeypatch.setattr(reevaluate, "_recount_pg", no_recount)
    # nor their hits: a screening wrote every count, so all of them move (a statement that fails if it runs)
    monkeypatch.setattr(reevaluate, "_MOVE_LEVELS_RECOUNT_HITS", "SELECT 1 / 0")
    greens = [live(cast.premises_a), live(cast.premises_b)]
    listed = snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH))
    run1 = reevaluate.reevaluate(dataset=listed)
    # only the two people who stayed in the newly listed area were screened again, not all ten
    assert (run1.candidates, run1.changed, run1.codes_changed, run1.hits_added) == (2, 2, 2, 2)
    x = PersonResult.objects.get(job=a, id_number=X[1])
    assert x.level == "yellow" and x.reevaluated_at is not None
    assert (x.reevaluation["from"], x.reevaluation["to"], x.reevaluation["run"]) == ("green", "yellow", run1.pk)
    why = render(x.reevaluation["why"][0])
    assert "2022-08-10" in why and "江头街道某小区" in why and "350206" in why
    hit = Hit.objects.get(person=x)  # a police hit for the responsible unit, with where and when
    assert hit.listing_ref == "k-med" and hit.detail["listing"]["community"] == "江头街道某小区"
    assert a.__class__.objects.get(pk=a.pk).counts["yellow"] == 1
    untouched = PersonResult.objects.get(job=a, id_number=TENANTS[2][1])
    assert untouched.reevaluated_at is None and untouched.level == "green"
    for premises, old in zip((cast.premises_a, cast.premises_b), greens, strict=True):
        code = live(premises)
        assert code.level == "yellow" and code.cause["code"] == "code_cause.reevaluation"
        old.refresh_from_db()
        assert old.revocation_reason == "rescreened"
        rl = RevocationList.verify(codes.revocation_list_current(issuer=old.issuer).data, codes.trust_store())
        assert bytes.fromhex(old.code_id) in rl.entries
    assert AuditRecord.objects.filter(action="reevaluate", detail__run=run1.pk, detail__changed=2).exists()
    assert_counts_recount(*world)

    lifted = snapshot("江头 lifted", LISTED_FROM + dt.timedelta(days=1))  # lifted before anyone stayed there
    run2 = reevaluate.reevaluate(dataset=lifted)
    assert (run2.candidates, run2.changed, run2.hits_removed) == (2, 2, 2)
    x.refresh_from_db()
    assert x.level == "green" and x.reevaluation["to"] == "green" and not Hit.objects.filter(person=x).exists()
    assert x.reevaluation["why"][0]["code"] == "reeval.cleared"
    with translation.override("zh-hans"):  # an earlier test's activated language must not decide this
        assert "不再命中" in render(x.reevaluation["why"][0])
    assert live(cast.premises_a).level == live(cast.premises_b).level == "green"
    assert live(cast.premises_a).people == 5
    assert_counts_recount(*world)


def test_a_job_whose_counts_lack_the_hit_counts_has_its_hits_counted(cast, world):
    """Counts written before the hit counts existed: the levels move, the hits are counted (the hits of the
    changed people alone would not say the job's)."""
    a, _ = world
    for job in world:
        job.__class__.objects.filter(pk=job.pk).update(counts={k: v for k, v in job.counts.items()
                                                               if k not in ("police_hits", "flagged_people")})
    run1 = reevaluate.reevaluate(dataset=snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH)))
    assert (run1.changed, run1.hits_added) == (2, 2)
    assert_counts_recount(*world)
    a.refresh_from_db()
    assert (a.counts["yellow"], a.counts["police_hits"], a.counts["flagged_people"]) == (1, 1, 1)


def test_the_data_a_screening_read_itself_is_not_newer_risk_data(cast, world):
    # issue 11: after the demo's imports (enqueued re-evaluations ran when the workers started) the job page said
    # "re-checked against newer risk data" of a screening that had read that very data
    listing = services.active_listings()
    for job in world:
        job.refresh_from_db()
        assert listing.pk in job.stats["risk_datasets"]
    run1 = reevaluate.reevaluate(dataset=listing)
    assert (run1.candidates, run1.changed, run1.codes_changed) == (0, 0, 0)
    for job in world:
        job.refresh_from_db()
        assert job.reevaluated_at is None
    assert not PersonResult.objects.filter(reevaluated_at__isnull=False).exists()


def test_a_days_movements_re_evaluate_only_the_people_in_them(cast, world, tmp_path):
    # the people are found through a temporary table and hash joins (PostgreSQL) or one JSON array parameter
    # (SQLite), however many numbers the records hold
    a, _ = world
    z = TENANTS[3]
    # counts written before the levels were counted (never so by the screening): recounted, not moved
    a.__class__.objects.filter(pk=a.pk).update(counts={"accepted": 5, "rejected": 0})
    delta = import_movements(tmp_path, "2022-08-18.csv", [
        (z[1], z[0], "350203", "莲前街道某社区", "2022-08-18"),                  # a tenant of A, in the listed area
        ("110105199001011236", "路人甲", "350203", "莲前街道某社区", "2022-08-18"),  # nobody screened
        (TENANTS[12][1], TENANTS[12][0], "110105", "朝阳区某地", "2022-08-18"),    # B's tenant, not listed
    ])
    run1 = reevaluate.reevaluate(dataset=delta)
    # only the one screened person whose new record lies in a listed area: a stay anywhere else (B's tenant in
    # 朝阳区) cannot change a movement rule's outcome, and 路人甲 was never screened
    assert (run1.candidates, run1.changed, run1.codes_changed) == (1, 1, 1)
    assert PersonResult.objects.get(job=a, id_number=z[1]).level == "red"
    assert live(cast.premises_a).level == "red" and live(cast.premises_b).level == "green"
    assert Reevaluation.objects.count() == 1 and run1.stats["change"]["numbers_in_listed_areas"] == 2
    assert PersonResult.objects.get(id_number=TENANTS[12][1]).reevaluated_at is None
    assert_counts_recount(*world)


def test_an_import_enqueues_the_re_evaluation_after_commit(cast, world, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    calls = []
    monkeypatch.setattr("pingan.screening.services._enqueue_reevaluation", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        ds = snapshot("again", dt.datetime(2022, 8, 25, 20, tzinfo=SH))
    assert calls == [ds.pk]
    # what the task does when a worker runs it
    from pingan.screening.tasks import reevaluation_task

    assert reevaluation_task.call(ds.pk)["candidates"] == 2


def test_new_hits_reach_the_responsible_units_terminals_and_jurisdiction_views(cast, world, client):
    from django.urls import reverse
    from test_app_support import sign_in

    from pingan.alerts.models import FeedItem
    from pingan.alerts.stream import _backfill

    before = FeedItem.objects.count()
    run1 = reevaluate.reevaluate(dataset=snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH)))
    # one notice per responsible unit on the officers' live stream: X is A's tenant (station A), Y is B's
    items = list(FeedItem.objects.filter(kind="hits").order_by("seq"))
    assert FeedItem.objects.count() == before + 2
    assert [(i.unit_id, sorted(i.roles), i.payload["params"]) for i in items] == [
        (u.pk, ["officer", "station_chief"], {"people": 1, "hits": 1, "premises": 1, "dataset": "test listings"})
        for u in sorted((cast.unit_a, cast.unit_b), key=lambda u: u.pk)]
    assert all(i.payload["url"] == f"{reverse('dashboard:jurisdiction')}?reeval={run1.pk}" for i in items)
    assert "张" not in str(items[0].payload) and X[1] not in str(items[0].payload)  # counts, no one named
    # what a terminal of station A receives (its back-fill after a reconnect from before the run): A's notice only
    got = _backfill(cast.unit_a.pk, "officer", 0)
    assert [(k, p["params"]["people"]) for _s, k, p in got if k == "hits"] == [("hits", 1)]
    assert _backfill(cast.unit_a.pk, "landlord", 0) == []
    # the notice's link: station A's jurisdiction view lists exactly the people that run changed, with the count
    sign_in(client, cast.officer_a)
    page = client.get(reverse("dashboard:jurisdiction"), {"reeval": run1.pk}).content.decode()
    assert X[0] in page and Y[0] not in page and TENANTS[2][0] not in page
    home = client.get(reverse("dashboard:jurisdiction")).content.decode()
    assert 'id="reevaluated-count"' in home and '<b>1</b><span>' in home.split('id="reevaluated-count"')[1][:60]
    sign_in(client, cast.officer_b)
    page = client.get(reverse("dashboard:jurisdiction"), {"reeval": run1.pk}).content.decode()
    assert Y[0] in page and X[0] not in page
    # lifting the listing removes hits and raises none: no new notice
    reevaluate.reevaluate(dataset=snapshot("江头 lifted", LISTED_FROM + dt.timedelta(days=1)))
    assert FeedItem.objects.filter(kind="hits").count() == 2


def test_the_new_codes_are_signed_ahead_while_the_results_are_stored(cast, world, monkeypatch):
    """The codes app signs the codes of the premises whose people changed in a thread before the results are
    written (their level and people predicted from the jobs' counts and the run's moves, PostgreSQL only), and
    the derivation takes them where the claims are those it wants; each verifies with the right level."""
    from django.db import connection

    monkeypatch.setattr(codes, "PRESIGN_MIN_CODES", 0)
    taken = []
    take = codes.Presigned.take

    def spy(self, premises_id, **claims):
        got = take(self, premises_id, **claims)
        taken.append((premises_id, got is not None))
        return got
    monkeypatch.setattr(codes.Presigned, "take", spy)
    run1 = reevaluate.reevaluate(dataset=snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH)))
    assert run1.codes_changed == 2
    ahead = connection.vendor == "postgresql"  # elsewhere the counts are recounted, not predicted
    assert sorted(taken) == sorted((p.pk, ahead) for p in (cast.premises_a, cast.premises_b))
    for premises in (cast.premises_a, cast.premises_b):
        code = live(premises)
        check = codes.safety_code_verify(code.token)
        assert check.status.value == "valid" and check.code.level.value == code.level == "yellow"
        assert check.code.code_id.hex() == code.code_id and check.code.people == code.people == 5
    assert_counts_recount(*world)


def test_a_code_signed_ahead_with_other_claims_is_not_taken(cast, world):
    """A code signed ahead on a wrong prediction (here: green where the premises is now yellow) is left: the
    derivation signs the code it wants."""
    from django.utils import timezone

    from pingan.codes import token
    from pingan.codes.levels import Level

    reevaluate.reevaluate(dataset=snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH)))
    premises = cast.premises_a
    before = live(premises)
    assert before.level == "yellow"
    signer = codes.signer_for(codes.signing_key_ensure(issuer=before.issuer))
    green = token.SafetyCode.new(issuer=before.issuer, premises_id=premises.pk, premises_name=premises.name,
                                 level=Level.GREEN, people=5, issued_at=timezone.now())
    wrong = codes.Presigned([(premises.pk, green, signer)])
    SafetyCode.objects.filter(pk=before.pk).update(counts={})  # the derivation issues again
    codes.safety_codes_derive_bulk(causes={premises.pk: {}}, presigned=wrong)
    code = live(premises)
    assert code.pk != before.pk and code.level == "yellow" and code.code_id != green.code_id.hex()
    assert codes.safety_code_verify(code.token).code.level.value == "yellow"


def test_the_changed_results_are_rewritten_in_place(cast, world):
    """A re-evaluation's updates of the results are HOT on PostgreSQL (the new row version on its page, no new
    index entry): no index of the results holds a column it rewrites — the ``(job, level)`` index held the
    level, so none of a bench run's 125,024 result updates was HOT — and the table keeps room in its pages
    (migration ``screening`` 0020)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's HOT updates")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'screening_personresult'")
        defs = sorted(d.split(" USING ", 1)[1] for (d,) in cur.fetchall())
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'screening_personresult'")
        options = cur.fetchone()[0]
    assert defs == ["btree (id)", "btree (job_id, \"row\")"], defs
    assert options == ["fillfactor=80"], options

    def updates() -> tuple[int, int]:  # this transaction's row updates of the results, and how many were HOT
        with connection.cursor() as cur:
            cur.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                        "WHERE relname = 'screening_personresult'")
            return cur.fetchone()

    def joins() -> tuple[str, str]:  # the planner's join settings in this (the test's) transaction
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('enable_mergejoin'), current_setting('enable_hashjoin')")
            return cur.fetchone()

    before, planner = updates(), joins()
    run1 = reevaluate.reevaluate(dataset=snapshot("江头 listed", dt.datetime(2022, 8, 25, 20, tzinfo=SH)))
    assert run1.changed == 2
    after = updates()
    updated, hot = after[0] - before[0], after[1] - before[1]
    assert updated >= 2 and hot == updated, (updated, hot)
    # the results' update finds each changed row by its key (no merge or hash join): only that statement
    assert joins() == planner == ("on", "on")
