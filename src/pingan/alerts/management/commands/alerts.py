"""``pingan alerts …``: the alert worker, MQTT ingest, devices, jurisdictions, the demo, replays of real
records, dead letters and counters. Thin: parse, call a service, print."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.alerts import labels, replay, services
from pingan.core.command import PinganCommand, UsageError, command_error, missing_path
from pingan.core.demoguide import DEMO_PASSWORD, cli
from pingan.core.errors import DomainError
from pingan.core.texts import join, paren
from pingan.core.unavailable import ServiceUnavailable

_stop = False


def _on_signal(signum, frame):
    global _stop
    _stop = True


class Command(PinganCommand):
    help = gettext_lazy(
        "Real-time alerts: worker, ingest-mqtt, device, jurisdictions, demo, replay, dead-letters, counters.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        w = sub.add_parser("worker", help=_("run the rule engine over the event log (Ctrl-C stops)"))
        w.add_argument("--consumer", default="", help=_("consumer name (its position is kept; default alerts, "
                       "alerts-p<i>of<n> for a partition)"))
        w.add_argument("--batch", type=int, default=1000, help=_("events per transaction (default 1000)"))
        w.add_argument("--partitions", type=int, default=None,
                       help=_("processes sharing the work by key (default PINGAN_ALERTS_WORKERS, 1); without "
                            "--partition this process starts and watches all of them"))
        w.add_argument("--partition", type=int, default=None, help=_("run only this partition (0-based)"))
        sub.add_parser("ingest-mqtt", help=_("subscribe to devices' MQTT topics and ingest (Ctrl-C stops)"))
        d = sub.add_parser("device", help=_("register or update a device"))
        d.add_argument("device_id", help=_("the device's 20-digit GB/T 28181 ID"))
        d.add_argument("name", help=_("its name as the station calls it, e.g. 莲前东路卡口"))
        d.add_argument("kind", help=_("its kind: anpr (checkpoint, plate reader), camera, acoustic (gunshot "
                                             "sensor), intrusion, smoke, sos (one-key alarm post), tracker, platform"))
        d.add_argument("--name-en", default="",
                       help=_("its English name, shown to English readers (default: the name above)"))
        d.add_argument("--lon", type=float, help=_("where it stands: longitude (in the --crs system)"))
        d.add_argument("--lat", type=float, help=_("where it stands: latitude (in the --crs system)"))
        d.add_argument("--crs", default="wgs84", help=_("wgs84 | gcj02 | bd09 | cgcs2000 (converted to WGS-84)"))
        d.add_argument("--adcode", default="",
                       help=_("the area code (GB/T 2260, 6 or 9 digits) of where it stands, when it has no position"))
        d.add_argument("--password", default="", help=_("GA/T 1400 Digest password (stored as HA1)"))
        j = sub.add_parser("jurisdictions", help=_("load jurisdiction polygons (GeoJSON or KML) onto units"))
        j.add_argument("file", help=_("the GeoJSON or KML file"))
        j.add_argument("--key", default="adcode", help=_("GeoJSON property holding the unit code (default adcode)"))
        j.add_argument("--map", nargs="*", default=[], help=_("KEY=UNITCODE pairs when keys are not unit codes"))
        dm = sub.add_parser("demo", help=_("Xiamen demo: district polygons, street devices, an officer and a station "
                            "chief of 莲前派出所"))
        dm.add_argument("--password", default=DEMO_PASSWORD,
                        help=_("the demo accounts' password (set when the demo creates them)"))
        dm.add_argument("--json", action="store_true", help=_("print what was created as JSON (for scripts)"))
        r = sub.add_parser("replay", help=_("feed real records through ingest"))
        r.add_argument("dataset", choices=["stlouis", "chicago"],
                       help=_("which records: stlouis (St. Louis shots) or chicago (Chicago 911 calls)"))
        r.add_argument("--rate", type=float, default=200, help=_("events per second (0 = as fast as possible)"))
        r.add_argument("--limit", type=int, default=None, help=_("stop after this many records"))
        r.add_argument("--agreement", action="store_true", help=_("chicago: report polygon routing vs. district"))
        r.add_argument("--json", action="store_true", help=_("print the figures as JSON (for scripts)"))
        dl = sub.add_parser("dead-letters", help=_("list (or --replay) refused inputs"))
        dl.add_argument("--reason", default="", help=_("only the inputs refused for this reason code"))
        dl.add_argument("--replay", action="store_true",
                        help=_("feed them through ingest again instead of listing them"))
        sub.add_parser("counters", help=_("print the pipeline counters"))
        sub.add_parser("prune-log", help=_("delete processed events older than PINGAN_EVENTS_MAX_AGE_S from the "
                       "database event log (the worker also does this as it runs)"))
        sub.add_parser("prune-records", help=_("delete the feed items, dead letters and timelines of closed alerts "
                       "older than alerts/data/retention.toml says (the worker also does this hourly)"))
        me = sub.add_parser("maintenance-end",
                            help=_("a device repaired after a device-fault disposition: online again"))
        me.add_argument("device_id", help=_("the device's 20-digit GB/T 28181 ID"))

    def handle(self, *args, **o):
        try:
            getattr(self, "do_" + o["action"].replace("-", "_"))(o)
        except DomainError as exc:
            raise command_error(exc) from None

    def _loop(self):
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
        return lambda: _stop

    def do_worker(self, o):
        from django.conf import settings

        from pingan.alerts.worker import Worker

        # 0 given is refused, not taken for "the default" (it started the default number of workers)
        parts = o["partitions"] if o["partitions"] is not None else settings.PINGAN["ALERTS_WORKERS"]
        if parts < 1 or (o["partition"] is not None and not 0 <= o["partition"] < parts):
            raise UsageError(_("partition %(partition)s of %(parts)s: give --partitions of at least 1 and a "
                                 "--partition from 0 to one less") % {"partition": o["partition"], "parts": parts})
        if parts > 1 and o["partition"] is None:
            return self._supervise(parts, o["batch"])
        stop, wait_s = self._loop(), 1.0
        while not stop():
            try:
                worker = Worker(consumer=o["consumer"], batch=o["batch"], partition=(o["partition"] or 0, parts))
                self.stdout.write(_("alert worker %(consumer)s at position %(position)s (rule set %(ruleset)s "
                                    "%(version)s)") % {"consumer": worker.consumer, "position": worker.position,
                                                       "ruleset": worker.ruleset.id, "version": worker.ruleset.version})
                self.stdout.flush()
                worker.run(stop=stop)
                return
            except ServiceUnavailable:
                # a daemon waits for its broker (NATS restarting, started after pingan) and resumes from its
                # checkpoint; it neither exits with a traceback nor spins: 1, 2, 4 … 30 s between tries
                self.stderr.write(_("alert worker: the event log cannot be reached; trying again in %(s)s s")
                                  % {"s": f"{wait_s:g}"})
                self.stderr.flush()
                deadline = time.monotonic() + wait_s
                while not stop() and time.monotonic() < deadline:
                    time.sleep(0.1)
                wait_s = min(wait_s * 2, 30.0)

    def _supervise(self, parts: int, batch: int) -> None:
        """Start one child per partition and start again any that dies (a SIGKILLed partition resumes from its
        own checkpoint); stop them all on SIGINT/SIGTERM."""
        import subprocess

        from pingan.core.bootstrap import initialise_now

        initialise_now()  # a first run prepares the database here, once, not in each partition's process
        stop = self._loop()
        argv = [sys.executable, "-m", "pingan.cli", "alerts", "worker", "--partitions", str(parts), "--batch",
                str(batch)]
        children: dict[int, subprocess.Popen] = {}
        try:
            while not stop():
                for i in range(parts):
                    p = children.get(i)
                    if p is None or p.poll() is not None:
                        if p is not None:
                            self.stderr.write(_("alert worker partition %(i)s exited (%(code)s): starting it again")
                                              % {"i": i, "code": p.returncode})
                        children[i] = subprocess.Popen([*argv, "--partition", str(i)])  # noqa: S603 - our own argv
                time.sleep(0.5)
        finally:
            for p in children.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in children.values():
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()

    def do_ingest_mqtt(self, o):
        from pingan.alerts.mqtt import MqttIngest, topic_filter

        ing = MqttIngest()
        self.stdout.write(_("MQTT ingest from %(where)s %(topic)s (QoS 1)") % {
            "where": f"{ing.host}:{ing.port}", "topic": topic_filter(ing.prefix)})
        self.stdout.flush()
        ing.run(stop=self._loop())

    def do_device(self, o):
        dev = services.device_register(
            actor=None,
            device_id=o["device_id"],
            name=o["name"],
            kind=o["kind"],
            lon=o["lon"],
            lat=o["lat"],
            crs=o["crs"],
            adcode=o["adcode"],
            password=o["password"],
            name_en=o["name_en"],
        )
        self.stdout.write(_("device %(id)s %(name)s (%(kind)s) → %(unit)s (%(routed_by)s); position %(lon)s, %(lat)s "
                            "WGS-84") % {"id": dev.device_id, "name": dev.label, "kind": dev.get_kind_display(),
                                         "unit": dev.unit or _("no unit"), "routed_by": labels.routed_by(dev.routed_by),
                                         "lon": dev.lon, "lat": dev.lat})

    def do_jurisdictions(self, o):
        wrong = [x for x in o["map"] if "=" not in x]
        if wrong:  # a traceback of dict()'s before (issue 11: every wrong argument is a usage error, status 2)
            raise UsageError(_("--map %(pairs)s: give KEY=UNITCODE pairs") % {"pairs": " ".join(wrong)})
        if not Path(o["file"]).is_file():
            raise CommandError(missing_path(o["file"]))
        mapping = dict(x.split("=", 1) for x in o["map"])
        n = services.jurisdictions_load(actor=None, path=o["file"], key=o["key"], unit_codes=mapping)
        self.stdout.write(_("%(n)s jurisdictions loaded from %(file)s") % {"n": n, "file": o["file"]})

    def do_demo(self, o):
        from pingan.alerts.demo import DEMO_UNIT, DEVICES, demo_accounts, demo_setup
        from pingan.alerts.models import Device, Jurisdiction
        from pingan.alerts.mqtt import topic_filter
        from pingan.core.demoguide import Visit, guide
        from pingan.core.models import OrgUnit
        from pingan.core.reference import demo_org_load

        demo_org_load()
        result = demo_setup()
        created = demo_accounts(password=o["password"])
        if o["json"]:
            self.stdout.write(json.dumps({**result, "accounts": sorted(created)}))
            return
        w = self.stdout.write
        pingan = cli()
        w(_("Xiamen alerts demo"))
        bureau = OrgUnit.objects.get(code=DEMO_UNIT).path.split("/")[0] + "/"
        names = sorted(j.unit.label for j in Jurisdiction.objects.filter(unit__path__startswith=bureau)
                       .select_related("unit"))
        w("  " + _("jurisdiction boundaries: %(n)s loaded (%(names)s); an alert goes to the unit whose boundary "
                   "holds its position") % {"n": result["jurisdictions"], "names": join(names)})
        w("  " + _("devices: %(n)s street devices registered (their GA/T 1400 password: %(password)s)") % {
            "n": result["devices"], "password": "demo-password"})
        for d in Device.objects.filter(device_id__in=result["device_ids"]).select_related("unit").order_by("device_id"):
            # the kind by its name in the command's language (issue 11: "(anpr)" on a Chinese terminal)
            unit = d.unit.label if d.unit else _("no unit")
            w(f"    {d.device_id}  {d.name}{paren(d.get_kind_display())} → {unit}")
        w("  " + (_("accounts of %(unit)s: demo_officer (officer) and demo_chief (station chief)") if created else
                  _("accounts of %(unit)s: demo_officer (officer) and demo_chief (station chief); they existed "
                    "already, their passwords are unchanged")) % {"unit": DEMO_UNIT})
        sos = DEVICES[2][0]
        topic = topic_filter().replace("+", sos)
        w("  " + _("raise an alert: with the site running and demo_officer on duty, press the demo SOS post over "
                   "MQTT:"))
        w(f"    mosquitto_pub -q 1 -t {topic} -m \\")  # a command line to type, as it is typed
        w(f"      '{{\"event_id\":\"sos-'$(date +%s)'\",\"device_id\":\"{sos}\",\"type\":\"sos\","
          "\"time\":\"'$(date -Iseconds)'\"}'")
        w("  " + _("(the HTTP batch endpoint and GA/T 1400 take the same events: docs/alerts.md)"))
        guide(w, accounts=["demo_officer", "demo_chief"],
              passwords={name: o["password"] for name in created},
              visits=[Visit("/alerts/", ("demo_officer", "demo_chief"), _(
                  "go on duty on the terminal, then acknowledge, go and close the alerts that arrive (sound and "
                  "vibration for P1/P2)")),
                      Visit("/alerts/silences/", ("demo_chief",), _(
                          "mute a line for a while (a rule, a device, a plate), end it early")),
                      Visit("/alerts/watchlist/", ("demo_chief",), _("plates and people that raise an alert"))],
              tries=[_("%(command)s prints what was created for scripts") % {
                  "command": f"{pingan} alerts demo --json"}])

    def do_replay(self, o):
        import datetime as dt

        from pingan.alerts.models import Device

        since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        if o["dataset"] == "stlouis":
            services.device_register(
                actor=None,
                device_id=replay.STL_DEVICE,
                name="圣路易斯 ShotSpotter 枪声探测（回放）",
                name_en="ShotSpotter St. Louis (replay)",
                time_zone="America/Chicago",  # its alerts on the clock of where they happened
                kind=Device.Kind.ACOUSTIC,
                lon=-90.24,
                lat=38.63,
                active_since=since,
            )
            payloads = replay.stlouis_payloads()
        else:
            self._chicago_org()
            services.device_register(
                actor=None,
                device_id=replay.CHI_DEVICE,
                name="芝加哥警察局警情数据（回放）",
                name_en="CPD incident feed (replay)",
                time_zone="America/Chicago",  # its alerts on the clock of where they happened
                kind=Device.Kind.PLATFORM,
                lon=-87.68,
                lat=41.84,
                active_since=since,
            )
            payloads = (replay.chicago_payload(r) for r in replay.chicago_records())
        totals = {"accepted": 0, "duplicates": 0, "dead_lettered": 0}

        def send(batch):
            res = services.events_ingest(inputs=[services.RawInput(payload=p) for p in batch], source="replay")
            for k, v in res.counts.items():
                totals[k] += v

        t0 = time.monotonic()
        n = replay.paced(payloads, rate=o["rate"], send=send, limit=o["limit"])
        seconds = time.monotonic() - t0
        agreement = self._agreement_figures(o["limit"]) if o["dataset"] == "chicago" and o["agreement"] else None
        if o["json"]:  # stable JSON, the counters' names as the ingest service names them (scripts read it)
            self.stdout.write(json.dumps({"dataset": o["dataset"], "records": n, "seconds": round(seconds, 3),
                                          **totals, **({"agreement": agreement} if agreement else {})}))
            return
        self.stdout.write(replay_summary(o["dataset"], n, seconds, totals))
        if agreement:
            self.stdout.write(agreement_summary(agreement))

    def _chicago_org(self):
        from pingan.core.models import OrgUnit
        from pingan.core.services import orgunit_create

        # each unit named in both languages (a zh page said "CPD District 9": issue 11); a unit an earlier replay
        # created with its English name only gets both
        root_names = {"name": "芝加哥警察局（回放）", "name_en": "Chicago Police Department (replay)"}
        root = OrgUnit.objects.filter(code="CPD").first() or orgunit_create(code="CPD", kind="bureau", **root_names)
        districts = replay.chicago_districts()
        units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="CPD")}
        for key in sorted({j.key for j in districts}, key=int):
            names = {"name": f"芝加哥警察局第 {int(key)} 警区", "name_en": f"CPD District {key}"}
            if f"CPD-{key}" not in units:
                orgunit_create(code=f"CPD-{key}", kind="station", parent=root, **names)
        for code, unit in units.items():
            if code != "CPD" and not (code.startswith("CPD-") and code[4:].isdigit()):
                continue
            names = root_names if code == "CPD" else {"name": f"芝加哥警察局第 {int(code[4:])} 警区",
                                                       "name_en": f"CPD District {code[4:]}"}
            if not unit.name_en and unit.name == names["name_en"]:
                OrgUnit.objects.filter(pk=unit.pk).update(**names)
        import gzip
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "chicago_police_districts.kml"
            p.write_bytes(gzip.decompress(replay.DATA.joinpath("chicago_police_districts.kml.gz").read_bytes()))
            services.jurisdictions_load(actor=None, path=str(p), unit_codes={j.key: f"CPD-{j.key}" for j in districts})

    def _agreement_figures(self, limit) -> dict:
        """Polygon routing against each Chicago record's own district, as plain figures (:func:`agreement_summary`
        says them; ``--json`` prints them)."""
        import itertools

        records = replay.chicago_records()
        if limit:
            records = itertools.islice(records, limit)
        a = replay.chicago_agreement(records)
        return {"records": a.total, "agree": a.agree, "disagree": a.total - a.agree, "near_boundary": a.border,
                "outside": a.outside,
                "pairs": [{"record_district": k[0], "routed_to": k[1], "records": v}
                          for k, v in a.pairs.most_common(8)],
                "disagree_by_year": {str(y): v for y, v in sorted(a.disagree_by_year.items())}}

    def do_dead_letters(self, o):
        from pingan.alerts.models import DeadLetter

        if o["replay"]:
            self.stdout.write(
                json.dumps(services.dead_letters_replay(actor=None, reason_code=o["reason"], limit=100_000))
            )
            return
        qs = DeadLetter.objects.filter(replayed_at__isnull=True)
        if o["reason"]:
            qs = qs.filter(reason_code=o["reason"])
        for d in qs.order_by("id")[:200]:  # tab-separated, stable codes (scripts read it)
            self.stdout.write(f"{d.pk}\t{d.received_at:%Y-%m-%d %H:%M:%S}\t{d.source}\t{d.reason_code}\t{d.reason}")
        sys.stdout.flush()

    def do_maintenance_end(self, o):
        d = services.device_maintenance_end(actor=None, device_id=o["device_id"])
        self.stdout.write(_("device %(id)s is %(status)s: its alerts are delivered again") % {
            "id": d.device_id, "status": d.get_status_display()})

    def do_prune_log(self, o):
        total = 0
        while n := services.event_log_prune(limit=50_000):
            total += n
        self.stdout.write(_("%(n)s events pruned from the event log; it keeps what no consumer has processed and "
                            "the last PINGAN_EVENTS_MAX_AGE_S seconds") % {"n": total})

    def do_prune_records(self, o):
        from pingan.alerts import retention

        n = services.alert_records_prune()
        days = {kind: rule.days for kind, rule in retention.policy().rules.items()}
        self.stdout.write(_("feed items older than %(days)s days: %(n)s pruned") % {"days": days["feed"],
                                                                                  "n": n["feed"]})
        self.stdout.write(_("dead letters older than %(days)s days: %(n)s pruned") % {"days": days["dead_letters"],
                                                                                    "n": n["dead_letters"]})
        self.stdout.write(_("timeline steps of alerts without a step for %(days)s days: %(n)s pruned")
                          % {"days": days["timelines"], "n": n["timelines"]})

    def do_counters(self, o):
        self.stdout.write(json.dumps(services.counters(), sort_keys=True))


#: The replayed datasets by name, in the reader's language.
REPLAY_DATASETS = {"chicago": gettext_lazy("Chicago police incident records"),
                   "stlouis": gettext_lazy("St. Louis ShotSpotter detections")}


def replay_summary(dataset: str, records: int, seconds: float, totals: dict) -> str:
    """What ``pingan alerts replay`` did, for a person, in the command's language (issue 11: a line ending in
    raw JSON, ``→ {"accepted": 3, "duplicates": 0, "dead_lettered": 0}``)."""
    from pingan.core import texts

    lines = [
        _("Replayed %(dataset)s: %(records)s records sent to ingest in %(time)s.") % {
            "dataset": REPLAY_DATASETS.get(dataset, dataset), "records": f"{records:,}",
            "time": texts.duration(seconds)},
        "  " + _("accepted: %(accepted)s · already received before (duplicates): %(duplicates)s · refused (see "
                 "pingan alerts dead-letters): %(refused)s") % {
            "accepted": f"{totals.get('accepted', 0):,}", "duplicates": f"{totals.get('duplicates', 0):,}",
            "refused": f"{totals.get('dead_lettered', 0):,}"},
        "  " + _("The alerts are raised by the alert worker: %(serve)s (which starts it) or %(worker)s.") % {
            "serve": f"{cli()} serve", "worker": f"{cli()} alerts worker"},
    ]
    return "\n".join(lines)


def agreement_summary(a: dict) -> str:
    """The Chicago routing check (``--agreement``) for a person: how often the district polygons route a record
    to the district the record itself names, and where they differ."""
    from pingan.core import texts

    if not a["records"]:
        return _("District check: no records to compare.")
    lines = [
        _("District check: the boundaries send %(agree)s of %(records)s records (%(rate)s) to the district the "
          "record names.") % {"agree": f"{a['agree']:,}", "records": f"{a['records']:,}",
                              "rate": f"{a['agree'] / a['records']:.2%}"},
    ]
    if a["disagree"]:
        lines.append("  " + _("%(disagree)s differ: %(near)s of them lie within 100 m of their own district's "
                              "boundary, %(outside)s outside every district.") % {
            "disagree": f"{a['disagree']:,}", "near": f"{a['near_boundary']:,}", "outside": f"{a['outside']:,}"})
        lines.append("  " + _("Most frequent (district in the record → district by position): %(pairs)s") % {
            "pairs": texts.join([_("%(record)s → %(routed)s (%(n)s)") % {
                "record": p["record_district"], "routed": p["routed_to"], "n": p["records"]} for p in a["pairs"]])})
        lines.append("  " + _("Differences by year: %(years)s") % {
            "years": texts.join([_("%(year)s: %(n)s") % {"year": y, "n": n}
                                 for y, n in a["disagree_by_year"].items()])})
    return "\n".join(lines)
