"""``pingan serve``: everything a demo on one machine needs, together and supervised: the web site on a real
ASGI server (uvicorn — it holds the officers' Server-Sent-Event streams), the background workers and the
alerts pipeline.

The children: ``pingan worker`` (the leased jobs — screening — each in its own child with a memory and time
budget, :mod:`pingan.core.jobs`), django-tasks-db's ``db_worker`` (the other tasks, e.g. the retention
purge), ``pingan alerts worker`` (the rules over the event log) and ``pingan alerts ingest-mqtt`` (the
devices' topics; it exits when no broker is reachable). A supervisor thread restarts any that dies — ``kill
-9``, a crash, a broker that was down — after a pause that doubles while it keeps dying (1 s up to 30 s);
jobs a dead worker held are taken up again when their lease expires. Ctrl-C or SIGTERM stops the server, then
the children (they finish or hand back their work). For production run them as separate services with
``Restart=always`` (docs/web.md, docs/alerts.md).
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from pingan.core.command import PinganCommand, UsageError, os_error_text

WORKER_STOP_SECONDS = 10
#: Pauses before restarting a worker that keeps dying: first, then doubled up to the last.
RESTART_PAUSE = (1.0, 30.0)
#: A worker that ran this long without dying is healthy again: its next restart waits the first pause.
HEALTHY_AFTER = 60.0


def worker_command(interval: float) -> list[str]:
    """The leased-job worker's argv: ``pingan worker`` through this interpreter (works without the script)."""
    return [sys.executable, "-m", "pingan.cli", "worker", "--interval", str(interval)]


def task_worker_command(interval: float) -> list[str]:
    """The django-tasks worker's argv (``pingan db_worker``)."""
    return [sys.executable, "-m", "pingan.cli", "db_worker", "--interval", str(interval)]


def alerts_commands() -> list[list[str]]:
    """The alerts pipeline's argv: the alert worker, the MQTT ingest, and the dispatch worker (unanswered
    offers expire and escalate; AVL over MQTT)."""
    return [[sys.executable, "-m", "pingan.cli", "alerts", "worker"],
            [sys.executable, "-m", "pingan.cli", "alerts", "ingest-mqtt"],
            [sys.executable, "-m", "pingan.cli", "dispatch", "worker"]]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@dataclass
class Supervised:
    """One supervised child: its name, argv, the running process and when it may next be started."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    pause: float = RESTART_PAUSE[0]
    restarts: int = 0


@dataclass
class Supervisor:
    """Starts the children and restarts any that dies, until :meth:`stop`."""

    children: list[Supervised]
    write: object = print
    poll: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)
            self.write(_("%(name)s started (pid %(pid)s)") % {"name": _(child.name), "pid": child.process.pid})
        # the watching thread speaks the command's language too (an activated language is per thread)
        self._thread = threading.Thread(target=self._watch, args=(translation.get_language(),),
                                        name="pingan-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self, child: Supervised) -> None:
        # the supervisor's process group: a SIGKILL of the group (a test's teardown, a service manager) takes
        # the children with it (a group of their own outlived a killed supervisor, holding database sessions);
        # the terminal's Ctrl-C reaches them too, and each `pingan` process exits quietly on it (cli.py)
        child.process = subprocess.Popen(child.argv)  # noqa: S603 - our own interpreter and module
        child.started = time.monotonic()

    def _watch(self, language: str | None = None) -> None:
        if language:
            translation.activate(language)
        while not self._stop.wait(self.poll):
            for child in self.children:
                code = child.process.poll() if child.process is not None else None
                if code is None or self._stop.is_set():
                    continue
                how = (_("signal %(name)s") % {"name": signal.Signals(-code).name} if code < 0
                       else _("exit status %(code)s") % {"code": code})
                if time.monotonic() - child.started >= HEALTHY_AFTER:
                    child.pause = RESTART_PAUSE[0]
                self.write(_("%(name)s (pid %(pid)s) stopped with %(how)s; restarting in %(seconds)s s") % {
                    "name": _(child.name), "pid": child.process.pid, "how": how, "seconds": f"{child.pause:.0f}"})
                if self._stop.wait(child.pause):
                    return
                self._spawn(child)
                child.restarts += 1
                child.pause = min(child.pause * 2, RESTART_PAUSE[1])
                self.write(_("%(name)s restarted (pid %(pid)s)") % {"name": _(child.name), "pid": child.process.pid})

    def stop(self) -> None:
        """Stop watching, ask each child to finish (SIGINT), kill it after a grace period."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for child in self.children:
            p = child.process
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGINT)
        deadline = time.monotonic() + WORKER_STOP_SECONDS
        for child in self.children:
            p = child.process
            if p is None:
                continue
            try:
                p.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            self.write(_("%(name)s stopped") % {"name": _(child.name)})


class Command(PinganCommand):
    help = gettext_lazy(
        "Start the web server (ASGI, uvicorn), the background workers and the alerts pipeline together, "
        "restarting a child that dies (a demo on one machine); Ctrl-C stops all.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=None, metavar="[HOST:]PORT",
                            help=_("address and port of the web server (default 127.0.0.1:8000); or --host and "
                                   "--port"))
        parser.add_argument("--host", default=None,
                            help=_("the address the web server listens on (default 127.0.0.1; 0.0.0.0: every "
                                   "network interface)"))
        parser.add_argument("--port", type=int, default=None,
                            help=_("the port the web server listens on (default 8000)"))
        parser.add_argument("--no-worker", action="store_true", help=_("no background workers"))
        parser.add_argument("--no-alerts", action="store_true", help=_("no alert worker and MQTT ingest"))
        parser.add_argument("--interval", type=float, default=0.5,
                            help=_("seconds the workers sleep when the queue is empty (default 0.5)"))

    def handle(self, *args, **opts):
        # Ctrl-C (SIGINT) and a service manager's SIGTERM both stop the server and then the workers; SIGINT is
        # reinstalled because a shell starts background jobs with it ignored
        host, port = listen_address(opts)  # a wrong address stops here, before any worker starts
        # bound before anything is started or announced: a port in use is one line in the user's language,
        # exit status 1 (issue 11: "on http://…" first, then uvicorn's English "[Errno 98] …" and status 3)
        listener = bind_listener(host, port)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        from pingan.core.bootstrap import initialise_now

        initialise_now()  # a first run prepares the database here, once, not in each worker started below
        children = []
        if not opts["no_worker"]:
            children += [Supervised(N_("background worker"), worker_command(opts["interval"])),
                         Supervised(N_("task worker"), task_worker_command(opts["interval"]))]
        if not opts["no_alerts"]:
            names = (N_("alert worker"), N_("MQTT ingest"), N_("dispatch worker"))
            children += [Supervised(name, argv) for name, argv in zip(names, alerts_commands(), strict=True)]
        supervisor = Supervisor(children, write=self._say)
        supervisor.start()
        try:
            import uvicorn

            # the demo serves its own static files; production puts them behind the web server
            from pingan.config.asgi import demo_application as app

            shown = f"[{host}]" if ":" in host else host
            self._say(_("web server (uvicorn, ASGI) on %(url)s") % {"url": f"http://{shown}:{port}/"})
            config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
            uvicorn.Server(config).run(sockets=[listener])
        except KeyboardInterrupt:
            self._say(_("stopping the web server and the workers…"))
        finally:
            listener.close()
            supervisor.stop()

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


#: Where ``pingan serve`` listens when nothing says otherwise.
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` as uvicorn binds its own (``SO_REUSEADDR``), for
    ``uvicorn.Server.run(sockets=…)``. Raises :class:`CommandError` (exit status 1) saying, in the active
    language, which port cannot be used and what to do: another port, or stop the program that holds it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    values = {"port": port, "host": host, "other": port + 1 if port < 65535 else port - 1}
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            text = _("port %(port)s is already in use: choose another port with --port (e.g. --port %(other)s) "
                     "or stop the program that uses it")
        elif exc.errno in (errno.EACCES, errno.EPERM):
            text = _("port %(port)s may not be used by this user (ports below 1024 need administrator rights): "
                     "choose another port with --port, e.g. --port 8000")
        elif isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            text = _("%(host)s is not an address of this computer: give one with --host, e.g. 127.0.0.1 or "
                     "0.0.0.0")
        else:
            values["reason"] = os_error_text(exc)
            text = _("cannot listen on %(host)s port %(port)s: %(reason)s")
        raise CommandError(text % values) from None
    return sock


def listen_address(opts: dict) -> tuple[str, int]:
    """``(host, port)`` the web server listens on: ``--host``/``--port``, or the positional ``[HOST:]PORT``
    (``127.0.0.1:8767``, ``8767``, ``[::1]:8767``) — not both (issue 11's trial: ``pingan serve --port 8767``
    was refused, only ``127.0.0.1:8767`` was taken).

    Raises :class:`UsageError` (exit status 2) for both forms at once, a malformed address or a port outside
    1–65535.
    """
    given = opts.get("addrport")
    if given is not None and (opts.get("host") is not None or opts.get("port") is not None):
        raise UsageError(_("give the address as [HOST:]PORT or with --host and --port, not both"))
    host, port = opts.get("host"), opts.get("port")
    if given is not None:
        head, sep, tail = given.rpartition(":")
        if not sep:
            head, tail = "", given
        host = head.strip("[]") or None
        if not tail.isdigit():
            raise UsageError(_("%(value)s is not an address and port: give [HOST:]PORT, e.g. 127.0.0.1:8000 or "
                               "8000") % {"value": repr(given)})
        port = int(tail)
    if port is not None and not 1 <= port <= 65535:
        raise UsageError(_("%(port)s is not a port: a port is a number from 1 to 65535") % {"port": port})
    if host is not None and not host.strip():
        raise UsageError(_("--host: give an address, e.g. 127.0.0.1 or 0.0.0.0"))
    return host or DEFAULT_HOST, DEFAULT_PORT if port is None else port
