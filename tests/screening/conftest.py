"""Fixtures shared by the screening tests: one local Spark session for the whole test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    """A local Spark session (2 threads) for the engine contract tests, stopped at the end of the session.

    Small inputs: few partitions, and no code generation or adaptive re-planning, which cost more than the
    queries themselves here (the results are the same; code generation is an execution detail)."""
    from pingan.screening.spark import spark_session

    session = spark_session("local[2]", {
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2", "spark.driver.memory": "1g",
        "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
        "spark.sql.adaptive.enabled": "false", "spark.sql.autoBroadcastJoinThreshold": "64m",
    }, app_name="pingan-tests")
    yield session
    session.stop()
