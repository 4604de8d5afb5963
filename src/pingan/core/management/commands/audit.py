"""``pingan audit verify|checkpoint|search|head|grants``: check, anchor and search the audit trail.

``search --csv|--json`` prints the records in the machine form of ``core.auditexport`` (stable keys, codes).
``verify`` walks the hash chain (docs/audit.md says what it detects) and compares it with the signed
checkpoints; ``checkpoint`` signs the head now, appends it to the checkpoint file and prints it (run it from
cron and ship the line off the machine); ``search`` answers "who looked at this person" from the shell;
``grants`` prints the SQL that makes the trail append-only for the application's database role.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, auditexport, checkpoints, selectors
from pingan.core.command import PinganCommand, command_error, date_argument, missing_path
from pingan.core.errors import DomainError
from pingan.core.models import AuditHead, User

AUDIT_TABLES = ("core_auditrecord", "core_auditsubject")


class Command(PinganCommand):
    help = gettext_lazy(
        "Verify the audit trail against its checkpoints, write a checkpoint, search the trail, print its head.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help=_("walk the chain and compare it with the checkpoints; exit 1 and name "
                                          "the first problem on tampering"))
        v.add_argument("--checkpoints", type=Path, action="append", default=None,
                       help=_("a checkpoint file (JSON lines; repeatable; default: the installation's checkpoint "
                            "file). Give the copies kept off this machine"))
        v.add_argument("--public-key", type=Path, help=_("the checkpoints' public key (PEM; default: this "
                                                       "installation's checkpoint.pub)"))
        v.add_argument("--without-key", action="store_true",
                       help=_("skip the records' MACs (for an auditor who has a copy of the database but not the "
                            "audit key)"))
        c = sub.add_parser("checkpoint", help=_("sign the chain head now, append it to the checkpoint file, print it"))
        c.add_argument("--out", type=Path, help=_("append to this file instead of the installation's checkpoint file"))
        s = sub.add_parser("search", help=_("list records, newest first"))
        s.add_argument("--person", default="", help=_("a full name, ID number or phone number: the reads that "
                                                     "showed that person (phone numbers in records written since "
                                                     "December 2026)"))
        s.add_argument("--actor", default="", help=_("part of an account's name: what it did and what acted on its "
                                                    "behalf (a task it queued); or a command's name"))
        s.add_argument("--agent", default="", help=_("person | automatic | command | task | request | terminal | "
                                                    "platform | system | task:<kind>"))
        s.add_argument("--unit", default="", help=_("a unit code (its subtree)"))
        s.add_argument("--object-type", default="",
                       help=_("the kind of record looked at, e.g. Premises, PersonResult.flagged"))
        s.add_argument("--object-id", default="", help=_("the record's id (with --object-type)"))
        s.add_argument("--action", dest="act", default="", help=_("what was done, e.g. view, list, export, revoke"))
        s.add_argument("--purpose", default="", help=_("the declared purpose of use, e.g. epidemic_screening"))
        s.add_argument("--since", type=date_argument, help=_("YYYY-MM-DD (local date, inclusive)"))
        s.add_argument("--until", type=date_argument, help=_("YYYY-MM-DD (local date, inclusive)"))
        s.add_argument("--limit", type=int, default=50, help=_("at most this many records, newest first (default 50)"))
        form = s.add_mutually_exclusive_group()
        form.add_argument("--csv", action="store_true", help=_("print CSV: a header of stable keys, codes as values, "
                                                              "times in ISO 8601 (recorded as an export)"))
        form.add_argument("--json", action="store_true", help=_("print a JSON array of records with the same keys "
                                                               "(recorded as an export)"))
        s.add_argument("--as", dest="auditor", default="",
                       help=_("the auditor account the search is recorded under (default: the system; searches "
                            "are recorded too)"))
        sub.add_parser("head", help=_("print the last sequence number and hash"))
        g = sub.add_parser("grants", help=_("print the SQL that leaves the application's role append-only rights on "
                                          "the audit tables (PostgreSQL; run it as the tables' owner)"))
        g.add_argument("--app-role", required=True, help=_("the database role the application connects as"))

    def handle(self, *args, **opts):
        getattr(self, f"do_{opts['action']}")(opts)

    def do_verify(self, opts) -> None:
        for option, given in (("--checkpoints", opts["checkpoints"] or []), ("--public-key", [opts["public_key"]])):
            for path in given:
                if path is not None and not path.is_file():
                    raise CommandError(f"{option} {missing_path(path)}")
        try:
            key = checkpoints.load_public_key(opts["public_key"]) if opts["public_key"] else None
            files = opts["checkpoints"] or [checkpoints.checkpoint_file()]
            known = checkpoints.load(files, key)
        except checkpoints.CheckpointError as exc:
            raise CommandError(_("audit checkpoints BROKEN: %(problem)s") % {"problem": exc}) from None
        result = audit.verify(with_key=not opts["without_key"], checkpoints=known)
        if not result.ok:
            raise CommandError(_("audit trail BROKEN after %(n)s good records: %(problem)s") % {
                "n": result.checked, "problem": result.problem})
        # the problems above are the verifier's own words (docs/audit.md lists them); the summary is in the
        # command's language
        parts = [_("audit trail intact: %(n)s records verified with their MACs") if not opts["without_key"]
                 else _("audit trail intact: %(n)s records verified")]
        values = {"n": result.checked}
        if result.last_checkpoint:
            parts += [_("%(anchored)s checkpoints match, the last of record %(seq)s at %(at)s"),
                      _("%(newer)s records since the last checkpoint")]
            values.update(anchored=result.anchored, seq=result.last_checkpoint.seq, at=result.last_checkpoint.at,
                          newer=result.checked - result.last_checkpoint.seq)
        else:
            parts.append(_("no checkpoint covers it yet (pingan audit checkpoint)"))
        self.stdout.write(_("; ").join(p % values for p in parts))

    def do_checkpoint(self, opts) -> None:
        cp = checkpoints.checkpoint_create(opts["out"])
        if cp["seq"] == 0:
            raise CommandError(_("the audit trail is empty: nothing to checkpoint"))
        self.stdout.write(json.dumps(cp, sort_keys=True))

    def do_head(self, opts) -> None:
        head = AuditHead.objects.filter(id=1).first()
        self.stdout.write(f"{head.seq if head else 0} {head.hash if head else audit.GENESIS}")

    def do_search(self, opts) -> None:
        auditor = User.objects.filter(username=opts["auditor"]).first() if opts["auditor"] else None
        if opts["auditor"] and auditor is None:
            raise CommandError(_("no account %(name)s") % {"name": repr(opts["auditor"])})
        query = selectors.AuditQuery(person=opts["person"], actor=opts["actor"], agent=opts["agent"], unit=opts["unit"],
                                     action=opts["act"], object_type=opts["object_type"],
                                     object_id=opts["object_id"], purpose=opts["purpose"], since=opts["since"],
                                     until=opts["until"])
        action = "export" if opts["csv"] or opts["json"] else "search"
        try:
            records = (selectors.audit_search(actor=auditor, query=query, action=action) if auditor
                       else selectors.audit_search_from_shell(query=query, action=action))
        except DomainError as exc:
            raise command_error(exc) from None
        if action == "export":
            records = list(records[: opts["limit"]])
            self.stdout.write(auditexport.machine_csv(records) if opts["csv"] else auditexport.machine_json(records),
                              ending="" if opts["csv"] else "\n")
            return
        for r in records[: opts["limit"]]:
            persons = (r.detail.get("subjects") or {}).get("n", "") if isinstance(r.detail, dict) else ""
            by = ((r.detail.get("agent") or {}).get("by", "") if isinstance(r.detail, dict) else "")
            actor = f"{r.actor} (by {by})" if by else r.actor
            # tab-separated, stable codes (scripts read it)
            self.stdout.write(f"{r.seq}\t{timezone.localtime(r.at):%Y-%m-%d %H:%M:%S}\t{actor}\t{r.role}\t"
                              f"{r.unit}\t{r.action}\t{r.object_type}:{r.object_id}\t{r.purpose}\t"
                              f"persons={persons}\t{r.client_addr}")

    def do_grants(self, opts) -> None:
        role = connection.ops.quote_name(opts["app_role"])
        tables = ", ".join(AUDIT_TABLES)
        self.stdout.write(  # SQL to run as it is (its comments are part of the script, English like the SQL)
            f"-- pingan: the application's role may append to and read the audit trail, nothing else.\n"
            f"-- Run as the owner of the tables (the role that ran `pingan migrate`), which must not be {role}.\n"
            f"REVOKE ALL ON {tables} FROM {role};\n"
            f"GRANT SELECT, INSERT ON {tables} TO {role};\n"
            f"GRANT USAGE, SELECT ON SEQUENCE core_auditrecord_id_seq, core_auditsubject_id_seq TO {role};\n"
            f"-- the chain head is updated on every append\n"
            f"GRANT SELECT, INSERT, UPDATE ON core_audithead TO {role};\n")
