"""Shared helpers for the safety-code tests (a uniquely named module: tests/ has several conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.codes.levels import Level
from pingan.codes.token import SafetyCode

ISSUER = "350203-LQ"
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def make_code(**overrides: object) -> SafetyCode:
    """A code for 莲前出租屋 issued an hour before NOW; keyword overrides go to ``SafetyCode.new``."""
    fields: dict[str, object] = {
        "issuer": ISSUER, "premises_id": 101, "premises_name": "莲前出租屋",
        "level": Level.GREEN, "people": 12, "issued_at": NOW - timedelta(hours=1),
    }
    fields.update(overrides)
    return SafetyCode.new(**fields)  # type: ignore[arg-type]
