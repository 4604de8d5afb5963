"""Backfill ``OffRoster`` (0014) for the rosters screened before it existed (docs/codes.md "Upgrading").

Until 0014 the police view listed the flagged people a smaller roster left out only from the baseline of an
open review; from 0014 on ``screening.services.off_roster_refresh`` records them each time a premises' latest
screening moves. Without this backfill, the reviews open at deploy time lost their people from the police lists
until the premises' next upload. This replays, per premises, what ``off_roster_refresh`` would have recorded
had it run all along: every finished screening in the order it finished (it becomes the latest when its id is
the highest finished so far), each compared with the finished screening of the highest id below it; the people
of open records it brings back close as ``back``; every review the police released or whose people they confirmed
left (``codes.CodeReview`` released, at its ``decided_at``) closes the records open then as ``left`` with who
and the note, as ``codes.services._people_left`` does now. Screenings whose person data retention deleted
contribute nothing (their records would have gone with them).

``created_at`` is the time the roster that first left them out finished (``since_job.finished_at``), which is
also how the reverse tells this migration's records from the service's (whose ``created_at`` is taken later, in
the refresh after the job finished). Records that exist already (0014 deployed earlier) are kept; a replayed
record is skipped when the premises has one for the same person and roster, or an open one for the person.

Self-contained (historical models): the person key and roster presence follow ``screening.services.person_key``,
``roster_presence``, ``on_roster`` and ``flagged_rows`` as of 0014.
"""

from django.db import migrations
from django.db.models import F, Q


def _key(id_number, given, name):
    number = id_number or given
    return number if number else f"name:{name}"


def _on_roster(key, present):
    return key[5:] in present[1] if key.startswith("name:") else key in present[0]


class _Replay:
    def __init__(self, apps, db):
        self.Job = apps.get_model("screening", "ScreeningJob")
        self.Person = apps.get_model("screening", "PersonResult")
        self.OffRoster = apps.get_model("screening", "OffRoster")
        self.Review = apps.get_model("codes", "CodeReview")
        self.db = db

    def presence(self, job_id):
        ids, names = set(), set()
        for id_number, given, corrected, name in self.Person.objects.using(self.db).filter(job_id=job_id).values_list(
                "id_number", "given_id_number", "corrected_id_number", "name").iterator(chunk_size=5000):
            ids.update(x for x in (id_number, given, corrected) if x)
            names.add(name)
        return ids, names

    def flagged(self, job_id):
        rows = self.Person.objects.using(self.db).filter(job_id=job_id).filter(
            (Q(level__in=["red", "yellow"]) | Q(silent_hit=True)) & Q(status="accepted"))
        return [(pk, _key(i, g, n)) for pk, i, g, n in rows.order_by("row").values_list(
            "pk", "id_number", "given_id_number", "name")]

    def premises(self, premises_id):
        """The records ``off_roster_refresh`` (and the releases) would have left for ``premises_id``."""
        jobs = {j["pk"]: j for j in self.Job.objects.using(self.db).filter(premises_id=premises_id, status="done")
                .values("pk", "finished_at", "created_at", "purged_at")}
        events = [((j["finished_at"] or j["created_at"]), 0, pk) for pk, j in jobs.items()]
        events += [(r["decided_at"], 1, r) for r in self.Review.objects.using(self.db).filter(
            premises_id=premises_id, status="released", decided_at__isnull=False).values(
            "pk", "decided_at", "decided_by_id", "note")]
        events.sort(key=lambda e: (e[0], e[1], e[2] if e[1] == 0 else e[2]["pk"]))
        records, done, latest = [], [], None
        for when, kind, what in events:
            opened = [r for r in records if r["status"] == "open"]
            if kind == 1:
                for r in opened:  # codes.services._people_left: a decided review clears everyone listed then
                    r.update(status="left", resolved_at=when, resolved_by_id=what["decided_by_id"],
                             note=what["note"])
                continue
            done.append(what)
            if latest is not None and max(done) == latest:
                continue  # a lower id finished after a higher one: the latest did not move
            latest = max(done)
            if jobs[latest]["purged_at"] is not None:
                continue
            present = self.presence(latest)
            for r in opened:
                if _on_roster(r["key"], present):
                    r.update(status="back", resolved_at=when, back_job_id=latest)
            earlier = max((pk for pk in done if pk < latest), default=None)
            if earlier is None or jobs[earlier]["purged_at"] is not None:
                continue
            known = {r["key"] for r in records if r["status"] == "open" or r["since_job_id"] == latest}
            for person_id, key in self.flagged(earlier):
                if key not in known and not _on_roster(key, present):
                    known.add(key)
                    records.append({"premises_id": premises_id, "person_id": person_id, "since_job_id": latest,
                                    "key": key, "status": "open", "created_at": when, "resolved_at": None,
                                    "resolved_by_id": None, "back_job_id": None, "note": ""})
        return records


def backfill(apps, schema_editor):
    replay = _Replay(apps, schema_editor.connection.alias)
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
        created = OffRoster.bulk_create([replay.OffRoster(**{k: v for k, v in r.items() if k != "created_at"})
                                         for r in new])
        by_time = {}
        for obj, r in zip(created, new, strict=True):
            by_time.setdefault(r["created_at"], []).append(obj.pk)
        for when, ids in by_time.items():  # created_at is auto_now_add: set it to when the roster left them out
            OffRoster.filter(pk__in=ids).update(created_at=when)


def unbackfill(apps, schema_editor):
    OffRoster = apps.get_model("screening", "OffRoster").objects.using(schema_editor.connection.alias)
    OffRoster.filter(Q(since_job__finished_at=F("created_at"))
                     | Q(since_job__finished_at__isnull=True, since_job__created_at=F("created_at"))).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0014_off_roster"),
        ("codes", "0005_fewer_code_indexes"),
    ]

    operations = [migrations.RunPython(backfill, unbackfill)]
