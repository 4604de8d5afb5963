"""Constants and helpers of the evidence tests."""

from __future__ import annotations

import datetime as dt

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
