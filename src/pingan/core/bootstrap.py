"""First-use initialisation: migrate the database and load reference data when they are missing."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.db.migrations.executor import MigrationExecutor

_ON_FIRST_USE = "pingan.core.bootstrap.on_first_use"


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


def initialise_on_first_use(*, announce: Callable[[int], None] | None = None) -> None:
    """Prepare the default database (:func:`ensure_initialised`) when the process first connects to it, not
    before: a command that fails on its arguments or on a file that is not there says so without preparing it
    (CI of 2026-12-07: ``pingan screen roster.csv`` with no such file printed "First run: preparing the database
    (124 migrations)…" and migrated before its one-line failure), and a command that never reads the database
    never creates it. The command line arms this once per process (``pingan.cli``); a command that starts other
    ``pingan`` processes calls :func:`initialise_now` first, or each of them would prepare it at once."""

    def prepare(sender, connection, **kwargs) -> None:
        if connection.alias != DEFAULT_DB_ALIAS:
            return
        connection_created.disconnect(dispatch_uid=_ON_FIRST_USE)
        ensure_initialised(announce=announce)

    connection_created.connect(prepare, weak=False, dispatch_uid=_ON_FIRST_USE)


def initialise_now() -> None:
    """Connect to the default database now, preparing it if :func:`initialise_on_first_use` is armed (before a
    command starts child processes that use it)."""
    connections[DEFAULT_DB_ALIAS].ensure_connection()
