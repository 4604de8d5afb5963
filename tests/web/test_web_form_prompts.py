"""Every form's empty choice is a prompt in the reader's language, never Django's "---------" or a bare dash
(issue 11 trial: the upload form's premises list began with "---------")."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
FORM_MODULES = sorted(f"pingan.{p.parent.name}.forms" for p in SRC.glob("*/forms.py"))
PLACEHOLDER = re.compile(r"^\s*[-—–_.]*\s*$")


def form_classes():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.Form) and cls.__module__ == name:
                yield cls


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_form_offers_a_dash_as_its_empty_choice(cast, language):
    from pingan.core.models import Premises

    seen = 0
    with translation.override(language):
        for cls in form_classes():
            kwargs = {"premises_qs": Premises.objects.all()} if "premises_qs" in inspect.signature(cls).parameters \
                else {}
            form = cls(**kwargs)
            for name, field in form.fields.items():
                if not hasattr(field, "choices"):
                    continue
                for value, label in field.choices:
                    seen += 1
                    assert not PLACEHOLDER.match(str(label)), f"{cls.__name__}.{name}: {value!r} → {label!r}"
    assert seen > 10


@pytest.mark.django_db
def test_the_upload_form_asks_to_choose_a_premises(client, cast):
    from pingan.core.services import premises_create
    from pingan.screening.forms import RADIO_PREMISES

    premises_create(actor=cast.landlord_a, name="第二套", kind="rental", address="思明区莲前东路3号",
                    adcode="350203010")
    client.force_login(cast.landlord_a, backend="django.contrib.auth.backends.ModelBackend")
    for language, legend in (("zh-hans", "<legend>场所</legend>"), ("en", "<legend>Premises</legend>")):
        client.cookies["django_language"] = language
        html = client.get("/screening/upload/").content.decode()
        # a few premises are radio buttons, none checked: the form asks for one, with no placeholder choice
        assert legend in html and html.count('type="radio" name="premises"') == 2 and " checked" not in html
        assert "---------" not in html and "<option" not in html.split('id="upload-form"')[1]
        assert "思明区莲前东路3号" in html  # each premises named with its address
    for i in range(RADIO_PREMISES):
        premises_create(actor=cast.landlord_a, name=f"第{i + 3}套", kind="rental", address=f"思明区莲前东路{i + 4}号",
                        adcode="350203010")
    for language, prompt in (("zh-hans", "请选择场所"), ("en", "Choose the premises")):  # many: a select
        client.cookies["django_language"] = language
        html = client.get("/screening/upload/").content.decode()
        assert f'<option value="" selected>{prompt}</option>' in html and "---------" not in html
