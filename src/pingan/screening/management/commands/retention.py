"""``pingan retention purge [--dry-run]``: apply the retention limits of personal data once.

Run it daily (cron or a systemd timer: docs/screening.md, "Retention"). The work is
:func:`pingan.screening.retention.retention_purge`; this command prints what it purged per category.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from pingan.core.command import PinganCommand
from pingan.screening import retention


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def lines(report: retention.PurgeReport) -> list[str]:
    """The command's report, one line per category (and the audit record), in the dry run's tense too."""
    c, dry = report.cutoffs, report.dry_run
    purged, removed = ("would be purged", "would be removed") if dry else ("purged", "removed")
    out = [
        f"screening jobs finished before {_when(c.jobs)} ({c.job_days} days): {len(report.jobs)} {purged} — "
        f"{_n(report.person_results, 'person result')}, {_n(report.hits, 'hit')}, {_n(report.job_files, 'file')}",
        f"superseded movement datasets imported before {_when(c.datasets)} ({c.job_days} days): "
        f"{len(report.datasets)} {purged} — {_n(report.dataset_files, 'file')}",
        f"movement records that ended before {_when(c.movements)} ({c.movement_days} days before the screening "
        f"clock, {_when(c.screening_clock)}): {sum(report.movement_records.values())} {removed} from "
        f"{_n(len(report.movement_records), 'active dataset')}",
    ]
    out += [f"  dataset {pk}: {_n(n, 'record')}" for pk, n in sorted(report.movement_records.items())]
    out.append("dry run: nothing was changed and no audit record written" if dry
               else f"audit record {report.audit_seq} (retention_purge) written")
    return out


class Command(PinganCommand):
    help = ("Apply the retention limits: delete the person data of old screening jobs, superseded movement "
            "datasets and old movement records (PINGAN_RETENTION_JOB_DAYS, PINGAN_RETENTION_MOVEMENT_DAYS).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="delete what the retention periods say is due")
        purge.add_argument("--dry-run", action="store_true",
                           help="only count what would be deleted; change nothing, write no audit record")

    def handle(self, *args, **opts):
        report = retention.retention_purge(dry_run=opts["dry_run"])
        for line in lines(report):
            self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(f"not purged: {error}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} items could not be purged (listed above); they are "
                               "unchanged and the next run tries again")
