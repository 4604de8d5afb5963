"""Every role's sections have distinct names in each language (two tabs both called 统计与地图 told a
station chief nothing about which is which)."""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core import navigation
from pingan.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_two_sections_of_a_role_share_a_name(lang, role):
    class User:
        is_authenticated = True

    User.role = role
    with translation.override(lang):
        labels = [str(s["label"]) for s in navigation.sections_for(User(), "/")]
        descriptions = [str(s["description"]) for s in navigation.sections_for(User(), "/") if s["description"]]
    assert len(labels) == len(set(labels)), labels
    assert len(descriptions) == len(set(descriptions)), descriptions
