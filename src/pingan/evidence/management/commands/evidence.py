"""``pingan evidence …``: the property room's commands.

* ``verify [LABEL …] [--all] [--full]`` — verify items' custody chains from their checkpoints; ``--full``
  re-hashes every event and moves each sound chain's checkpoint to its head (run it nightly); exit status 1
  when one is broken;
* ``tick`` — flag check-outs past their due-back time (cron; the scheduled task does the same);
* ``demo`` — a demonstration store, accounts for every role and one case (passwords printed once);
* ``rules`` — the rules in force with their citations.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand, UsageError, Verdict
from pingan.core.texts import join, lang


class Command(PinganCommand):
    help = gettext_lazy(
        "Case property: verify [LABEL ...] [--all] | tick | demo | rules")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help=_("verify custody chains"))
        v.add_argument("labels", nargs="*", help=_("the items' labels (as on their tags); none with --all"))
        v.add_argument("--all", action="store_true", help=_("every item"))
        v.add_argument("--full", action="store_true",
                       help=_("re-hash every event (not only those since the checkpoint) and checkpoint sound chains"))
        sub.add_parser("tick", help=_("flag overdue check-outs"))
        sub.add_parser("demo", help=_("a demonstration store and case"))
        sub.add_parser("rules", help=_("the rules in force with their citations"))

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "verify":
            self._verify(opts["labels"], opts["all"], opts["full"])
        elif action == "tick":
            from pingan.evidence.services import overdue_alert

            ids = overdue_alert()
            self.stdout.write(_("%(n)s check-out(s) newly overdue: %(ids)s") % {"n": len(ids), "ids": ids})
        elif action == "demo":
            from pingan.evidence.demo import demo_room

            demo = demo_room()
            self.stdout.write(_("case %(number)s (id %(id)s) with its seized items, in the demo store") % {
                "number": demo.case.number, "id": demo.case.pk})
            from pingan.core.demoguide import Visit, guide
            from pingan.evidence.demo import ACCOUNTS

            case = f"/evidence/cases/{demo.case.pk}/"
            guide(self.stdout.write, accounts=[a[0] for a in ACCOUNTS], passwords=demo.passwords,
                  visits=[Visit(case, ("lq_officer", "lq_officer2"), _(
                      "the case's items, print their labels, request a check-out; an item's page: its custody "
                      "chain, verified")),
                          Visit("/evidence/scan/", ("sw_custodian",), _(
                              "scan an item's label into the store, approve the check-out, run a stock count; "
                              "dispose of an item under a ruling (asks first)")),
                          Visit(case, ("lq_chief",), _("send the transfer list to the procuratorate")),
                          Visit("/evidence/transfers/", ("jcy_procurator",), _(
                              "accept the transfer list; then the case's page, send it on to the court")),
                          Visit("/evidence/transfers/", ("fy_clerk",), _(
                              "accept what the procuratorate sends, record the ruling on the case's page"))])
        elif action == "rules":
            from pingan.evidence import rules

            zh = lang(when_none="en") == "zh"
            for v in rules.versions():
                self.stdout.write(_("version %(id)s (in force from %(date)s)") % {"id": v.id, "date": v.effective})
                for key, table in v.data.items():
                    if isinstance(table, dict):
                        mark = "" if table.get("verified", True) else "  " + _("[UNVERIFIED, configurable]")
                        citation = (table.get("citation") if zh else None) or table.get("citation_en", "")
                        self.stdout.write(f"  {key}: {citation}{mark}")

    def _verify(self, labels: list[str], every: bool, full: bool) -> None:
        from pingan.evidence import labels as label_rules
        from pingan.evidence.models import Item
        from pingan.evidence.services import item_checkpoint, item_verify

        if not labels and not every:
            raise UsageError(_("name item labels or --all"))
        qs = Item.objects.order_by("pk")
        if labels:
            canon = [label_rules.parse(x) or x for x in labels]
            qs = qs.filter(label__in=canon)
            missing = set(canon) - set(qs.values_list("label", flat=True))
            if missing:
                raise CommandError(_("no such item(s): %(labels)s") % {"labels": join(sorted(missing))})
        broken = checked = 0
        for item in qs.iterator(chunk_size=1000):
            v = item_checkpoint(item=item) if full else item_verify(item=item)
            checked += 1
            if not v.ok:
                broken += 1
                self.stdout.write(_("BROKEN %(label)s: event %(seq)s (%(problem)s)") % {
                    "label": item.label, "seq": v.bad_seq, "problem": v.problem})
        values = {"checked": checked, "broken": broken}
        self.stdout.write((_("%(checked)s chain(s) checked in full, sound ones checkpointed, %(broken)s broken") if full
                           else _("%(checked)s chain(s) checked from their checkpoints, %(broken)s broken")) % values)
        if broken:  # said above, on standard output: exit status 1 and nothing more
            raise Verdict(_("%(broken)s chain(s) broken") % values)
