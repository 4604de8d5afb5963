"""Close the open records of rows not screened whose person the premises' latest roster holds after all.

From 1333817 (and migration 0016's replay) a row that was never screened — an ID Excel stored as a number, a wrong
check digit, no level — was recorded as no longer on the roster when the next roster left out its key, which is
what the row gave (``110105000000000000``, the number with the wrong digit). The landlord who followed the page's
advice and uploaded the same people with their numbers corrected had the code suspended for them, and the police
were sent after people still there. ``screening.services.present_on`` now also finds such a row's person by the
same compared name and a number consistent with what it gave; this closes the records it finds on the premises'
latest roster as ``back`` (``back_job`` that roster) and sets each open suspension's ``dropped`` to the open
records the owner saw as not green, as 0016 does. A suspension left with nobody stays open: a migration issues no
code; the station's release, or the premises' next roster, does (docs/screening.md "Flagged people no longer on
the roster"). The reverse does nothing (the records were wrong).

Self-contained (historical models): the rule follows ``name_compared``, ``number_compared``, ``number_consistent``
and ``present_on`` of ``screening.services`` as of this migration.
"""

import re
import unicodedata

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from pingan.lib.redact import normalise_number

UNSCREENED = ~Q(person__status="accepted") | Q(person__level="") | Q(person__identity_status="invalid")
TOLD = ~Q(person__status="accepted", person__level="green")


def _name(name):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).casefold()


def _number(number):
    return normalise_number(number or "").upper()


def _consistent(earlier, newer):
    if not earlier or len(earlier) != len(newer):
        return True
    kept = len(earlier.rstrip("0"))
    if (
        kept >= 6
        and earlier.isdigit()
        and newer.isdigit()
        and abs(int(newer) - int(earlier)) < 10 ** (len(earlier) - kept)
    ):
        return True
    return sum(a != b for a, b in zip(earlier, newer, strict=True)) <= 1


def forward(apps, schema_editor):
    db = schema_editor.connection.alias
    OffRoster = apps.get_model("screening", "OffRoster").objects.using(db)
    Person = apps.get_model("screening", "PersonResult").objects.using(db)
    Job = apps.get_model("screening", "ScreeningJob").objects.using(db)
    Review = apps.get_model("codes", "CodeReview").objects.using(db)
    now = timezone.now()
    premises_ids = sorted(set(OffRoster.filter(status="open").filter(UNSCREENED).values_list("premises_id", flat=True)))
    for premises_id in premises_ids:
        latest = Job.filter(premises_id=premises_id, is_latest=True, status="done", purged_at__isnull=True).first()
        if latest is None:
            continue
        by_name = {}
        for values in (
            Person.filter(job_id=latest.pk)
            .values_list("id_number", "given_id_number", "corrected_id_number", "name")
            .iterator(chunk_size=5000)
        ):
            by_name.setdefault(_name(values[3]), set()).update(_number(x) for x in values[:3] if x)
        back = []
        for pk, id_number, given, name in (
            OffRoster.filter(premises_id=premises_id, status="open")
            .filter(UNSCREENED)
            .values_list("pk", "person__id_number", "person__given_id_number", "person__name")
        ):
            numbers = by_name.get(_name(name)) if _name(name) else None
            earlier = _number(id_number or given)
            if numbers is not None and (not numbers or any(_consistent(earlier, n) for n in numbers)):
                back.append(pk)
        if not back:
            continue
        OffRoster.filter(pk__in=back).update(status="back", resolved_at=now, back_job_id=latest.pk)
        for review in Review.filter(premises_id=premises_id, status="open", kind="suspension"):
            told = OffRoster.filter(premises_id=premises_id, status="open").filter(TOLD).count()
            if told and told != review.dropped:
                review.dropped = told
                review.save(update_fields=["dropped"])


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0017_hit_job_no_db_constraint"),
        ("codes", "0005_fewer_code_indexes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
