"""``pingan serve``: everything a demo on one machine needs, together: the web site on a real ASGI server
(uvicorn — it holds the officers' Server-Sent-Event streams), the background task worker, and the alerts
pipeline (the alert worker and the MQTT ingest).

The task worker is django-tasks-db's ``db_worker`` (it claims queued tasks from the database, so a job
queued before a restart still runs); ``pingan alerts worker`` runs the rules over the event log and
``pingan alerts ingest-mqtt`` subscribes to the devices' topics (it exits with a message when no broker is
reachable; the rest goes on). Each is a child process; Ctrl-C or SIGTERM stops all of them. For production
run them as separate services (``docs/web.md``, ``docs/alerts.md``).
"""

from __future__ import annotations

import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

WORKER_STOP_SECONDS = 10


def worker_command(interval: float) -> list[str]:
    """The task worker's argv: ``pingan db_worker`` through this interpreter (works without the script)."""
    return [sys.executable, "-m", "pingan.cli", "db_worker", "--interval", str(interval)]


def alerts_commands() -> list[list[str]]:
    """The alerts pipeline's argv: the alert worker and the MQTT ingest."""
    return [[sys.executable, "-m", "pingan.cli", "alerts", "worker"],
            [sys.executable, "-m", "pingan.cli", "alerts", "ingest-mqtt"]]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = ("Start the web server (ASGI, uvicorn), the background worker and the alerts pipeline together "
            "(a demo); Ctrl-C stops all.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="address and port of the web server (default 127.0.0.1:8000)")
        parser.add_argument("--no-worker", action="store_true", help="no background task worker")
        parser.add_argument("--no-alerts", action="store_true", help="no alert worker and MQTT ingest")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds the task worker sleeps when the queue is empty (default 0.5)")

    def handle(self, *args, **opts):
        # Ctrl-C (SIGINT) and a service manager's SIGTERM both stop the server and then the children; SIGINT is
        # reinstalled because a shell starts background jobs with it ignored
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        children = []
        if not opts["no_worker"]:
            children.append(("background worker", subprocess.Popen(worker_command(opts["interval"]))))  # noqa: S603
        if not opts["no_alerts"]:
            for argv, name in zip(alerts_commands(), ("alert worker", "MQTT ingest"), strict=True):
                children.append((name, subprocess.Popen(argv)))  # noqa: S603 - our own interpreter
        for name, p in children:
            self.stdout.write(f"{name} started (pid {p.pid})")
        host, _, port = opts["addrport"].rpartition(":")
        try:
            import uvicorn

            # the demo serves its own static files; production puts them behind the web server
            from pingan.config.asgi import demo_application as app

            self.stdout.write(f"web server (uvicorn, ASGI) on http://{host or '127.0.0.1'}:{port}/")
            uvicorn.run(app, host=host or "127.0.0.1", port=int(port), log_level="warning", lifespan="off")
        except KeyboardInterrupt:
            pass
        finally:
            for name, p in children:
                self.stop(name, p)

    def stop(self, name: str, child: subprocess.Popen) -> None:
        """Ask a child to finish (SIGINT), then kill it after a grace period."""
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.stdout.write(f"{name} stopped")
