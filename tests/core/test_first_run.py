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
