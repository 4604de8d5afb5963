"""Helpers of the statistics tests: a plain DuckDB query over a raw data file (the independent check)."""

from __future__ import annotations

import duckdb

from pingan.lib.duck import sql_str


def duck(sql: str, **files) -> list[tuple]:
    """Run ``sql`` with each keyword a view over a raw CSV file (every column text, as published)."""
    con = duckdb.connect()
    for name, path in files.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_csv({sql_str(str(path))}, header=true, "  # noqa: S608
                    "all_varchar=true)")
    return con.execute(sql).fetchall()
