"""``pingan screen`` (and ``pingan demo``, which prints its summary) counts flagged people as the police pages do
(issue 11's trial, F8): the demo said "警方命中：204（其中静默 2）" — rule hits — where every page counted 175 flagged
people (78 red + 95 yellow + 2 watchlist hits otherwise green). Now the people first, by the pages' parts, and the
hits beside, named as hits."""

from __future__ import annotations

import re

import pytest
from django.db.models import Q
from test_jobs import GREEN_ID, RED_ID, WATCH_ID, YELLOW_ID, risk, screen_on_command_line  # noqa: F401 - risk is a fixture the tests use

from pingan.screening.models import ScreeningJob

ROSTER = ("姓名,证件类型,证件号码,手机号码\r\n"
          f"王芳,居民身份证,{GREEN_ID},13700137000\r\n"
          f"张伟,居民身份证,{RED_ID},13700137001\r\n"
          f"李娜,居民身份证,{YELLOW_ID},13700137002\r\n"
          f"刘洋,居民身份证,{WATCH_ID},13700137003\r\n").encode()


@pytest.mark.django_db
@pytest.mark.usefixtures("risk")
@pytest.mark.parametrize(("language", "people", "hits"), [
    ("en", r"^flagged people: (\d+) \(red (\d+), yellow (\d+), watchlist hit, otherwise green (\d+)\)$",
     r"^police hits: (\d+) rules hit on them, a person may hit several \((\d+) watchlist hits\)$"),
    ("zh-hans", r"^重点人员：(\d+) 人（红 (\d+)，黄 (\d+)，布控名单命中（绿）(\d+)）$",
     r"^警方命中：(\d+) 次规则命中，一人可命中多条（其中布控名单命中 (\d+) 次）$")])
def test_the_summary_counts_flagged_people_and_names_hits_as_hits(tmp_path, capsys, language, people, hits):
    screen_on_command_line(tmp_path, ROSTER, language)
    text = capsys.readouterr().out
    job = ScreeningJob.objects.latest("pk")
    rows = job.persons.filter(status="accepted")
    flagged = rows.filter(Q(level__in=("red", "yellow")) | Q(silent_hit=True))
    expected = (flagged.count(), rows.filter(level="red").count(), rows.filter(level="yellow").count(),
                rows.filter(level="green", silent_hit=True).count())
    assert expected[0] == sum(expected[1:]) >= 2, expected  # the parts add up; the red and the yellow person
    said = next(m for line in text.splitlines() if (m := re.match(people, line)))
    assert tuple(int(g) for g in said.groups()) == expected, text
    said = next(m for line in text.splitlines() if (m := re.match(hits, line)))
    assert tuple(int(g) for g in said.groups()) == (job.counts["police_hits"], job.counts["silent_hits"]), text
