"""Leased background jobs: the job row is the queue, a worker leases it, runs it in a child process with a
memory and time budget, and a job whose worker died is taken up again — a bounded number of times.

Any app with long work (screening now; alerts, anti-fraud, statistics next) reuses this:

1. its job model inherits :class:`LeasedJob` (status, attempts, lease, failure code and parameters);
2. it registers a :class:`JobKind` in its ``AppConfig.ready()``: the model, the dotted path of the function
   that does the work given the job id, and which field names the submitter (fair scheduling);
3. it queues a job by saving a row with ``status = queued`` and calling :func:`enqueue_on_commit`.

``pingan worker`` (:class:`Worker`) does the rest; ``pingan serve`` starts and supervises it. docs/jobs.md
has the whole story and the figures.

**Lease.** Claiming sets ``status = running``, ``attempts += 1``, ``lease_owner`` (the worker's id) and
``lease_expires_at = now + lease``; the worker renews the lease every few seconds while the child runs. A
worker that dies (``kill -9``, power loss, its database connection gone for longer than the lease) stops
renewing; any worker's reaper then finds the expired lease and puts the job back in the queue, or — after
``max_attempts`` — fails it as ``worker_lost``. The child dies with its worker (``PR_SET_PDEATHSIG``), and
the job's final write is fenced by the lease (:func:`lease_held`), so two runs of one job never both store.

**Budgets.** The child runs under ``RLIMIT_AS`` (twice the memory budget: DuckDB and jemalloc reserve address
space they do not use) and the worker reads its resident memory every poll: over the budget it is killed and
the job fails ``job_memory_exceeded``; past its time budget, ``job_time_exceeded``. Neither is retried (the
same input would do it again). A child that dies of a signal on its own (a parser aborting, the kernel's OOM
killer) is retried like a lost worker and then fails ``job_crashed``, naming the signal. None of this can
take the worker down: it only reads exit statuses.

**Fairness.** A submitter has at most ``PINGAN_JOB_MAX_PER_SUBMITTER`` jobs running at once (1), so with two
slots or more one submitter's stream of large rosters never holds them all; the next job is the queued job
whose submitter has the fewest jobs running, then the one whose submitter was served longest ago, then the
oldest. Jobs without a submitter (the command line) are not capped.

**Failure reasons** are stored as a code and parameters (``error_code``, ``error_params``) and rendered in the
viewer's language from :data:`FAILURE_MESSAGES` (apps add theirs with :func:`register_failure_messages`);
``error`` keeps an English text for the API and the log.

**Database outages.** The worker's loop survives them: a ``DatabaseError`` (the server restarted, the
connection was terminated) closes the connections and the loop backs off (0.5 s doubling to 10 s) and goes
on; Django opens a new connection at the next query. Settings turn on ``CONN_HEALTH_CHECKS`` so that web
processes drop a dead connection before a request uses it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import resource
import signal
import socket
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, models, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pingan.core import audit
from pingan.core.errors import localised
from pingan.lib.forking import die_with_parent

log = logging.getLogger(__name__)


class LeasedJob(models.Model):
    """Fields every leased job has (abstract). Subclasses add their own payload and results.

    ``status``: queued → running → done | failed (running → queued again when a lost worker's job is
    retried). ``attempts``: runs started. ``lease_owner``/``lease_expires_at``/``heartbeat_at``: who runs it
    and until when the lease holds. ``error_code``/``error_params``: why it failed, as a code of
    :data:`FAILURE_MESSAGES` (or an app's) and its parameters; ``error``: the same in English.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=50, blank=True, default="")
    error_params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="runs started (a lost worker's job runs again)")
    lease_owner = models.CharField(max_length=64, blank=True, default="", help_text="the worker running it")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def failure_message(self) -> str:
        """Why the job failed, in the active language (``error`` when the code has no message here)."""
        return failure_message(self.error_code, self.error_params, self.error)


# ------------------------------------------------------------------------------------------ failures

#: Failure code → message template (``%(name)s`` placeholders filled from ``error_params``).
FAILURE_MESSAGES: dict[str, Promise] = {
    "worker_lost": _("The job was interrupted %(attempts)s times (the worker running it stopped) and was not "
                     "tried again. Submit it again; if it keeps happening, tell the administrator."),
    "job_time_exceeded": _("The job took longer than the %(seconds)s seconds a job may run and was stopped. "
                           "Split the file into smaller ones and submit them one by one."),
    "job_memory_exceeded": _("The job needed more than the %(limit_mb)s MB of memory a job may use and was "
                             "stopped. Split the file into smaller ones and submit them one by one."),
    "job_crashed": _("The job's process stopped unexpectedly (%(signal)s) %(attempts)s times. Check the file "
                     "(open it in Excel or WPS and save it again); if it keeps happening, tell the "
                     "administrator."),
    "internal_error": _("The job failed because of an error in pingan (%(error)s). The administrator has it "
                        "in the log."),
}


#: Failure code → parameters its message takes when the stored ones lack them (or a function that returns
#: them, called when needed): a message that gained a parameter (a constant, such as a template's column label)
#: still renders for a job that failed before.
FAILURE_DEFAULTS: dict[str, Mapping[str, Any] | Callable[[], Mapping[str, Any]]] = {}


def register_failure_messages(messages: Mapping[str, Promise], defaults: Mapping[
        str, Mapping[str, Any] | Callable[[], Mapping[str, Any]]] | None = None) -> None:
    """Add an app's failure codes (from its ``AppConfig.ready()``); a code may be registered once.
    ``defaults``: per code, the parameters a stored failure may lack (:data:`FAILURE_DEFAULTS`)."""
    clash = set(messages) & set(FAILURE_MESSAGES)
    if clash and any(FAILURE_MESSAGES[c] is not messages[c] for c in clash):
        raise ValueError(f"failure codes registered twice: {sorted(clash)}")
    FAILURE_MESSAGES.update(messages)
    FAILURE_DEFAULTS.update(defaults or {})


def failure_message(code: str, params: Mapping[str, Any], fallback: str = "") -> str:
    """The message of failure ``code`` in the active language, filled from ``params``; ``fallback`` when the
    code has no template or the parameters do not fill it."""
    template = FAILURE_MESSAGES.get(code)
    if template is None:
        return fallback
    try:
        default = FAILURE_DEFAULTS.get(code) or {}
        # a template of one or several (ngettext_lazy on "n") is chosen by the filling
        return str(template % localised({**(default() if callable(default) else default), **params},
                                        get_language() or ""))
    except (KeyError, TypeError, ValueError):
        log.warning("failure message %r cannot be filled from %r", code, params)
        return fallback


class JobFailed(Exception):
    """Raised by a job's work function to end the job ``failed`` with a code, parameters and an English
    message (the expected failures: an unreadable file, missing data). Anything else is ``internal_error``."""

    def __init__(self, code: str, message: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = dict(params or {})


# --------------------------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class JobKind:
    """One kind of leased job.

    ``run``: dotted path of ``fn(job_id: int) -> None`` doing the work (it may raise :class:`JobFailed`);
    ``fair_key``: the model field naming who submitted (``submitted_by_id``); ``memory_mb``/``seconds``:
    the budget (``None``: ``PINGAN_JOB_MEMORY_MB``/``PINGAN_JOB_SECONDS``); ``max_attempts``: runs before
    a job whose worker keeps dying fails; ``label``: the task's name on the audit page.
    """

    name: str
    model: type[LeasedJob]
    run: str
    fair_key: str = "submitted_by_id"
    memory_mb: int | None = None
    seconds: int | None = None
    max_attempts: int | None = None
    #: what the audit page calls it ("screening of a roster"), in the viewer's language; default: ``name``
    label: Promise | str = ""

    def budget(self) -> tuple[int, int, int]:
        """``(memory MB, seconds, max attempts)`` with the settings' defaults filled in."""
        p = settings.PINGAN
        return (self.memory_mb or p["JOB_MEMORY_MB"], self.seconds or p["JOB_SECONDS"],
                self.max_attempts or p["JOB_MAX_ATTEMPTS"])


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Make ``kind`` known to the workers (call from the app's ``AppConfig.ready()``)."""
    existing = KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    audit.register_task(kind.name, kind.label or kind.name)


def enqueue_on_commit(kind: str, job_id: int) -> None:
    """Announce a queued job once the transaction commits. Workers poll the table, so this only matters
    with ``PINGAN_JOBS_INLINE`` (the test settings, like django-tasks' immediate backend): the job then runs
    at once in this process (:func:`run_inline`)."""
    if settings.PINGAN.get("JOBS_INLINE"):
        transaction.on_commit(lambda: run_inline(kind, job_id))


# --------------------------------------------------------------------------------------- the lease

_LEASE: dict[str, Any] = {}  # in a job's child: {"kind", "job_id", "owner"}


def lease_held(job: LeasedJob) -> bool:
    """Whether this process may still store the results of ``job``: true outside a worker's child (the
    command line, inline runs), else only while the job's lease is this run's. Call it inside the
    transaction that stores the results, after ``select_for_update`` of the job row."""
    if not _LEASE or _LEASE.get("job_id") != job.pk:
        return True
    return type(job).objects.filter(pk=job.pk, lease_owner=_LEASE["owner"], status=LeasedJob.Status.RUNNING).exists()


def _now() -> dt.datetime:
    return timezone.now()


def _lease_seconds() -> int:
    return settings.PINGAN["JOB_LEASE_SECONDS"]


def _fair_order(kind: JobKind) -> models.QuerySet:
    """Queued jobs of ``kind`` in the order they should run, without those whose submitter already has
    ``PINGAN_JOB_MAX_PER_SUBMITTER`` jobs running (module docstring, "Fairness")."""
    model, key = kind.model, kind.fair_key
    running = (model.objects.filter(status=LeasedJob.Status.RUNNING, **{key: OuterRef(key)})
               .order_by().values(key).annotate(n=Count("pk")).values("n"))
    served = (model.objects.filter(**{key: OuterRef(key)}, started_at__isnull=False)
              .order_by("-started_at").values("started_at")[:1])
    return (model.objects.filter(status=LeasedJob.Status.QUEUED)
            .annotate(n_running=Coalesce(Subquery(running), Value(0)), last_served=Subquery(served))
            .filter(n_running__lt=settings.PINGAN["JOB_MAX_PER_SUBMITTER"])
            .order_by("n_running", F("last_served").asc(nulls_first=True), "pk"))


def claim(kind: JobKind, owner: str, *, job_id: int | None = None) -> int | None:
    """Lease the next queued job of ``kind`` (or job ``job_id`` if it is queued) to ``owner``; its id, or
    ``None`` when there is none. Safe with any number of workers: the row is locked (``SKIP LOCKED`` on
    PostgreSQL) and updated only if still queued."""
    now = _now()
    candidates = [job_id] if job_id is not None else list(_fair_order(kind).values_list("pk", flat=True)[:20])
    for pk in candidates:
        with transaction.atomic():
            locked = list(kind.model.objects.select_for_update(skip_locked=True)
                          .filter(pk=pk, status=LeasedJob.Status.QUEUED).values_list("pk", flat=True))
            if not locked:
                continue
            kind.model.objects.filter(pk=pk).update(
                status=LeasedJob.Status.RUNNING, attempts=F("attempts") + 1, lease_owner=owner,
                lease_expires_at=now + dt.timedelta(seconds=_lease_seconds()), heartbeat_at=now, started_at=now,
                finished_at=None, error="", error_code="", error_params={})
            return pk
    return None


def renew(kind: JobKind, job_id: int, owner: str) -> bool:
    """Extend ``owner``'s lease on a running job; ``False`` when the lease is no longer ``owner``'s."""
    now = _now()
    return bool(kind.model.objects.filter(pk=job_id, lease_owner=owner, status=LeasedJob.Status.RUNNING).update(
        lease_expires_at=now + dt.timedelta(seconds=_lease_seconds()), heartbeat_at=now))


def fail(kind: JobKind, job_id: int, code: str, message: str, params: Mapping[str, Any] | None = None, *,
         owner: str | None = None) -> bool:
    """End a job ``failed`` with ``code``/``params``/``message``; with ``owner``, only while that lease
    holds. Returns whether the row changed."""
    qs = kind.model.objects.filter(pk=job_id)
    if owner is not None:
        qs = qs.filter(lease_owner=owner, status=LeasedJob.Status.RUNNING)
    return bool(qs.update(status=LeasedJob.Status.FAILED, finished_at=_now(), error=message, error_code=code,
                          error_params=dict(params or {}), lease_owner="", lease_expires_at=None))


def release(kind: JobKind, job_id: int, *, owner: str | None, signal_name: str = "") -> str:
    """Give a job whose run was lost — its worker died (``signal_name`` empty) or its process was killed by
    a signal it did not ask for — back to the queue, or fail it (``worker_lost`` / ``job_crashed``) when it
    has used its attempts; returns the new status (``""``: the job was not running). ``owner``: only while
    that lease holds (``None``: an expired lease, whoever held it)."""
    _mem, _secs, max_attempts = kind.budget()
    qs = kind.model.objects.filter(pk=job_id, status=LeasedJob.Status.RUNNING)
    if owner is not None:
        qs = qs.filter(lease_owner=owner)
    row = qs.values("attempts").first()
    if row is None:
        return ""
    n = row["attempts"]
    if n >= max_attempts:
        if signal_name:
            fail(kind, job_id, "job_crashed", f"the job's process stopped ({signal_name}) {n} times",
                 {"attempts": n, "signal": signal_name})
        else:
            fail(kind, job_id, "worker_lost", f"the job was interrupted {n} times and is not tried again",
                 {"attempts": n})
        return LeasedJob.Status.FAILED
    qs.update(status=LeasedJob.Status.QUEUED, lease_owner="", lease_expires_at=None, heartbeat_at=None)
    log.warning("job %s %s: %s, queued again (attempt %s of %s)", kind.name, job_id,
                f"its process was killed by {signal_name}" if signal_name else "its worker was lost", n, max_attempts)
    return LeasedJob.Status.QUEUED


def reap(kind: JobKind, *, keep: Collection[int] = ()) -> int:
    """Jobs of ``kind`` whose lease expired: queued again or failed (:func:`release`); returns how many.
    ``keep``: ids the calling worker is running right now (its children are alive; a late renewal is not a
    lost worker)."""
    n = 0
    expired = kind.model.objects.filter(status=LeasedJob.Status.RUNNING, lease_expires_at__lt=_now()).exclude(
        pk__in=list(keep))
    for pk in expired.values_list("pk", flat=True)[:100]:
        with transaction.atomic():
            locked = kind.model.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=LeasedJob.Status.RUNNING, lease_expires_at__lt=_now())
            if locked.exists():
                release(kind, pk, owner=None)
                n += 1
    return n


# ----------------------------------------------------------------------------------- running a job


def task_agent(kind: JobKind, job_id: int) -> audit.Agent:
    """What the audit trail names as acting while job ``job_id`` runs: the task, and the account that queued it
    (the kind's ``fair_key`` field; none for a job queued at the command line)."""
    from pingan.core.models import User

    by_id = kind.model.objects.filter(pk=job_id).values_list(kind.fair_key, flat=True).first()
    user = User.objects.filter(pk=by_id).only("username").first() if by_id else None
    return audit.Agent("task", kind.name, str(job_id), by=user.username if user else "",
                       by_id=user.pk if user else None)


def _execute(kind: JobKind, job_id: int) -> None:
    """Call the kind's work function; an expected failure (:class:`JobFailed`) or any other exception ends
    the job ``failed`` here, unless the work function recorded the outcome itself."""
    fn: Callable[[int], None] = import_string(kind.run)
    try:
        with audit.acting(task_agent(kind, job_id)):
            fn(job_id)
    except JobFailed as exc:
        fail(kind, job_id, exc.code, exc.message, exc.params, owner=_LEASE.get("owner"))
    except MemoryError:
        raise
    except Exception as exc:
        log.exception("job %s %s failed", kind.name, job_id)
        fail(kind, job_id, "internal_error", f"internal error: {type(exc).__name__}: {exc}",
             {"error": type(exc).__name__}, owner=_LEASE.get("owner"))


def run_inline(kind_name: str, job_id: int) -> str:
    """Claim job ``job_id`` and run it in this process (no child, no budget): for the test settings and for
    callers that already are a disposable process. Returns the job's status afterwards (``""`` when the job
    does not exist; a job another worker holds is left alone)."""
    kind = KINDS[kind_name]
    owner = f"inline:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if claim(kind, owner, job_id=job_id) is not None:
        _LEASE.update(kind=kind_name, job_id=job_id, owner=owner)
        try:
            _execute(kind, job_id)
        finally:
            _LEASE.clear()
        kind.model.objects.filter(pk=job_id, lease_owner=owner).update(lease_owner="", lease_expires_at=None)
    return kind.model.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""


#: Exit status of a child that ran out of memory in Python (MemoryError).
_EXIT_MEMORY = 3


def _child(kind: JobKind, job_id: int, owner: str, memory_mb: int, parent: int) -> None:
    """The forked child: die with the worker, cap the address space, run the job, ``_exit`` (never the
    parent's atexit handlers)."""
    code = 1
    try:
        if not die_with_parent(parent):  # the worker died before prctl took effect
            os._exit(1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the worker, which decides
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        cap = memory_mb * 2 * 2**20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        _LEASE.update(kind=kind.name, job_id=job_id, owner=owner)
        _execute(kind, job_id)
        code = 0
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:  # the child must exit, never return into the worker's loop
        log.exception("job %s %s: child failed", kind.name, job_id)
        code = 1
    finally:
        with contextlib.suppress(Exception):
            connections.close_all()
        os._exit(code)


@dataclass
class _Running:
    kind: JobKind
    job_id: int
    pid: int
    started: float
    memory_mb: int
    seconds: int
    killed_for: str = ""  # "time" / "memory" once the worker killed it
    peak_rss_mb: float = 0.0


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class Worker:
    """The loop of ``pingan worker``: reap, renew, claim, fork, watch (module docstring).

    ``concurrency``: jobs run at once (children); ``interval``: seconds between polls; ``batch``: exit when
    nothing is queued or running; ``kinds``: the kind names to serve (default all registered).
    """

    concurrency: int = 2
    interval: float = 0.5
    batch: bool = False
    kinds: list[str] | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    running: dict[int, _Running] = field(default_factory=dict)  # pid → run
    stopping: bool = False
    _last_renew: float = 0.0
    _backoff: float = 0.0
    _turn: int = 0

    def served(self) -> list[JobKind]:
        names = self.kinds or sorted(KINDS)
        return [KINDS[n] for n in names]

    def run(self) -> None:
        """Loop until stopped (SIGINT/SIGTERM: finish the running jobs, claim no more) or, in batch mode,
        until the queue is empty."""
        handlers = signal.signal(signal.SIGINT, self._stop), signal.signal(signal.SIGTERM, self._stop)
        try:
            self._loop()
        finally:
            signal.signal(signal.SIGINT, handlers[0])
            signal.signal(signal.SIGTERM, handlers[1])

    def _loop(self) -> None:
        for kind in self.served():  # imported once here, so that a forked child starts at once
            import_string(kind.run)
        log.info("worker %s: serving %s, %s at a time", self.worker_id, [k.name for k in self.served()],
                 self.concurrency)
        while True:
            try:
                idle = self.step()
                self._backoff = 0.0
            except DatabaseError as exc:
                # the database went away (or refused a statement): drop the connections, wait, try again —
                # never exit on it
                self._backoff = min(max(self._backoff * 2, 0.5), 10.0)
                log.warning("worker %s: database unavailable (%s); retrying in %.1f s", self.worker_id,
                            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                            self._backoff)
                with contextlib.suppress(Exception):
                    connections.close_all()
                time.sleep(self._backoff)
                continue
            if (self.stopping or self.batch) and idle and not self.running:
                return
            time.sleep(self.interval if idle else 0.01)

    def _stop(self, signum, frame) -> None:
        if self.stopping:  # a second Ctrl-C: stop the children too
            for pid in list(self.running):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.stopping = True

    def step(self) -> bool:
        """One round; returns whether there was nothing to start."""
        close_old_connections()
        self._collect()
        self._watch()
        now = time.monotonic()
        if now - self._last_renew >= max(_lease_seconds() / 4, 0.2):
            self._renew()
            for kind in self.served():
                reap(kind, keep=[r.job_id for r in self.running.values() if r.kind is kind and not r.killed_for])
            self._last_renew = now
        if self.stopping:
            return True
        started = False
        while len(self.running) < self.concurrency:
            got = self._claim_fairly()
            if got is None:
                break
            self._start(*got)
            started = True
        return not started

    def _claim_fairly(self) -> tuple[JobKind, int] | None:
        kinds = self.served()
        for i in range(len(kinds)):  # kinds take turns, so no kind starves another
            kind = kinds[(self._turn + i) % len(kinds)]
            pk = claim(kind, self.worker_id)
            if pk is not None:
                self._turn = (self._turn + i + 1) % len(kinds)
                return kind, pk
        return None

    def _start(self, kind: JobKind, job_id: int) -> None:
        memory_mb, seconds, _ = kind.budget()
        # a forked child must not share the parent's database sockets: close them first (they reopen)
        connections.close_all()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            _child(kind, job_id, self.worker_id, memory_mb, parent)
        self.running[pid] = _Running(kind, job_id, pid, time.monotonic(), memory_mb, seconds)
        log.info("worker %s: job %s %s started in pid %s (budget %s MB, %s s)", self.worker_id,
                 kind.name, job_id, pid, memory_mb, seconds)

    def _watch(self) -> None:
        """Kill children over their time or memory budget."""
        now = time.monotonic()
        for run in self.running.values():
            if run.killed_for:
                continue
            rss = _rss_mb(run.pid)
            run.peak_rss_mb = max(run.peak_rss_mb, rss)
            if rss > run.memory_mb:
                run.killed_for = "memory"
            elif now - run.started > run.seconds:
                run.killed_for = "time"
            if run.killed_for:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(run.pid, signal.SIGKILL)

    def _renew(self) -> None:
        for run in list(self.running.values()):
            if run.killed_for or renew(run.kind, run.job_id, self.worker_id):
                continue
            now = run.kind.model.objects.filter(pk=run.job_id).values_list("status", "lease_owner").first()
            if now is not None and now[0] in (LeasedJob.Status.DONE, LeasedJob.Status.FAILED):
                continue  # the child finished the job and is exiting
            if now is None or now[1] != self.worker_id:
                # the lease is someone else's now (this worker was presumed dead): stop this run
                log.warning("worker %s: lost the lease of job %s %s; stopping its run", self.worker_id,
                            run.kind.name, run.job_id)
                run.killed_for = "lease"
                with contextlib.suppress(ProcessLookupError):
                    os.kill(run.pid, signal.SIGKILL)

    def _collect(self) -> None:
        """Record the outcome of children that exited."""
        while self.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.running.get(pid)
            if run is None:
                continue
            try:
                self._record(run, status)
            except DatabaseError:
                # cannot write now: keep renewing nothing for it; the lease expires and a reaper decides
                log.warning("worker %s: could not record job %s %s; its lease will expire", self.worker_id,
                            run.kind.name, run.job_id)
                self.running.pop(pid, None)
                raise
            self.running.pop(pid, None)

    def _record(self, run: _Running, status: int) -> None:
        kind, pk, owner = run.kind, run.job_id, self.worker_id
        if run.killed_for == "time":
            fail(kind, pk, "job_time_exceeded", f"the job ran longer than its {run.seconds} s budget",
                 {"seconds": run.seconds}, owner=owner)
        elif run.killed_for == "memory" or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_MEMORY):
            fail(kind, pk, "job_memory_exceeded", f"the job needed more than its {run.memory_mb} MB budget",
                 {"limit_mb": run.memory_mb}, owner=owner)
        elif run.killed_for == "lease":
            return
        elif os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            release(kind, pk, owner=owner, signal_name=name)
        else:
            still = kind.model.objects.filter(pk=pk, lease_owner=owner, status=LeasedJob.Status.RUNNING).exists()
            if still:  # exited without recording an outcome (it could not reach the database?)
                release(kind, pk, owner=owner)
        kind.model.objects.filter(pk=pk, lease_owner=owner).exclude(status=LeasedJob.Status.RUNNING).update(
            lease_owner="", lease_expires_at=None)
        log.info("worker %s: job %s %s ended (exit status %s, peak %.0f MB)", owner, kind.name, pk, status,
                 run.peak_rss_mb)
