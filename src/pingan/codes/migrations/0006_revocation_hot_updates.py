"""Let revoking a code rewrite its row in place (a PostgreSQL HOT update: the new row version on the same page,
no new index entry): no index holds a column a revocation writes, and the codes table leaves room in its pages
(``fillfactor`` FILLFACTOR).

A re-evaluation supersedes the live code of every premises whose people changed (a day's movement records in
issue 10's benchmark: 43,165 of 50,000 codes), setting ``revoked_at``, ``revocation_reason``, ``superseded_by``
and ``superseded_at``. With ``revoked_at`` in the ``(issuer, revoked_at)`` index and ``superseded_by`` in a
partial index no such update could be HOT, so each new row version went into all six indexes of the table. The
revocation lists (each issuer's revoked codes not yet expired, and every issuer's for a batch verification)
are read through ``(issuer, expires_at)`` instead — ``expires_at`` never changes, and the codes not yet expired
are those a list can hold, where ``(issuer, revoked_at)`` led to every code ever revoked. Nothing reads codes
by their successor (codes are never deleted, so no foreign-key check looks for one either).

A code row is rewritten once in its life (when it is revoked), and the codes written together — a
derivation's batch, in premises order — are revoked together, so the table keeps half of each page free: room
for every row's second version. The room applies to pages written from now on (``VACUUM FULL
codes_safetycode`` gives it to existing rows at once; it locks the table while it copies it). The reverse
restores the two indexes and the default fill factor (100).
"""

from django.db import migrations, models

FILLFACTOR = 50


def _set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE codes_safetycode SET (fillfactor = {FILLFACTOR})")


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE codes_safetycode RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("codes", "0005_fewer_code_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="safetycode", name="codes_safet_issuer_4e02d1_idx"),
        migrations.RemoveIndex(model_name="safetycode", name="safetycode_superseded_by"),
        migrations.AddIndex(model_name="safetycode",
                            index=models.Index(fields=["issuer", "expires_at"], name="safetycode_issuer_expires")),
        migrations.RunPython(_set, _reset),
    ]
