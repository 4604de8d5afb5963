"""``pingan user create``: its lines read like the other commands' (lower case, naming the object)."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from pingan.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commands_in_english")]


def create(monkeypatch, *args: str, stdin: str = "s3cret-pass\n") -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = StringIO()
    call_command("user", "create", *args, "--password-stdin", stdout=out)
    return out.getvalue()


@pytest.fixture
def units(db):
    from pingan.core.reference import demo_org_load

    demo_org_load()


def test_it_prints_one_lower_case_line_naming_the_user_role_and_unit(monkeypatch, units):
    assert create(monkeypatch, "alice", "--role", "landlord") == "user alice (landlord) created\n"
    out = create(monkeypatch, "bob", "--role", "officer", "--unit", "350203-LQ")
    assert out == "user bob (officer) in 350203-LQ (Lianqian Police Station) created\n"
    assert User.objects.get(username="bob").check_password("s3cret-pass")


def test_it_creates_an_account_without_a_password_only_when_told(monkeypatch, units):
    out = StringIO()
    call_command("user", "create", "carl", "--role", "citizen", "--no-password", stdout=out)
    assert out.getvalue().splitlines() == [
        "user carl (citizen) created", "no password set: carl cannot sign in until `pingan changepassword carl`"]
    assert not User.objects.get(username="carl").has_usable_password()


def test_an_empty_password_on_standard_input_is_refused(monkeypatch, units):
    with pytest.raises(CommandError, match=r"the password is empty; .* use --no-password"):
        create(monkeypatch, "carl", "--role", "citizen", stdin="\n")
    assert not User.objects.filter(username="carl").exists()


def test_without_a_terminal_it_refuses_rather_than_create_a_passwordless_account(monkeypatch, units):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script, cron or CI job: no terminal to ask on
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("must not prompt without a terminal"))
    with pytest.raises(CommandError, match=r"not a terminal.*--password-stdin.*--no-password"):
        call_command("user", "create", "frank", "--role", "landlord", stdout=StringIO())
    assert not User.objects.filter(username="frank").exists()


def test_on_a_terminal_it_asks_twice(monkeypatch, units):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    answers = iter(["s3cret-pass-1", "s3cret-pass-2"])
    monkeypatch.setattr("sys.stdin", Tty(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="the two passwords differ"):
        call_command("user", "create", "gina", "--role", "landlord", stdout=StringIO())
    answers = iter(["s3cret-pass-1", "s3cret-pass-1"])
    call_command("user", "create", "gina", "--role", "landlord", stdout=StringIO())
    assert User.objects.get(username="gina").check_password("s3cret-pass-1")


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("dave", "--role", "officer"), "pw\n", "an account with role 'officer' must belong to a unit"),
    (("dave", "--role", "landlord", "--unit", "350203-LQ"), "pw\n",
     "an account with role 'landlord' does not belong to a police unit"),
    (("dave", "--role", "officer", "--unit", "nowhere"), "pw\n", "no unit with code 'nowhere'"),
    (("dave", "--role", "landlord"), "", "no password given: standard input ended before a line was read"),
])
def test_its_errors_are_lower_case_sentences(monkeypatch, units, args, stdin, message):
    with pytest.raises(CommandError) as err:
        create(monkeypatch, *args, stdin=stdin)
    assert str(err.value) == message
    assert not User.objects.filter(username="dave").exists()


def test_a_taken_username_is_refused(monkeypatch, units):
    create(monkeypatch, "erin", "--role", "landlord")
    with pytest.raises(CommandError, match=r"^The user name erin is taken: choose another one\.$"):
        create(monkeypatch, "erin", "--role", "landlord")
    with translation.override("zh-hans"), pytest.raises(CommandError) as err:  # the page's words, in Chinese
        create(monkeypatch, "erin", "--role", "landlord")
    assert "erin" in str(err.value) and str(err.value).isascii() is False


@pytest.mark.parametrize(("password", "rule"), [("x", "This password is too short"),
                                               ("password123", "This password is too common")])
def test_a_weak_password_is_refused_with_the_rule_it_breaks(monkeypatch, units, password, rule):
    with pytest.raises(CommandError) as err:  # the fresh-user trial created "x" and "password" accounts
        create(monkeypatch, "weak", "--role", "landlord", stdin=password + "\n")
    assert str(err.value).startswith("Choose a stronger password.") and rule in str(err.value)
    assert str(err.value).isascii()  # one language: the command's (English here)
    with translation.override("zh-hans"), pytest.raises(CommandError) as err:
        create(monkeypatch, "weak", "--role", "landlord", stdin=password + "\n")
    assert not str(err.value).isascii() and "password" not in str(err.value).lower()
    assert not User.objects.filter(username="weak").exists()


def test_it_says_the_role_as_the_reader_does_not_its_code(monkeypatch, units):
    """A trial read ``已创建用户 x（station_chief）``: the role's label in the user's language (``--role`` takes the
    code)."""
    out = create(monkeypatch, "dora", "--role", "station_chief", "--unit", "350203-LQ")
    assert out.startswith("user dora (station chief) in 350203-LQ"), out
    with translation.override("zh-hans"):
        out = create(monkeypatch, "emil", "--role", "station_chief", "--unit", "350203-LQ")
    assert out.startswith("已创建用户 emil（所长），单位 350203-LQ"), out
    assert "station_chief" not in out


def test_access_says_role_labels_to_a_person_and_keeps_codes_in_its_list(monkeypatch, units):
    from pingan.core.models import Role

    create(monkeypatch, "root1", "--role", "admin", stdin="Adm1n-pass-one\n")
    create(monkeypatch, "fred", "--role", "officer", "--unit", "350203-LQ")
    out, listed = StringIO(), StringIO()
    with translation.override("zh-hans"):
        call_command("access", "request", "--as", "root1", "--user", "fred", "--role", Role.STATION_CHIEF,
                     "--reason", "晋升", stdout=out)
        call_command("access", "list", stdout=listed)
    assert "角色 民警 -> 所长" in out.getvalue(), out.getvalue()
    assert "\tuser fred: role officer -> station_chief\trequested by root1" in listed.getvalue(), listed.getvalue()


def password(monkeypatch, *args: str, stdin: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = StringIO()
    call_command("changepassword", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_changepassword_is_pingans_and_speaks_the_users_language(monkeypatch, units):
    """Django's own ``changepassword`` wrote English no catalogue holds ("Changing password for user …") under a
    Chinese locale; ``pingan changepassword`` is pingan's, said through the catalogue."""
    from django.core.management import get_commands

    assert get_commands()["changepassword"] == "pingan.core"
    create(monkeypatch, "gina", "--role", "landlord")
    with translation.override("zh-hans"):
        assert password(monkeypatch, "gina", stdin="n3w-Secret-pass\n") == "已修改 gina 的密码\n"
        with pytest.raises(CommandError, match=r"^请设置更强的密码。.*密码"):
            password(monkeypatch, "gina", stdin="abc\n")
        with pytest.raises(CommandError, match=r"^没有用户 'nobody'$"):
            password(monkeypatch, "nobody", stdin="n3w-Secret-pass\n")
    assert User.objects.get(username="gina").check_password("n3w-Secret-pass")
    assert password(monkeypatch, "gina", stdin="an0ther-Secret\n") == "the password of gina is changed\n"


def test_changepassword_asks_twice_on_a_terminal_and_changes_nothing_when_they_differ(monkeypatch, units):
    create(monkeypatch, "hugo", "--role", "landlord")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["first-Secret-1", "other-Secret-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match=r"^the two passwords differ; the password of hugo is unchanged$"):
        call_command("changepassword", "hugo", stdout=StringIO())
    assert User.objects.get(username="hugo").check_password("s3cret-pass")


def test_a_citizen_account_without_an_identity_is_said_to_be_unable_to_book(monkeypatch, units):
    """Issue 11's trial: `pingan user create t_cit --role citizen` said nothing, and the account learnt only on
    pressing 预约 that it has no real-name identity. The command warns (standard error), in the reader's language."""
    for lang, said in (("en", "warning: cara has no real-name identity"), ("zh-hans", "警告：dora 没有实名信息")):
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
        out, err = StringIO(), StringIO()
        with translation.override(lang):
            call_command("user", "create", "cara" if lang == "en" else "dora", "--role", "citizen",
                         "--password-stdin", stdout=out, stderr=err)
        assert said in err.getvalue() and "/citizen/register/" in err.getvalue(), err.getvalue()
    err = StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    call_command("user", "create", "ann", "--role", "landlord", "--password-stdin", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""
