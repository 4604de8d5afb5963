"""Rows not screened (rejected, or a roster status other than accepted) have no level: the engine wrote
``yellow`` there, which the result pages, downloads and the API then showed as if the row had been screened
yellow. The safety-code rule counts such a row as *unresolved* by its status, so no code changes."""

from django.db import migrations


def clear(apps, schema_editor):
    PersonResult = apps.get_model("screening", "PersonResult")
    PersonResult.objects.exclude(status="accepted").exclude(level="").update(level="")


class Migration(migrations.Migration):

    dependencies = [("screening", "0009_failures_as_codes")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop, elidable=True)]
