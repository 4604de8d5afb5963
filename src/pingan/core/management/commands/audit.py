"""``pingan audit verify|search|head``: check and search the hash-chained audit trail."""

from django.core.management.base import BaseCommand, CommandError

from pingan.core import audit
from pingan.core.models import AuditHead, AuditRecord


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, search it, or print its head."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 and name the first bad record on tampering")
        s = sub.add_parser("search", help="list records, newest first")
        s.add_argument("--actor", default="")
        s.add_argument("--object-type", default="")
        s.add_argument("--object-id", default="")
        s.add_argument("--action", dest="act", default="")
        s.add_argument("--limit", type=int, default=50)
        sub.add_parser("head", help="print the last sequence number and hash (to keep off-site)")

    def handle(self, *args, **opts):
        if opts["action"] == "verify":
            result = audit.verify()
            if not result.ok:
                raise CommandError(f"audit trail BROKEN after {result.checked} good records: {result.problem}")
            self.stdout.write(f"audit trail intact: {result.checked} records verified")
        elif opts["action"] == "head":
            head = AuditHead.objects.filter(id=1).first()
            self.stdout.write(f"{head.seq if head else 0} {head.hash if head else audit.GENESIS}")
        else:
            qs = AuditRecord.objects.order_by("-seq")
            for field, key in (("actor", "actor"), ("object_type", "object_type"), ("object_id", "object_id"),
                               ("action", "act")):
                if opts[key]:
                    qs = qs.filter(**{field: opts[key]})
            for r in qs[: opts["limit"]]:
                self.stdout.write(f"{r.seq}\t{r.at:%Y-%m-%d %H:%M:%S}\t{r.actor}\t{r.role}\t{r.unit}\t{r.action}\t"
                                  f"{r.object_type}:{r.object_id}\t{r.purpose}\t{r.client_addr}")
