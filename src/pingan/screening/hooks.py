"""Where the apps built on screening hook into it: the lists :mod:`pingan.screening.services` and
:mod:`pingan.screening.reevaluate` call, here in a module that imports nothing heavy, so that an app's
``ready()`` registers its hooks without loading the screening engine (pyarrow, DuckDB, the name matchers) —
every ``pingan`` command, ``--help`` included, started by loading them (issue 11: ``pingan screen --help`` took
4–5 s). Screening does not import the apps built on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Called as ``hook(premises_id, job_id)`` in the transaction in which a job became, or stopped being, its
#: premises' latest finished job. The codes app registers the derivation of the premises' safety code
#: (``pingan.codes.services.on_latest_job_changed``).
LATEST_JOB_HOOKS: list[Callable[[int, int], None]] = []

#: Called as ``hook(premises_id, actor, note)`` after the police confirmed that a premises' flagged people no
#: longer on its roster left (``services.off_roster_resolve``), in its transaction: the codes app closes the
#: premises' open ``left_out`` review (``pingan.codes.services.on_off_roster_resolved``).
OFF_ROSTER_RESOLVED_HOOKS: list[Callable[[int, Any, str], None]] = []

#: Called as ``hook({premises_id: cause}, job_counts={job_id: counts}, prepared=[…])`` after a re-evaluation
#: changed the results of people of those premises (in its transaction; ``cause`` a message: code
#: ``code_cause.reevaluation``, params ``dataset``, ``changed``, ``job``; ``job_counts`` the changed jobs' level
#: counts as just stored — ``green``, ``yellow``, ``red``, ``accepted``, ``total`` — for those it knows, so
#: that a hook need not count their people again); the codes app registers the re-derivation of their codes.
#: Each returns how many codes it ``changed`` (issued or suspended) and ``kept`` (the same code, only its
#: counts brought up to date): the run's ``codes_changed`` and ``stats["codes_kept"]``.
RESULTS_CHANGED_HOOKS: list[Callable[..., dict[str, int]]] = []

#: Called as ``hook(predicted)`` before a re-evaluation stores its results (in its transaction):
#: ``predicted`` maps each premises whose people changed to the level counts its latest job will have once
#: stored (``green``, ``yellow``, ``red``, ``accepted``, ``total``, and ``job``, that job; PostgreSQL only,
#: where the counts are moved by the changes: ``reevaluate._count_changes_pg``). What a hook returns is passed on
#: to the :data:`RESULTS_CHANGED_HOOKS` as ``prepared`` (a list, one item a hook): the codes app signs the new
#: codes in a thread while the results are written, instead of after.
RESULTS_CHANGING_HOOKS: list[Callable[[dict[int, dict]], Any]] = []

#: Called as ``hook(run, raised)`` after a re-evaluation stored new police hits (in its transaction):
#: ``raised`` lists, per person with a hit they did not have before, ``person`` (the result id), ``job``,
#: ``premises`` (or ``None``), ``hits`` (how many new) and ``level``. The responsible units learn of them
#: through these (the alerts app registers one).
HITS_RAISED_HOOKS: list[Callable[[Any, list[dict]], None]] = []

#: Called as ``hook(candidates)`` once the people to re-evaluate are read, before the engine screens them:
#: a hook may prepare for what follows (the codes app starts its signing process when many codes may change).
RUN_STARTED_HOOKS: list[Callable[[int], None]] = []
