"""The first command on a new embedded install says that it prepares the database (it applied every migration,
~20 s of CPU, in silence: a new user's `pingan demo` printed nothing for its first minute), and `pingan migrate`
on the embedded SQLite does not print Django's warnings about the two PostgreSQL-only features
(docs/configuration.md)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection
from django.utils import translation

from pingan import cli
from pingan.core import bootstrap

pytestmark = pytest.mark.django_db


def test_pending_migrations_are_announced_before_they_run(monkeypatch):
    calls = []
    monkeypatch.setattr(bootstrap, "pending_migrations", lambda: 121)
    monkeypatch.setattr(bootstrap, "call_command", lambda *a, **k: calls.append(("migrate", a)))
    done = bootstrap.ensure_initialised(announce=lambda n: calls.append(("announce", n)))
    assert calls[:2] == [("announce", 121), ("migrate", ("migrate",))]
    assert done["migrations"] == 121


def test_nothing_is_announced_when_the_database_is_ready(monkeypatch):
    said = []
    monkeypatch.setattr(bootstrap, "pending_migrations", lambda: 0)
    bootstrap.ensure_initialised(announce=said.append)
    assert said == []


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh-hans", "首次运行：正在准备数据库（121 项迁移），可能需要一两分钟…\n"),
    ("en", "First run: preparing the database (121 migrations); this can take a minute or two…\n"),
])
def test_the_first_run_line_is_in_the_users_language(capsys, lang, expected):
    with translation.override(lang):
        cli._first_run(121)
    assert capsys.readouterr().err == expected


def test_sqlite_only_warnings_are_silenced():
    found = checks.run_checks(databases=["default"])
    assert [m for m in found if m.id in ("models.W047", "models.W040") and not m.is_silenced()] == []
    if connection.vendor == "sqlite":  # the checks do fire there: silenced, not absent
        assert "models.W047" in {m.id for m in found}


def test_the_whole_command_family_says_a_usage_error_or_a_missing_file_without_preparing_the_database(tmp_path):
    """CI of 2026-12-07: ``pingan screen roster.csv`` with no such file, and ``pingan code verify`` with no code,
    printed "First run: preparing the database (124 migrations)…" and migrated before their one-line failure. The
    database is prepared when a command first uses it (``bootstrap.initialise_on_first_use``): every command that
    reads or writes a file (the first of each in test_cli_missing_files' lists) and usage errors said by argparse
    and by the commands themselves leave a new data directory without a database; a command that reads it says the
    first-run line once, and the next one does not."""
    from test_cli_help_errors import run
    from test_cli_missing_files import READERS, WRITERS

    data = tmp_path / "data"
    data.mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,证件号码\n张三,110101199003078515\n", encoding="utf-8")
    usage = [("code", "verify"), ("screen",), ("audit", "search", "--since", "xx"), ("serve", "--port", "99999")]
    first = {}  # each command that reads or writes a file once (a process each: the suite runs on 2 cores)
    for args in [*READERS, *WRITERS]:
        first.setdefault(args[0], args)
    for args in [*first.values(), *usage]:
        r = run(data, *[a.format(roster=roster) for a in args], cwd=tmp_path)
        assert r.returncode == (2 if args in usage else 1), (args, r.stderr)
        assert "First run" not in r.stderr and "preparing the database" not in r.stderr, (args, r.stderr)
        assert not (data / "pingan.sqlite3").exists(), args
    r = run(data, "token", "list", "nobody")
    assert r.stderr.count("First run: preparing the database") == 1, r.stderr
    assert (data / "pingan.sqlite3").exists()
    r = run(data, "token", "list", "nobody")
    assert "First run" not in r.stderr, r.stderr
