"""Record the people not screened that a smaller roster left out, as ``off_roster_refresh`` now does (issue 11).

Until now ``screening.OffRoster`` held only the flagged people (red, yellow, watchlist hits) a roster left out,
while the owner's pages counted the rows not screened or unresolved of the roster before among the people left
out: the police saw fewer people than the landlord. ``screening.services.left_out_listed`` now records those rows
too. This replays each premises' rosters as 0015 does, with that wider set, and adds the records that are
missing (0015's own rule: a record is skipped when the premises has one for the same person and roster, or an
open one for the person; one the police's "Confirmed left" on the premises page would have closed — it closes
everyone listed — is added closed, with who, when and the note). Then each open suspension's ``dropped`` becomes what the owner's pages now count:
its premises' open records of people the owner saw as not green (``screening.services.owner_not_green``; a
watchlist hit the owner saw as green is never disclosed to them). The reverse deletes the records of rows that
are not flagged (0015's reverse removes the rest); ``dropped`` stays.
"""

import importlib

from django.db import migrations
from django.db.models import Q

_0015 = importlib.import_module("pingan.screening.migrations.0015_off_roster_backfill")

#: ``screening.services.left_out_listed`` as of this migration.
LISTED = ~Q(status="accepted", level="green") | Q(silent_hit=True, status="accepted")
#: ``screening.services.owner_not_green`` through the record's person.
TOLD = ~Q(person__status="accepted", person__level="green")


class _Wider(_0015._Replay):
    def flagged(self, job_id):
        rows = self.Person.objects.using(self.db).filter(job_id=job_id).filter(LISTED)
        return [(pk, _0015._key(i, g, n)) for pk, i, g, n in rows.order_by("row").values_list(
            "pk", "id_number", "given_id_number", "name")]


def forward(apps, schema_editor):
    replay = _Wider(apps, schema_editor.connection.alias)
    OffRoster = replay.OffRoster.objects.using(replay.db)
    premises_ids = set(replay.Job.objects.using(replay.db).filter(status="done", premises__isnull=False)
                       .order_by().values_list("premises_id", flat=True))
    for premises_id in sorted(premises_ids):
        records = replay.premises(premises_id)
        if not records:
            continue
        existing = set(OffRoster.filter(premises_id=premises_id).values_list("key", "since_job_id"))
        open_keys = set(OffRoster.filter(premises_id=premises_id, status="open").values_list("key", flat=True))
        new = [r for r in records if (r["key"], r["since_job_id"]) not in existing
               and not (r["status"] == "open" and r["key"] in open_keys)]
        # the premises page's "Confirmed left" closed everyone listed then (the replay knows only the reviews)
        confirmed = sorted(set(OffRoster.filter(premises_id=premises_id, status="left", resolved_at__isnull=False)
                               .values_list("resolved_at", "resolved_by_id", "note")), key=lambda c: c[0])
        for r in new:
            after = next((c for c in confirmed if c[0] >= r["created_at"]), None) if r["status"] == "open" else None
            if after is not None:
                r.update(status="left", resolved_at=after[0], resolved_by_id=after[1], note=after[2])
        created = OffRoster.bulk_create([replay.OffRoster(**{k: v for k, v in r.items() if k != "created_at"})
                                         for r in new])
        by_time = {}
        for obj, r in zip(created, new, strict=True):
            by_time.setdefault(r["created_at"], []).append(obj.pk)
        for when, ids in by_time.items():  # created_at is auto_now_add: when the roster left them out
            OffRoster.filter(pk__in=ids).update(created_at=when)
    for review in replay.Review.objects.using(replay.db).filter(status="open", kind="suspension"):
        told = OffRoster.filter(premises_id=review.premises_id, status="open").filter(TOLD).count()
        if told and told != review.dropped:
            review.dropped = told
            review.save(update_fields=["dropped"])


def backward(apps, schema_editor):
    OffRoster = apps.get_model("screening", "OffRoster").objects.using(schema_editor.connection.alias)
    flagged = (Q(person__level__in=["red", "yellow"]) | Q(person__silent_hit=True)) & Q(person__status="accepted")
    OffRoster.exclude(flagged).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0015_off_roster_backfill"),
    ]

    operations = [migrations.RunPython(forward, backward)]
