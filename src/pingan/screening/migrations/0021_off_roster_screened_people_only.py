"""Delete the open records of rows that were never screened.

Migration 0016 and ``screening.services.left_out_listed`` (issue 11) recorded an earlier roster's rows that were not
screened (rejected, or cut off where the file ended) as people no longer on the roster, for the police to confirm
that they left; they never were screened persons (a fresh-user trial). The rule now records only screened rows
(``services.left_out_listed``, ``services.owner_flagged``); this deletes the open records of rows not screened and
sets each open suspension's ``dropped`` to the open records left that the owner saw as not green, as 0016 and 0018
do. A suspension left with nobody stays open: a migration issues no code; ``pingan code reviews --resolve``, the
station's release, or the premises' next roster does (docs/screening.md "Flagged people no longer on the roster").
The reverse does nothing (the records were wrong).
"""

from django.db import migrations
from django.db.models import Q

TOLD = Q(person__status="accepted") & ~Q(person__level="green")


def forward(apps, schema_editor):
    db = schema_editor.connection.alias
    OffRoster = apps.get_model("screening", "OffRoster").objects.using(db)
    Review = apps.get_model("codes", "CodeReview").objects.using(db)
    unscreened = OffRoster.filter(status="open").exclude(person__status="accepted")
    premises_ids = sorted(set(unscreened.values_list("premises_id", flat=True)))
    OffRoster.filter(pk__in=list(unscreened.values_list("pk", flat=True))).delete()
    for review in Review.filter(premises_id__in=premises_ids, status="open", kind="suspension"):
        told = OffRoster.filter(premises_id=review.premises_id, status="open").filter(TOLD).count()
        if told and told != review.dropped:
            review.dropped = told
            review.save(update_fields=["dropped"])


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0020_results_hot_updates"),
        ("codes", "0005_fewer_code_indexes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
