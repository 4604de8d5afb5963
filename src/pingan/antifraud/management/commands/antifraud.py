"""``pingan antifraud …``: the anti-fraud centre's commands.

* ``tick`` — run the deadline clock now (reminders, expiries, lapses, queued freezes); for cron as a safety
  net beside the scheduled tasks.
* ``amlsim`` — trace the bundled AMLSim sample's laundering patterns from their origins and print recall
  and precision per typology and rule.
* ``demo`` — create a demonstration case from the sample (statements imported, ready to trace).
* ``export-rpz FILE`` / ``export-numbers FILE`` — the block lists as an RPZ zone / the carriers' CSV.
* ``sms-receipt REF delivered|failed`` — record an SMS delivery receipt.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand, command_error, missing_path, os_error
from pingan.core.demoguide import DEMO_PASSWORD


class Command(PinganCommand):
    help = gettext_lazy(
        "Anti-fraud centre: tick | amlsim | demo | export-rpz FILE | export-numbers FILE | sms-receipt REF STATUS")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("tick", help=_("run the deadline clock now"))
        a = sub.add_parser("amlsim", help=_("recall and precision on the bundled AMLSim sample"))
        a.add_argument("--hops", type=int, default=5,
                       help=_("how many transfers to follow from each origin (default 5)"))
        a.add_argument("--folder", help=_("a folder with nodes.csv and transactions.csv (default: the bundled copy)"))
        d = sub.add_parser("demo", help=_("create a demonstration case from the AMLSim sample"))
        d.add_argument("--hops", type=int, default=3,
                       help=_("how many transfers to follow from each origin (default 3)"))
        d.add_argument("--password", default=DEMO_PASSWORD,
                       help=_("the demo accounts' password (set when the demo creates them)"))
        for name in ("export-rpz", "export-numbers"):
            e = sub.add_parser(name, help=_("write the block lists as an RPZ zone file (DNS)") if name == "export-rpz"
                               else _("write the blocked numbers as the carriers' CSV"))
            e.add_argument("file", help=_("the file to write"))
        r = sub.add_parser("sms-receipt", help=_("record an SMS delivery receipt"))
        r.add_argument("ref", help=_("the message reference the SMS gateway returned"))
        r.add_argument("status", choices=["delivered", "failed"], help=_("delivered or failed"))

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "tick":
            from pingan.antifraud.services import orders_tick

            self.stdout.write(str(orders_tick()))  # the clock's counters as a dict (cron logs)
        elif action == "amlsim":
            from pingan.antifraud import amlsim
            folder = opts["folder"] or str(amlsim.bundled_folder())
            if not Path(folder).is_dir():
                raise CommandError(f"--folder {missing_path(folder, folder_ok=True)}")
            try:
                data = amlsim.load_sample(folder)
            except FileNotFoundError as exc:
                raise CommandError(os_error(exc) if exc.filename else f"{folder}{_(': ')}{exc}") from exc
            except ValueError as exc:
                raise CommandError(f"{folder}{_(': ')}{exc}") from exc
            self.stdout.write(_("%(accounts)s accounts, %(transfers)s transfers, %(labelled)s labelled; %(pattern)s "
                                "pattern transfers; %(hops)s hops") % {
                "accounts": f"{data.ledger.n_accounts:,}", "transfers": f"{data.ledger.n_transfers:,}",
                "labelled": f"{int(data.fraud.sum()):,}", "pattern": f"{int(data.pattern.sum()):,}",
                "hops": opts["hops"]})
            # the table (Markdown) keeps its English column names and the typologies' names, stable: it is pasted
            # into docs/antifraud.md and compared with AMLSim's own figures
            self.stdout.write("| typology | rule | instances | targets | found | recall | precision | "
                              "instances fully found |\n|---|---|---|---|---|---|---|---|")
            for s in amlsim.evaluate(data, max_hops=opts["hops"]):
                self.stdout.write(f"| {s.typology} | {s.method} | {s.instances} | {s.targets} | {s.found} | "
                                  f"{s.recall:.3f} | {s.precision:.3f} | {s.per_instance_full} |")
        elif action == "demo":
            from pingan.antifraud.demo import demo_case

            try:
                case = demo_case(hops=opts["hops"], password=opts["password"])
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(_("report %(report)s with %(n)s statements (%(rows)s rows), ready to trace") % {
                "report": case.report, "n": len(case.statements),
                "rows": f"{sum(s.accepted for s in case.statements):,}"})
            from pingan.core.demoguide import Visit, guide

            guide(self.stdout.write, accounts=[case.officer, case.chief], passwords=case.passwords,
                  visits=[Visit(f"/antifraud/reports/{case.report.pk}/", (case.officer,), _(
                      "trace the victim's money (the flow drawing and the accounts it reached), request a "
                      "stop-payment or freeze of an account")),
                          Visit("/antifraud/orders/", (case.chief,), _(
                              "approve the order; then mark it sent, record the bank's answer, lift it")),
                          Visit("/antifraud/blocks/", (case.officer, case.chief), _(
                              "block the report's phone number or domain; a block's page shows the notice and "
                              "takes an appeal"))])
        elif action in ("export-rpz", "export-numbers"):
            from django.utils import timezone

            from pingan.antifraud.blocklists import NumberEntry, ZoneEntry, carriers_csv, rpz_zone, serial_for
            from pingan.antifraud.models import Block, BlockStatus

            active = Block.objects.filter(status=BlockStatus.ACTIVE)
            if action == "export-rpz":
                text = rpz_zone([ZoneEntry(b.key, f"block {b.pk}") for b in active.filter(kind__in=["domain", "url"])],
                                serial=serial_for(timezone.now()))
            else:
                text = carriers_csv([NumberEntry(b.key, "fraud", b.expires_at, f"block-{b.pk}")
                                     for b in active.filter(kind="phone")])
            Path(opts["file"]).write_text(text, encoding="utf-8")
            self.stdout.write(_("wrote %(path)s") % {"path": opts["file"]})
        elif action == "sms-receipt":
            from pingan.antifraud.services import sms_receipt
            from pingan.core.errors import DomainError

            try:
                msg = sms_receipt(gateway_ref=opts["ref"], delivered=opts["status"] == "delivered")
            except DomainError as exc:
                raise command_error(exc) from exc
            self.stdout.write(_("SMS %(id)s: %(status)s") % {"id": msg.pk, "status": msg.get_status_display()})
