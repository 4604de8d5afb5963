"""Helpers of the statistics tests: a small bureau file for stations A (莲前) and B (江头) with known counts, and
a plain DuckDB query over a raw data file (the independent check)."""

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


HEAD = "案件编号,接报时间,发案时间,案由,发案地点,辖区,破案时间,损失金额\n"

#: (case, reported, charge, unit, cleared, loss): station A has 3 thefts and a robbery in the week of
#: 2024-03-04 (as of Wednesday 6 March), B one theft; last year's same week A had 1 theft; a pickpocketing
#: on a bus in A in 2023; one theft of 2023 in A cleared in 2024; B's file reaches back to January 2023, so
#: last year's periods are covered (a file's days are what it covers: every day of a period must be, from
#: 1 January 2023 for last year's year to date).
ROWS = [
    ("A1", "2024-03-04 09:00", "盗窃", "莲前派出所", "2024-03-05 10:00", "1500"),
    ("A2", "2024-03-05 10:00", "盗窃", "莲前派出所", "", "800"),
    ("A3", "2024-03-06 11:00", "盗窃", "莲前派出所", "", "2600"),
    ("A4", "2024-03-06 12:00", "抢劫", "莲前派出所", "2024-03-06 20:00", "300"),
    ("A5", "2023-03-07 09:00", "盗窃", "莲前派出所", "2024-02-01 09:00", "500"),
    ("A6", "2023-06-01 08:00", "扒窃", "莲前派出所", "", "200", "思明区莲前东路公交车上"),
    ("B1", "2024-03-05 09:00", "盗窃", "江头派出所", "", "4000"),
    ("B2", "2023-01-01 10:00", "盗窃", "江头派出所", "", "100"),  # the file starts on 1 January 2023
]


def bureau_csv(rows=ROWS) -> bytes:
    body = "".join(f"{c},{t},{t},{ch},{(place or ['思明区某路1号'])[0]},{u},{cl},{loss}\n"
                   for c, t, ch, u, cl, loss, *place in rows)
    return (HEAD + body).encode()


def sign_in(client, user, language: str) -> None:
    """Sign ``user`` in for the pages in ``language``, with the purpose a police account declares."""
    client.cookies["django_language"] = language
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
