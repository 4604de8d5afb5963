"""Display names (issue 11): a trial's officer was greeted "您好，demo_officer" — the login — because no display
name was set and ``pingan user create`` could not set one. The command sets one (``--display-name``) and changes
it (``rename``); without one, pages say the account's role and unit in the reader's language; the demos give
their accounts synthetic names."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from pingan.core.models import OrgUnit, User
from pingan.core.services import user_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


@pytest.fixture
def units(db):
    from pingan.core.reference import demo_org_load

    demo_org_load()


def _home(client, user, lang: str) -> str:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    client.cookies["django_language"] = lang
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("lang, greeting", [("zh-hans", "您好，莲前派出所民警"),
                                            ("en", "Hello, officer of Lianqian Police Station")])
def test_an_account_without_a_display_name_is_named_by_its_role_and_unit(client, units, lang, greeting):
    officer = user_create(username="demo_officer", password=None, role="officer",
                          unit=OrgUnit.objects.get(code="350203-LQ"))
    html = _home(client, officer, lang)
    assert greeting in html
    assert "demo_officer" not in html


def test_the_command_sets_and_changes_the_display_name(monkeypatch, units):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass-2026\n"))
    call_command("user", "create", "chen", "--role", "officer", "--unit", "350203-LQ", "--display-name", " 陈志强 ",
                 "--password-stdin", stdout=StringIO())
    assert User.objects.get(username="chen").display_name == "陈志强"
    out = StringIO()
    call_command("user", "rename", "chen", "--display-name", "陈志刚", stdout=out)
    assert out.getvalue() == "user chen is now shown as 陈志刚\n"
    assert User.objects.get(username="chen").display_name == "陈志刚"
    out = StringIO()
    call_command("user", "rename", "chen", "--display-name", "", stdout=out)  # cleared: role and unit
    assert out.getvalue() == "user chen is now shown as officer of Lianqian Police Station\n"
    with translation.override("zh-hans"):
        assert User.objects.get(username="chen").shown_name == "莲前派出所民警"
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("user", "rename", "nobody", "--display-name", "x", stdout=StringIO())
    with pytest.raises(CommandError, match="the limit is 100"):
        call_command("user", "rename", "chen", "--display-name", "长" * 101, stdout=StringIO())


def test_the_demo_accounts_have_names(units):
    from pingan.alerts.demo import demo_accounts

    old = user_create(username="demo_chief", password=None, role="station_chief",
                      unit=OrgUnit.objects.get(code="350203-LQ"))  # made by an earlier demo, without a name
    demo_accounts(password="Demo-pass-2026")
    names = dict(User.objects.filter(username__in=["demo_officer", "demo_chief"]).values_list("username",
                                                                                              "display_name"))
    assert names == {"demo_officer": "陈志强", "demo_chief": "林建华"}
    old.refresh_from_db()
    assert old.display_name == "林建华"
