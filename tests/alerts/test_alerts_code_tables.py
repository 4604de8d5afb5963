"""Code tables and their labels in both languages (issue 13): the device kinds read "checkpoint / plate reader
(卡口)", "one-key SOS alarm post (一键报警柱)" and "VIID platform (视图库)" as their English text — the source
text, shown wherever no English catalogue applies (the CLI, the admin, the migrations' choices). Every code
table of the alerts app: its English label has no CJK character, and its Chinese label exists (and is Chinese)."""

from __future__ import annotations

import re

import pytest
from alerts_support import in_both_languages

CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _msgid(label) -> str:
    """The source text of a lazy translation (what is shown when no catalogue applies)."""
    args = getattr(label, "_args", None)
    return str(args[-1]) if args else str(label)


def _model_tables():
    from django.db import models

    from pingan.alerts import models as m

    for name in dir(m):
        model = getattr(m, name)
        if isinstance(model, type) and issubclass(model, models.Model) and model._meta.app_label == "alerts":
            for field in model._meta.get_fields():
                if getattr(field, "choices", None):
                    yield f"{model.__name__}.{field.name}", field.choices


def test_device_kinds_read_english_in_english_and_chinese_in_chinese():
    from pingan.alerts.models import Device

    labels = {code: in_both_languages(label) for code, label in Device.Kind.choices}
    assert labels["anpr"] == ("checkpoint / plate reader", "卡口 / 车牌识别")
    assert labels["sos"] == ("one-key SOS alarm post", "一键报警柱")
    assert labels["platform"] == ("VIID platform", "视图库平台")
    assert {_msgid(label) for _, label in Device.Kind.choices} >= {"checkpoint / plate reader", "VIID platform"}


def test_every_model_code_table_has_an_english_label_without_cjk_and_a_chinese_one():
    tables = dict(_model_tables())
    assert {"Device.kind", "Device.status", "HotlistEntry.kind", "Alert.state", "ViidSubscription.status"} <= set(
        tables
    ), sorted(tables)
    for table, choices in tables.items():
        for code, label in choices:
            en, zh = in_both_languages(label)
            assert not CJK.search(_msgid(label)), (table, code, _msgid(label))
            assert not CJK.search(en), (table, code, en)
            assert CJK.search(zh) and zh != en, (table, code, zh)


def test_the_migrations_state_has_the_english_labels():
    """The device kinds' choices are part of the migration state: its latest state carries no CJK label."""
    from django.db.migrations.loader import MigrationLoader
    from django.utils import translation

    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    with translation.override("en"):  # the dispositions' choices are a callable, in the active language
        _check_state(state)


def _check_state(state) -> None:
    for model in state.apps.get_app_config("alerts").get_models():
        for field in model._meta.get_fields():
            for code, label in getattr(field, "choices", None) or []:
                assert not CJK.search(str(label)), (model.__name__, field.name, code, label)


def test_gat1400_code_tables_have_chinese_labels_and_english_ones_without_cjk():
    from pingan.alerts import gat1400

    tables = gat1400.code_tables()
    assert {"PlateColor", "PlateClass", "VehicleClass", "EventType", "SubscribeDetail"} <= set(tables)
    for name, table in tables.items():
        assert CJK.search(table["label"]), name
        assert table["en"] and not CJK.search(table["en"]), (name, table["en"])
        assert table["codes"], name
        for code, zh in table["codes"].items():
            assert zh.strip() and CJK.search(zh), (name, code, zh)
        for code, en in table.get("codes_en", {}).items():
            assert code in table["codes"], (name, code)
            assert en.strip() and not CJK.search(en), (name, code, en)


@pytest.mark.parametrize("edition", ["2016", "2022"])
def test_gb28181_device_type_table_english_without_cjk_chinese_present(edition):
    from pingan.lib import gb28181

    table = gb28181.type_table(edition)
    assert {"111", "132", "200", "215", "216"} <= set(table)
    for code, (en, zh) in table.items():
        assert en.strip() and not CJK.search(en), (code, en)
        assert CJK.search(zh), (code, zh)
    assert gb28181.parse("35020000001110000001", edition=edition).type_name_zh == "硬盘录像机 (DVR)"


def test_dispositions_and_event_types_english_text_without_cjk():
    from django.utils.translation import gettext_lazy

    from pingan.alerts import labels
    from pingan.alerts.alerting import dispositions
    from pingan.alerts.events import EVENT_TYPES

    for code, text in EVENT_TYPES.items():
        assert not CJK.search(text), (code, text)
    assert "device_fault" in dispositions()
    for d in dispositions().values():
        en, zh = in_both_languages(gettext_lazy(d.label))
        assert not CJK.search(d.label) and not CJK.search(en), (d.code, en)
        assert CJK.search(zh), (d.code, zh)
    for table in (
        labels.PRIORITIES,
        labels.EVENT_TYPES,
        labels.SUMMARIES,
        labels.RULES,
        labels.ACTIONS,
        labels.STATES,
        labels.SOURCES,
        labels.INCIDENT_CATEGORIES,
    ):
        for code, text in table.items():
            assert not CJK.search(_msgid(text)), (code, _msgid(text))
