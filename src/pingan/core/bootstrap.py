"""First-use initialisation: migrate the database and load reference data when they are missing."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> int:
    """How many migrations are not applied to the default database."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_initialised(*, verbosity: int = 0, announce: Callable[[int], None] | None = None) -> dict[str, int]:
    """Apply pending migrations and load the GB/T 2260 divisions if the table is empty.

    ``announce(n)`` is called first when ``n`` migrations are pending (the command line says that the first run
    prepares the database, which takes a while, instead of staying silent). Returns
    ``{"migrations": n_applied, "divisions": n_loaded}`` (zeros when nothing was needed).
    """
    from pingan.core.models import AdminDivision
    from pingan.core.reference import divisions_load

    done = {"migrations": 0, "divisions": 0}
    n = pending_migrations()
    if n:
        if announce is not None:
            announce(n)
        call_command("migrate", interactive=False, verbosity=verbosity)
        done["migrations"] = n
    if not AdminDivision.objects.exists():
        done["divisions"] = divisions_load()
    return done
