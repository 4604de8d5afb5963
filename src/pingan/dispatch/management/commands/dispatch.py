"""``pingan dispatch …``: the dispatch worker (expiry and escalation of unanswered offers, AVL over MQTT) and
the demo force. Thin: parse, call a service, print."""

from __future__ import annotations

import signal
import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand

_stop = False


def _on_signal(signum, frame):
    global _stop
    _stop = True


def _avl_line(avl) -> str:
    """One line of the AVL counters, ``key=value`` (bench/dispatch_bench.py reads the last one)."""
    return "avl " + " ".join(f"{k}={v}" for k, v in avl.stats().items())


class Command(PinganCommand):
    help = gettext_lazy(
        "Dispatch: worker (offer expiry + escalation, AVL over MQTT), demo (patrol units, shifts, drone).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        w = sub.add_parser("worker",
                           help=_("expire unanswered offers every second; store AVL from MQTT (Ctrl-C stops)"))
        w.add_argument("--no-mqtt", action="store_true", help=_("no AVL subscription"))
        w.add_argument("--stats-every", type=float, default=60.0, metavar="S",
                       help=_("print the AVL counters every S seconds (received, stored, refused, backlog)"))
        sub.add_parser("demo", help=_("patrol units, today's shifts and a drone for the Xiamen demo organisation"))

    def handle(self, *args, **o):
        getattr(self, "do_" + o["action"].replace("-", "_"))(o)

    def do_worker(self, o):
        from django.db import close_old_connections

        from pingan.dispatch.services import assignments_expire

        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
        avl = None
        if not o["no_mqtt"]:
            from pingan.dispatch.avl import AvlSubscriber

            avl = AvlSubscriber()
            try:
                avl.start()
            except Exception as exc:  # the broker is optional: expiry must run without it
                self.stderr.write(_("AVL over MQTT not available (%(error)s); expiry runs without it") % {"error": exc})
                avl = None
        self.stdout.write(_("dispatch worker: offer expiry every 1 s, AVL over MQTT") if avl
                          else _("dispatch worker: offer expiry every 1 s"))
        from pingan.core.dbbusy import retry_busy

        last_expiry = last_stats = time.monotonic() - 1.0
        while not _stop:
            close_old_connections()
            if avl is not None:
                avl.drain()
                if time.monotonic() - last_stats >= o["stats_every"]:
                    last_stats = time.monotonic()
                    self.stdout.write(_avl_line(avl))  # key=value, stable (bench/dispatch_bench.py reads it)
            if time.monotonic() - last_expiry >= 1.0:
                last_expiry = time.monotonic()
                # SQLite while another process writes (a large screening): wait, do not die
                n = retry_busy(assignments_expire, what="dispatch worker", stop=lambda: _stop) or 0
                if n:
                    self.stdout.write(_("%(n)s offer(s) not answered in time: expired, alerts escalated") % {"n": n})
            time.sleep(0.2)
        if avl is not None:
            avl.stop()
            avl.drain()  # what arrived since the last drain is stored, not dropped with the process
            self.stdout.write(_avl_line(avl))

    def do_demo(self, o):
        from pingan.dispatch.demo import demo_setup

        for k, v in demo_setup().items():  # what was created, by its key (data)
            self.stdout.write(f"{k}: {v}")
        from pingan.core.demoguide import Suggest, Visit, cli, guide
        from pingan.core.models import Role, User

        accounts = list(User.objects.filter(role__in=["dispatcher", "officer", "station_chief"])
                        .order_by("role", "username").values_list("username", "role")[:8])
        dispatcher = next((n for n, r in accounts if r == Role.DISPATCHER), "demo_dispatcher")
        officer = next((n for n, r in accounts if r == Role.OFFICER), "demo_officer")
        chief = next((n for n, r in accounts if r == Role.STATION_CHIEF), "")
        # the console is the command centre's (dispatchers); the terminal is a patrol officer's; a station chief
        # keeps the station's duty roster (a trial signed in as demo_chief on the terminal and got 403)
        visits = [Visit("/dispatch/console/", (dispatcher,), _(
            "the map with the patrol units; dispatch the nearest unit to an open alert (%(command)s registers "
            "devices that raise them)") % {"command": f"{cli()} alerts demo"}),
                  Visit("/dispatch/terminal/", (officer,), _(
                      "an officer on today's shift: accept or decline the assignment, set the unit's status"))]
        if chief:
            visits.append(Visit("/dispatch/roster/", (chief,), _(
                "the station's duty roster: make a shift, import a roster file")))
        guide(self.stdout.write, accounts=[n for n, _r in accounts], visits=visits,
              suggest=[Suggest("dispatcher", "350200-ZH", "demo_dispatcher"),
                       Suggest("officer", "350203-LQ", "demo_officer")])
