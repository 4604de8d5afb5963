"""``pingan worker``: run the leased background jobs (screening, …) until stopped (:mod:`pingan.core.jobs`).

Run one or more of these as a service (systemd ``Restart=always``; ``pingan serve`` starts and supervises one
for a demo). Each job runs in a child process with the job's memory and time budget; a worker that dies
loses nothing: its jobs' leases expire and another worker, or this one restarted, takes them up again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import jobs
from pingan.core.command import DJANGO_OPTIONS, PinganCommand, UsageError
from pingan.core.texts import join


class Command(PinganCommand):
    help = gettext_lazy(
        "Run queued background jobs (leased, each in a child process with a memory and time budget).")
    suppressed_base_arguments = DJANGO_OPTIONS - {"--verbosity"}  # it reads --verbosity: listed

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=None,
                            help=_("jobs run at once (default PINGAN_WORKER_CONCURRENCY, 2)"))
        parser.add_argument("--interval", type=float, default=0.5,
                            help=_("seconds between looks at the queue when it is idle (default 0.5)"))
        parser.add_argument("--batch", action="store_true",
                            help=_("run what is queued, then exit (scripts, tests)"))
        parser.add_argument("--kind", action="append", default=None, dest="kinds",
                            help=_("only this kind of job; repeatable (known: %(kinds)s)") % {
                                "kinds": join(sorted(jobs.KINDS))})

    def handle(self, *args, **opts):
        unknown = sorted(set(opts["kinds"] or ()) - set(jobs.KINDS))
        if unknown:
            raise UsageError(_("--kind %(kinds)s: no such job kind; known: %(known)s") % {
                "kinds": join(unknown), "known": join(sorted(jobs.KINDS))})
        # --concurrency 0 is refused, not taken for "the default" (it started a worker of the default size)
        concurrency = opts["concurrency"] if opts["concurrency"] is not None else settings.PINGAN["WORKER_CONCURRENCY"]
        if concurrency < 1:
            raise UsageError(_("--concurrency must be at least 1"))
        if opts["interval"] <= 0:
            raise UsageError(_("--interval must be more than 0 seconds"))
        jobs_log = logging.getLogger("pingan.core.jobs")
        if not jobs_log.handlers and opts["verbosity"] >= 1:  # what runs where, one line each, on stderr
            handler = logging.StreamHandler(self.stderr._out)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            jobs_log.addHandler(handler)
            jobs_log.setLevel(logging.INFO)
            jobs_log.propagate = False  # not a second time through the root handler
        worker = jobs.Worker(concurrency=concurrency, interval=opts["interval"], batch=opts["batch"],
                             kinds=opts["kinds"])
        self.stdout.write(_("worker %(id)s: %(n)s at a time; Ctrl-C stops it after the running jobs") % {
            "id": worker.worker_id, "n": concurrency})
        self.stdout.flush()
        worker.run()
