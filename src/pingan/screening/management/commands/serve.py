"""``pingan serve``: the web server and the background worker together, for a demo on one machine.

The worker is django-tasks-db's ``db_worker`` in a child process (it claims queued tasks from the database,
so a job queued before a restart still runs); the web server is Django's development server in this
process. Ctrl-C stops both. For production run a real WSGI server and ``pingan db_worker`` as two services
(see ``docs/web.md``).
"""

from __future__ import annotations

import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

WORKER_STOP_SECONDS = 10


def worker_command(interval: float) -> list[str]:
    """The child process's argv: ``pingan db_worker`` through this interpreter (works without the script)."""
    return [sys.executable, "-m", "pingan.cli", "db_worker", "--interval", str(interval)]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Start the web server and the background screening worker together (a demo); Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="address and port of the web server (default 127.0.0.1:8000)")
        parser.add_argument("--no-worker", action="store_true", help="start only the web server")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds the worker sleeps when the queue is empty (default 0.5)")

    def handle(self, *args, **opts):
        # Ctrl-C (SIGINT) and a service manager's SIGTERM both stop the server and then the worker; SIGINT is
        # reinstalled because a shell starts background jobs with it ignored
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        worker = None
        if not opts["no_worker"]:
            worker = subprocess.Popen(worker_command(opts["interval"]))  # noqa: S603 - our own interpreter
            self.stdout.write(f"background worker started (pid {worker.pid})")
        try:
            # the demo serves its own static files (insecure=True); production puts them behind the web server
            call_command("runserver", opts["addrport"], use_reloader=False, insecure_serving=True)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                self.stop(worker)

    def stop(self, worker: subprocess.Popen) -> None:
        """Ask the worker to finish its current task (SIGINT), then kill it after a grace period."""
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write("background worker stopped")
