"""A unit's English name beside its Chinese one. Units an import named in both languages in one field
("District 25 第25警区", "Ingleside Station Ingleside警察分站", "Bronx 纽约布朗克斯区") are split: the Latin
words before the first Chinese character's word become ``name_en``, the rest ``name``; the demo roots get
their Chinese names."""

import re

from django.db import migrations, models

_BOTH = re.compile(r"^(?P<en>[\x20-\x7e]+?) (?P<zh>[\x21-\x7e]*[\u4e00-\u9fff].*)$")
_ROOTS = {
    "US-CHI": "芝加哥警察局 — 2012–2016 年犯罪样本（公开数据）",
    "US-CHI-AA": "芝加哥警察局 — 2010–2019 年加重伤害（公开数据）",
    "US-SF": "旧金山警察局 — 2018 年 12 月案件报告（公开数据）",
    "US-NYC": "纽约警察局 — 枪击、凶杀、交通事故（公开数据）",
}


def split_names(apps, schema_editor):
    OrgUnit = apps.get_model("core", "OrgUnit")
    for unit in OrgUnit.objects.filter(name_en="").only("pk", "code", "name").iterator():
        if unit.code in _ROOTS and re.search(r"[\u4e00-\u9fff]", unit.name) is None:
            OrgUnit.objects.filter(pk=unit.pk).update(name=_ROOTS[unit.code], name_en=unit.name)
        elif (m := _BOTH.match(unit.name)) is not None:
            OrgUnit.objects.filter(pk=unit.pk).update(name=m["zh"], name_en=m["en"])



class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_access_changes'),
    ]

    operations = [
        migrations.AddField(
            model_name='orgunit',
            name='name_en',
            field=models.CharField(blank=True, default='', max_length=100),
        ),
        migrations.RunPython(split_names, migrations.RunPython.noop),
    ]
