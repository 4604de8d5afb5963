# The citation of a service's basis per language (it was one English text with repository paths in it);
# `pingan citizen catalogue` (catalogue_load) fills both from data/catalogue.toml.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("citizen", "0002_terminal"),
    ]

    operations = [
        migrations.RemoveField(model_name="service", name="basis"),
        migrations.AddField(model_name="service", name="basis_zh",
                            field=models.CharField(blank=True, default="", max_length=200)),
        migrations.AddField(model_name="service", name="basis_en",
                            field=models.CharField(blank=True, default="", max_length=200)),
    ]
