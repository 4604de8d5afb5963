"""Constants and helpers of the anti-fraud tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MULE = "6222020000000001"
SECOND = "6222020000000002"
THIRD = "6222020000000003"
VICTIM_ACCT = "6217000000000009"

#: Debian's chromium (nothing downloaded at test time) and where the browser tests leave their screenshots.
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots"))


def statement_csv(rows: list[tuple], encoding="utf-8") -> bytes:
    """A statement in the usual Chinese layout (RFC 4180 quoting, so "50,000.00" stays one cell)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["交易流水号", "交易时间", "借贷标志", "交易金额", "余额", "对方账号", "对方户名", "对方开户行", "摘要"])
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def sign_in(client, user, language="zh-hans"):
    """``client`` signed in as ``user`` with the case-investigation purpose of use, reading ``language``."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"
    session.save()
    client.cookies["django_language"] = language
    return client


def browser_page(browser, live_server, client, language: str, width: int):
    """A chromium page ``width`` px wide in ``language``, with ``client``'s session (signed in)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url},
                         {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page
