"""The models and the migrations agree, and every app's migration graph has one leaf: several people land
migrations in parallel, and a missing or doubled migration must fail here, not on a bureau's upgrade."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"a model change has no migration (exit {exit_.code}):\n{out.getvalue()}")


def test_every_app_has_one_leaf_migration():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    conflicts = loader.detect_conflicts()
    assert conflicts == {}, f"apps with more than one leaf migration (merge or renumber): {conflicts}"
