"""Constants and helpers of the anti-fraud tests."""

from __future__ import annotations

import csv
import datetime as dt
import io

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MULE = "6222020000000001"
SECOND = "6222020000000002"
THIRD = "6222020000000003"
VICTIM_ACCT = "6217000000000009"


def statement_csv(rows: list[tuple], encoding="utf-8") -> bytes:
    """A statement in the usual Chinese layout (RFC 4180 quoting, so "50,000.00" stays one cell)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["交易流水号", "交易时间", "借贷标志", "交易金额", "余额", "对方账号", "对方户名", "对方开户行", "摘要"])
    w.writerows(rows)
    return buf.getvalue().encode(encoding)
