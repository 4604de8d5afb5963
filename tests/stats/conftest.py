"""Fixtures of the statistics tests: the small bureau file of stats_support imported (stations A and B)."""

from __future__ import annotations

import pytest
from stats_support import bureau_csv


@pytest.fixture
def incidents(cast):
    from pingan.stats import services

    return services.bureau_import(data=bureau_csv(), filename="week.csv", org_code="350200")
