"""A time for a person to read is written by one function, ``core.texts.moment`` (local, ``YYYY-MM-DD HH:MM``):
the review found ``codes.selectors._local_minute`` copying it, and the family had seven more copies (the codes'
services and texts, the screening upload label, the retention command, the evidence print-out, the alerts'
audit describer, the statistics report). A copy drifts (another zone, seconds, ISO 8601): none may come back."""

from __future__ import annotations

import re
from pathlib import Path

import pingan

SRC = Path(pingan.__file__).parent

#: ``timezone.localtime(x).strftime("%Y-%m-%d %H:%M")`` — the bureau's clock to the minute, i.e. ``moment``.
COPY = re.compile(r"localtime\([^)]*\)\s*\.strftime\(\s*[\"']%Y-%m-%d %H:%M[\"']\s*\)")


def test_no_module_writes_a_local_minute_of_its_own():
    copies = [f"{p.relative_to(SRC)}:{text[:m.start()].count(chr(10)) + 1}"
              for p in sorted(SRC.rglob("*.py")) if p.name != "texts.py" or p.parent.name != "core"
              for text in [p.read_text(encoding="utf-8")] for m in COPY.finditer(text)]
    assert copies == [], f"use pingan.core.texts.moment: {copies}"


def test_the_codes_audit_describers_use_moment(settings):
    import datetime as dt

    from pingan.codes import selectors
    from pingan.core.texts import moment

    assert not hasattr(selectors, "_local_minute")
    settings.TIME_ZONE = "Asia/Shanghai"
    assert moment(dt.datetime(2026, 12, 7, 6, 46, 12, tzinfo=dt.UTC)) == "2026-12-07 14:46"
