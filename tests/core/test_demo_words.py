"""Issue 11: ``pingan alerts demo`` listed its devices' kinds as codes on a Chinese terminal ("(anpr)",
"(camera)", "(sos)"); ``pingan citizen demo`` suggested demo_desk with the display name 陈志强, the name the
screening and dispatch demos give demo_officer of the same station, and named that station in Chinese in its
English hint."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from pingan.core.demoguide import SUGGESTED_NAMES

pytestmark = pytest.mark.django_db

CREATE = re.compile(r"user create (\S+) --role (\S+)(?: --unit (\S+))?(?: --display-name (\S+))?$", re.M)


def _run(*args, language: str) -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_the_citizen_demos_desk_officer_has_a_name_of_their_own():
    text = _run("citizen", "demo", language="zh-hans")
    [(username, role, unit, name)] = CREATE.findall(text)
    assert (username, role, unit) == ("demo_desk", "officer", "350203-LQ")
    assert name and name not in SUGGESTED_NAMES.values(), name  # demo_officer is SUGGESTED_NAMES["officer"]
    english = _run("citizen", "demo", language="en")
    desk = next(line for line in english.splitlines() if "/citizen/station/" in line)
    assert "Lianqian Police Station" in desk and "莲前" not in desk, desk


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_alerts_demo_names_each_devices_kind(language):
    text = _run("alerts", "demo", "--password", "Demo-pass-2026", language=language)
    devices = [line for line in text.splitlines() if re.match(r"^\s+3502\d{16}\s", line)]
    assert len(devices) == 7, text
    assert not any(re.search(r"\((anpr|camera|acoustic|sos|intrusion)\)", line) for line in devices), devices
    if language == "zh-hans":
        assert "莲前东路卡口（卡口 / 车牌识别） → 莲前派出所" in text, devices
    else:
        assert "(checkpoint / plate reader) → Lianqian Police Station" in text, devices
