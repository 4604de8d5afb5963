"""``pingan alerts device`` registers a device with its English name (issue 11: ``Device.name_en`` existed,
and the demo's devices had one, but the command had no option for it), says what it registered in the
reader's language, and its --help is Chinese under a Chinese locale."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from page_language import assert_language

pytestmark = pytest.mark.django_db

DEVICE = "35020301001320000009"


def _register(*extra: str, language: str = "en") -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("alerts", "device", DEVICE, "莲前西路卡口", "anpr", "--lon", "118.137", "--lat", "24.476",
                     *extra, stdout=out)
    return out.getvalue()


def test_it_registers_the_english_name_and_names_the_device_in_the_readers_language(cast):
    from pingan.alerts.models import Device

    line = _register("--name-en", "Lianqian West Road checkpoint")
    device = Device.objects.get(device_id=DEVICE)
    assert (device.name, device.name_en) == ("莲前西路卡口", "Lianqian West Road checkpoint")
    assert "Lianqian West Road checkpoint" in line and "checkpoint / plate reader" in line
    assert " anpr" not in line and "polygon" not in line  # the kind and the routing said, not their codes
    assert_language(line, "en", [DEVICE])
    line = _register("--name-en", "Lianqian West Road checkpoint", language="zh-hans")
    assert "莲前西路卡口" in line and "Lianqian" not in line
    assert_language(line, "zh", [DEVICE])


def test_without_the_option_the_device_has_no_english_name(cast):
    from pingan.alerts.models import Device

    _register()
    assert Device.objects.get(device_id=DEVICE).name_en == ""


def test_the_option_is_explained_in_chinese():
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["alerts"], "alerts")
    with translation.override("zh-hans"):
        parser = command.create_parser("pingan", "alerts")
        [sub] = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        shown = sub.choices["device"].format_help()
    assert "--name-en" in shown and "英文名称" in shown
