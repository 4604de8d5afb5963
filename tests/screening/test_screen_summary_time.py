"""``pingan screen`` (and ``pingan demo``, which prints the same summary) states its as-of time as ISO 8601
with the bureau's offset, like every other time those commands print (no "CST" beside "+08:00")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from django.utils import timezone

from pingan.screening.management.commands.screen import summary


def test_the_summary_gives_the_as_of_time_with_its_offset():
    job = SimpleNamespace(counts={}, as_of=dt.datetime(2022, 8, 20, 15, 59, tzinfo=dt.UTC), ruleset_id="r",
                          ruleset_version="1", pk=7, roster_name="roster.csv", encoding="utf-8", stats={},
                          reevaluated_at=dt.datetime(2022, 8, 21, 1, 5, tzinfo=dt.UTC))
    text = summary(job, Path("out.csv"))
    first = text.splitlines()[0]
    assert f"as of {timezone.localtime(job.as_of).isoformat(timespec='minutes')} " in first
    assert "as of 2022-08-20T23:59+08:00 " in first and "CST" not in text
    assert "last re-evaluated after new risk data: 2022-08-21T09:05+08:00" in text
