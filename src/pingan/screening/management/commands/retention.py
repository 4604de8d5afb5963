"""``pingan retention purge [--dry-run]``: apply the retention limits of personal data once.

Run it daily (cron or a systemd timer: docs/screening.md, "Retention"). The work is
:func:`pingan.screening.retention.retention_purge`; this command prints what it purged per category.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pingan.core.command import PinganCommand
from pingan.core.texts import moment
from pingan.screening import retention


def lines(report: retention.PurgeReport) -> list[str]:
    """The command's report, one line per category (and the audit record), in the dry run's tense too, in the
    command's language."""
    c, dry = report.cutoffs, report.dry_run
    jobs = {"n": len(report.jobs), "before": moment(c.jobs), "days": c.job_days,
            "results": ngettext("%(n)s person result", "%(n)s person results", report.person_results)
            % {"n": report.person_results},
            "hits": ngettext("%(n)s hit", "%(n)s hits", report.hits) % {"n": report.hits},
            "files": ngettext("%(n)s file", "%(n)s files", report.job_files) % {"n": report.job_files}}
    datasets = {"n": len(report.datasets), "before": moment(c.datasets), "days": c.job_days,
                "files": ngettext("%(n)s file", "%(n)s files", report.dataset_files) % {"n": report.dataset_files}}
    records = {"n": sum(report.movement_records.values()), "before": moment(c.movements), "days": c.movement_days,
               "clock": moment(c.screening_clock),
               "datasets": ngettext("%(n)s active dataset", "%(n)s active datasets", len(report.movement_records))
               % {"n": len(report.movement_records)}}
    if dry:
        out = [_("screening jobs finished before %(before)s (%(days)s days): %(n)s would be purged — %(results)s, "
                 "%(hits)s, %(files)s") % jobs,
               _("superseded movement datasets imported before %(before)s (%(days)s days): %(n)s would be purged — "
                 "%(files)s") % datasets,
               _("movement records that ended before %(before)s (%(days)s days before the screening clock, "
                 "%(clock)s): %(n)s would be removed from %(datasets)s") % records]
    else:
        out = [_("screening jobs finished before %(before)s (%(days)s days): %(n)s purged — %(results)s, %(hits)s, "
                 "%(files)s") % jobs,
               _("superseded movement datasets imported before %(before)s (%(days)s days): %(n)s purged — "
                 "%(files)s") % datasets,
               _("movement records that ended before %(before)s (%(days)s days before the screening clock, "
                 "%(clock)s): %(n)s removed from %(datasets)s") % records]
    out += ["  " + _("dataset %(id)s: %(records)s") % {
        "id": pk, "records": ngettext("%(n)s record", "%(n)s records", n) % {"n": n}}
        for pk, n in sorted(report.movement_records.items())]
    out.append(_("dry run: nothing was changed and no audit record written") if dry
               else _("audit record %(seq)s (retention_purge) written") % {"seq": report.audit_seq})
    return out


class Command(PinganCommand):
    help = gettext_lazy(
        "Apply the retention limits: delete the person data of old screening jobs, superseded movement "
        "datasets and old movement records (PINGAN_RETENTION_JOB_DAYS, PINGAN_RETENTION_MOVEMENT_DAYS).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help=_("delete what the retention periods say is due"))
        purge.add_argument("--dry-run", action="store_true",
                           help=_("only count what would be deleted; change nothing, write no audit record"))

    def handle(self, *args, **opts):
        report = retention.retention_purge(dry_run=opts["dry_run"])
        for line in lines(report):
            self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(_("not purged: %(error)s") % {"error": error})
        if report.errors:
            raise CommandError(_("%(n)s items could not be purged (listed above); they are unchanged and the next "
                                 "run tries again") % {"n": len(report.errors)})
