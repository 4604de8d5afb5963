"""A re-evaluation gives the people it screens again exactly what a screening of their roster gives — the
engine's identity rules included: a person without a usable ID number matched on name + date of birth, a
number with a wrong check character (identity unverified → yellow), one the GB 11643 recovery corrects.

Found after ``pingan demo``: the background re-check, against the same risk data and as-of date, dropped a
``name_dob`` hit (red → yellow) and gave people with a wrong check character green; the printed code was
revoked as "rescreened". Against unchanged risk data nothing may change; against new data the re-evaluated
people must equal a from-scratch screening of the same roster (the engine is the oracle)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from derived_support import AS_OF, RED_ID, TENANTS, import_movements, import_risk, rid
from test_app_support import isolated  # noqa: F401 - fixture

from pingan.codes.models import SafetyCode
from pingan.lib.identity import ric
from pingan.screening import reevaluate, services
from pingan.screening.models import Hit, PersonResult, RiskDataset

pytestmark = pytest.mark.usefixtures("isolated")

NO_ID = ("李娜", "", "1985-03-04", "13800000001")            # no number: matched on name + date of birth
NO_ID_NUMBER = rid("350203", "19850304", "456")
LATER_NO_ID = ("赵敏", "", "1975-06-07", "13800000002")      # no number, nobody like her in the data until the delta
LATER_NO_ID_NUMBER = rid("350205", "19750607", "321")
BAD_CHECK_BODY = rid("110105", "19790909", "555")
BAD_CHECK = ("周杰", BAD_CHECK_BODY[:17] + str((int(BAD_CHECK_BODY[17]) + 1) % 10
                                             if BAD_CHECK_BODY[17] != "X" else "0"), "")
TYPO_RIGHT = rid("350203", "19920202", "789")
GREEN = (TENANTS[0][0], TENANTS[0][1], "")
RED = ("张伟", RED_ID, "")


def _transposed(number: str) -> str:
    """``number`` with two adjacent different digits swapped so that the check character fails."""
    for i in range(14, 16):  # the sequence digits: the date stays real
        if number[i] != number[i + 1]:
            typo = number[:i] + number[i + 1] + number[i] + number[i + 2:]
            if not ric.check_passes(typo):
                return typo
    raise AssertionError(number)


TYPO = ("王芳", _transposed(TYPO_RIGHT), "")
PEOPLE = [RED, GREEN, NO_ID, LATER_NO_ID, BAD_CHECK, TYPO]


def roster(people) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "证件号码", "出生日期", "手机号码"])
    for name, number, born, *phone in people:
        w.writerow([name, number, born, *phone])
    return buf.getvalue().encode("utf-8")


def screen(premises):
    job = services.screening_job_create(actor=premises.owner, roster_name="roster.csv", roster_bytes=roster(PEOPLE),
                                        premises=premises, as_of=AS_OF)
    return services.screening_job_run(job=job)


def results(job) -> dict[int, dict]:
    """Everything a re-evaluation may change of each row, and the row's hits."""
    out = {}
    for p in PersonResult.objects.filter(job=job).order_by("row"):
        hits = sorted((h.rule_id, h.source, h.record_ref, h.listing_ref, h.match_kind, tuple(h.match_reasons),
                       h.level_effect, h.police_priority, h.silent) for h in Hit.objects.filter(person=p))
        out[p.row] = {"level": p.level, "rule_ids": sorted(p.rule_ids), "reason": p.reason, "reasons": p.reasons,
                      "police_priority": p.police_priority, "hit_count": p.hit_count, "silent_hit": p.silent_hit,
                      "identity_status": p.identity_status, "identity_reason": p.identity_reason,
                      "corrected_id_number": p.corrected_id_number, "identity_detail": p.identity_detail, "hits": hits}
    return out


def counts(job) -> dict:
    job.refresh_from_db()
    return {k: job.counts.get(k) for k in ("green", "yellow", "red", "police_hits", "silent_hits", "flagged_people")}


@pytest.fixture
def screened(cast, tmp_path, settings):
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    movements = import_risk(tmp_path, [(RED_ID, "张伟"), (NO_ID_NUMBER, "李娜"), (TYPO_RIGHT, "王芳")])
    job = screen(cast.premises_a)
    levels = {p.name: (p.level, p.identity_status, sorted(p.rule_ids))
              for p in PersonResult.objects.filter(job=job)}
    # what the engine gives, which the re-evaluation must keep
    assert levels["李娜"][0] == "red" and levels["王芳"][:2] == ("red", "corrected")
    assert levels["周杰"][0] == "yellow" and levels[GREEN[0]][0] == "green" and levels["张伟"][0] == "red"
    assert levels["赵敏"][0] == "yellow"  # no number: identity unverified
    assert Hit.objects.filter(job=job, match_kind="name_dob").count() == 1
    # as if screened before jobs recorded the datasets they read (issue 11): a re-check against the very data the
    # screening read then looks at its people again — what these tests hold to the screening's own results
    job.refresh_from_db()
    job.__class__.objects.filter(pk=job.pk).update(stats={k: v for k, v in job.stats.items() if k != "risk_datasets"})
    job.refresh_from_db()
    return job, movements


def test_re_evaluating_against_unchanged_risk_data_changes_nothing(cast, screened):
    job, movements = screened
    before, before_counts = results(job), counts(job)
    code = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    listings = RiskDataset.objects.filter(kind=RiskDataset.Kind.LISTINGS).latest("pk")
    for dataset in (movements, listings):  # the re-check after an import, with nothing new in it
        run = reevaluate.reevaluate(dataset=dataset)
        # the people without a usable number were looked at (the records and listings touch them)
        assert all(p.reevaluated_at is not None for p in PersonResult.objects.filter(
            job=job, name__in=["李娜", "赵敏", "周杰", "王芳"]))
        assert (run.changed, run.hits_added, run.hits_removed, run.codes_changed) == (0, 0, 0, 0)
        assert results(job) == before and counts(job) == before_counts
    assert SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True).pk == code.pk


@pytest.mark.parametrize("kept", ["engine roster", "roster file"])
def test_re_evaluated_people_get_what_a_fresh_screening_of_their_roster_gives(cast, screened, tmp_path, kept):
    """From the engine roster the screening left (the roster file is not read), or — for a job screened before
    engine rosters existed — from the roster file, parsed again and its engine roster written for next time."""
    job, _ = screened
    engine_roster = Path(job.result_dir) / services.ENGINE_ROSTER_FILE
    written = services.engine_roster_read(engine_roster)
    assert written.column("resident_id_column").to_pylist() == [False] * len(PEOPLE)  # "证件号码": any document
    if kept == "engine roster":
        os.remove(job.roster_path)
    else:
        engine_roster.unlink()
    delta = import_movements(tmp_path, "2022-08-18.csv", [
        (GREEN[1], GREEN[0], "350203", "莲前街道某社区", "2022-08-18"),            # green → red
        (LATER_NO_ID_NUMBER, "赵敏", "350203", "莲前街道某社区", "2022-08-18"),    # name + date of birth
        (BAD_CHECK_BODY, "周杰", "350203", "莲前街道某社区", "2022-08-18"),        # the number recovered
    ])
    run = reevaluate.reevaluate(dataset=delta)
    assert run.changed >= 3
    fresh = screen(cast.premises_b)  # the same roster from scratch on the data now active: the oracle
    got, want = results(job), results(fresh)
    assert {r: v["level"] for r, v in got.items()} == {r: v["level"] for r, v in want.items()}
    for r in want:
        assert got[r] == want[r], r
    assert {k: v for k, v in counts(job).items()} == counts(fresh)
    assert want[5]["level"] == "red" and want[6]["level"] == "red"  # 赵敏, 周杰 (rows 2.. by the header)
    assert services.engine_roster_read(engine_roster).equals(written) and engine_roster.stat().st_mode & 0o777 == 0o600


def test_a_job_whose_roster_file_is_gone_is_re_evaluated_from_its_stored_results(cast, screened):
    """A job without its roster file and engine roster (deleted under retention): the re-evaluation raised
    KeyError 'gone' instead of rebuilding those people from the stored results."""
    job, movements = screened
    os.remove(job.roster_path)
    (Path(job.result_dir) / services.ENGINE_ROSTER_FILE).unlink()
    run = reevaluate.reevaluate(dataset=movements)
    assert run.candidates > 0
    assert PersonResult.objects.get(job=job, name="张伟").level == "red"


@pytest.mark.parametrize("kept", ["engine roster", "roster file"])
def test_a_person_is_screened_again_with_the_other_rows_of_the_roster_giving_the_same_number(cast, tmp_path,
                                                                                             settings, kept):
    """One number under two names is decided within a roster: the person's row goes to the engine with the
    roster's other rows giving that number (as context, not stored), and screening it again gives what the
    screening gave."""
    settings.PINGAN = {**settings.PINGAN, "SCREENING_AS_OF": "2022-08-20"}
    import_risk(tmp_path, [(RED_ID, "张伟")])
    job = services.screening_job_create(
        actor=cast.premises_a.owner, roster_name="roster.csv", premises=cast.premises_a, as_of=AS_OF,
        roster_bytes=roster([("李四", TYPO_RIGHT, ""), GREEN, ("王五", TYPO_RIGHT, ""), RED]))
    job = services.screening_job_run(job=job)
    if kept == "roster file":
        (Path(job.result_dir) / services.ENGINE_ROSTER_FILE).unlink()
    else:
        os.remove(job.roster_path)
    first = PersonResult.objects.get(job=job, row=2)
    people = reevaluate.people_table([first.pk, PersonResult.objects.get(job=job, row=5).pk])
    [(table, _flag, context)] = reevaluate._rosters(people)
    assert table.column("name").to_pylist() == ["李四", "王五", "张伟"]  # roster order
    keys = table.column("row").to_pylist()
    assert keys[0] == first.pk and keys[1] < 0 and context == {keys[1]}
    result, _ruleset = reevaluate.screen_again(people)
    again = result.persons.to_pylist()
    stored = {p.pk: p for p in PersonResult.objects.filter(job=job)}
    assert [r["row"] for r in again] == sorted(people.column("pk").to_pylist())  # the context rows left out
    for r in again:
        p = stored[r["row"]]
        assert (r["level"], sorted(r["rule_ids"] or []), r["identity_status"]) == (
            p.level, sorted(p.rule_ids), p.identity_status), p.name
    assert stored[first.pk].identity_status == "conflicting"  # alone, its row would be valid
