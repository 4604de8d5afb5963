"""Every ``pingan`` command speaks the user's language (issue 11).

A trial under a Chinese locale read ``pingan demo``, the demos' closing guide (``core.demoguide``) and ``pingan
risk …`` in English, while ``pingan stats report`` and ``pingan screen`` were Chinese. ``pingan`` activates the
language from ``PINGAN_LANGUAGE`` or the locale (``pingan.cli.language``); every line a command writes for a
person goes through the catalogue. Machine-readable output (``--json``, tab-separated lists, ``key=value``
counters, SQL) keeps its stable form in every language.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import translation
from page_language import zh_typography

from pingan.core.command import PinganCommand
from pingan.core.demoguide import Suggest, Visit, guide

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
COMMANDS = [*sorted(SRC.glob("*/management/commands/*.py")), SRC / "core" / "demoguide.py"]
CJK = re.compile(r"[\u4e00-\u9fff]")
#: An English word in a literal (format names like PDF or CSV are not words of a language).
WORD = re.compile(r"\b(?=[A-Za-z]*[a-z])[A-Za-z]{3,}\b")
#: A comment that says why a line keeps a fixed form: read by scripts, data as stored, a command line, SQL.
FIXED = re.compile(r"#.*(stable|scripts read|\(data\)|as stored|cron logs|as it is typed|SQL)", re.I)


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_literal(node.left) or "") + (_literal(node.right) or "")
    return None


def untranslated(path: Path) -> list[str]:
    """Lines that write (or raise) a literal with English words without the catalogue: the first argument of
    ``….write``, ``w``, ``write``, ``_say``, ``CommandError`` and ``UsageError`` is a string or f-string literal."""
    source = path.read_text(encoding="utf-8")
    lines, found = source.splitlines(), []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name not in ("write", "w", "_say", "CommandError", "UsageError"):
            continue
        first = node.args[0]
        if name == "CommandError" and isinstance(first, ast.Attribute) and first.attr == "message":
            # a DomainError's message is the API's English detail: command_error(exc) says it (issue 11)
            found.append(f"{path.relative_to(SRC)}:{node.lineno}: CommandError(….message)")
            continue
        text = _literal(first)
        if text is None or not WORD.search(re.sub(r"--[a-z-]+", "", text)):
            continue
        if FIXED.search("\n".join(lines[max(0, node.lineno - 4):node.end_lineno])):
            continue
        found.append(f"{path.relative_to(SRC)}:{node.lineno}: {text[:80]!r}")
    return found


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: p.stem)
def test_no_command_writes_english_past_the_catalogue(path):
    assert untranslated(path) == []


def test_the_check_finds_an_english_line(tmp_path):
    module = tmp_path / "c.py"
    module.write_text('def handle(self, n):\n    self.stdout.write(f"imported {n} rows")\n'
                      '    self.stdout.write(_("imported %(n)s rows") % {"n": n})\n'
                      '    for x in n:  # tab-separated, stable words (scripts read it)\n'
                      '        self.stdout.write(f"{x}\\tactive")\n\n\n\n    raise CommandError("no such file")\n'
                      '    raise CommandError(exc.message)\n',
                      encoding="utf-8")
    global SRC
    keep, SRC = SRC, tmp_path
    try:
        assert [line.split(": ", 1)[0] for line in untranslated(module)] == ["c.py:2", "c.py:9", "c.py:10"]
    finally:
        SRC = keep


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def untranslated_help(command, name: str) -> list[str]:
    """The texts of ``pingan <name> [<sub> …] --help`` — the command's description, each subcommand's and option's
    help, argparse's headings and Django's own options — that are not Chinese under ``zh-hans``."""
    found = []
    with translation.override("zh-hans"):
        for path, parser in _parsers(command.create_parser("pingan", name)):
            where = " ".join((name, *path))
            texts = [parser.description, *(group.title for group in parser._action_groups)]
            for action in parser._actions:
                texts.append(action.help)
                if isinstance(action, argparse._SubParsersAction):
                    texts += [choice.help for choice in action._choices_actions]
                    described = {choice.dest for choice in action._choices_actions if choice.help}
                    found += [f"{where} {sub}: no help" for sub in action.choices if sub not in described]
                elif action.help is None:  # issue 11: `token create --help` listed `username` and `name` bare
                    found.append(f"{where} {'/'.join(action.option_strings) or action.dest}: no help")
            found += [f"{where}: {str(text)[:70]!r}" for text in texts
                      if text and text != argparse.SUPPRESS and not CJK.search(str(text))]
            shown = parser.format_help()
            found += [f"{where}: {heading!r} in --help" for heading in ("usage:", "options:", "positional arguments")
                      if heading in shown]
            # Chinese typography of the whole text as printed (issue 11's second trial: argparse's "参数:", "选项:")
            found += [f"{where}: {problem}" for line in shown.splitlines() for problem in zh_typography(line)]
    return found


PINGAN_COMMANDS = sorted(name for name, app in get_commands().items()
                         if app.startswith("pingan") or name == "changepassword")


@pytest.mark.parametrize("name", PINGAN_COMMANDS)
def test_every_commands_help_is_chinese_under_a_chinese_locale(name):
    """A trial read ``pingan <command> --help`` in English under a Chinese locale (some 150 option texts)."""
    assert untranslated_help(load_command_class(get_commands()[name], name), name) == []


def test_the_help_check_finds_an_english_option():
    class Command(PinganCommand):
        help = "Does things."

        def add_arguments(self, parser):
            sub = parser.add_subparsers(dest="action")
            sub.add_parser("go", help="go somewhere").add_argument("--far", help="how far")

    assert [line.split(":")[0] + ":" + line.rsplit("'", 2)[-2] for line in untranslated_help(Command(), "x")] == [
        "x:Does things.", "x:go somewhere", "x go:how far"]


def test_argparses_headings_end_in_a_chinese_colon_under_a_chinese_locale():
    """Issue 11's second trial: ``pingan <command> --help`` under zh read "参数:" and "选项:" (argparse writes the
    colon after our translated heading)."""
    from pingan.screening.management.commands.screen import Command

    with translation.override("zh-hans"):
        shown = Command().create_parser("pingan", "screen").format_help()
    assert "\n选项：\n" in shown and "选项:" not in shown and "参数:" not in shown
    with translation.override("en"):
        assert "\noptions:\n" in Command().create_parser("pingan", "screen").format_help()


@pytest.mark.django_db
def test_the_demo_guide_is_chinese_under_a_chinese_locale(cast):
    out: list[str] = []
    with translation.override("zh-hans"):
        guide(out.append, accounts=["landlord_a"], passwords={"landlord_a": "once-only"},
              suggest=[Suggest("officer", "350203-LQ", "demo_officer")],
              visits=[Visit("/screening/", ("landlord_a",), "x"), Visit("/verify/", (), "y")])
    text = "\n".join(out)
    assert "下一步：在浏览器中试用" in text and "启动网站" in text and "仅显示这一次" in text
    assert "用 landlord_a 登录：x" in text and "/verify/  无需登录：y" in text
    for english in ("Next: try it", "start the site", "the accounts", "shown once", "open each page", " as ",
                    "anyone", "another role"):
        assert english not in text, english


@pytest.mark.django_db
def test_risk_and_code_say_it_in_chinese_and_keep_their_machine_forms(tmp_path):
    movements = tmp_path / "m.csv"
    movements.write_text("id_type,id_number,name,adcode,place,start,end,source\n"
                         "resident_id,110105197007077890,王芳,350203,某地,2022-08-10T09:00:00+08:00,"
                         "2022-08-10T10:00:00+08:00,t\n", encoding="utf-8")
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("risk", "import", "movements", str(movements), stdout=out)
        call_command("risk", "list", stdout=out)
        with pytest.raises(CommandError, match=r"^没有编号为 999 的数据集：pingan risk list"):
            call_command("risk", "reevaluate", "999")
        with pytest.raises(CommandError, match=r"^这不是完整的平安码。"):  # the failure's one line
            call_command("code", "verify", "PA1:xx", stdout=out)
        err = io.StringIO()
        with pytest.raises(CommandError):  # --verbose: the technical details before the line, on standard error
            call_command("code", "verify", "PA1:xx", "--verbose", stdout=out, stderr=err)
        json_out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("code", "verify", "PA1:xx", "--json", stdout=json_out)
    text = out.getvalue()
    assert "技术细节（供技术支持查看）：malformed (base45)" in err.getvalue(), err.getvalue()
    assert re.search(r"^已导入 m\.csv：1 行，数据集 \d+（", text, re.M), text
    assert re.search(r"^\d+\tmovements\tm\.csv\t1 rows\t0 rejected\tactive\t", text, re.M), text  # stable TSV
    assert "平安码" not in text  # a code that is not valid says nothing on standard output
    assert '"status": "malformed"' in json_out.getvalue()  # the JSON keeps the API's codes


@pytest.mark.django_db
def test_a_failed_user_create_is_chinese_too(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"^没有代码为 'NOPE' 的单位$"):
        call_command("user", "create", "someone", "--role", "officer", "--unit", "NOPE")
    with translation.override("zh-hans"), pytest.raises(CommandError, match="标准输入不是终端"):
        call_command("user", "create", "someone", "--role", "landlord")


@pytest.mark.django_db
def test_audit_search_keeps_its_tab_separated_lines_in_chinese(cast):
    from pingan.core import audit

    audit.record(cast.officer_a, "read", "Person", "p1", purpose="test")
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("audit", "search", "--actor", cast.officer_a.username, stdout=out)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert any(r[0].isdigit() and r[2] == cast.officer_a.username and r[5:8] == ["read", "Person:p1", "test"]
               and len(r) == 10 for r in rows), rows


def test_serves_supervisor_thread_speaks_the_commands_language():
    """``pingan serve``'s restart lines come from its watching thread, where the language pingan activated (per
    thread) was not: they came out in the site's default (Chinese) under PINGAN_LANGUAGE=en."""
    import sys
    import time

    from pingan.screening.management.commands.serve import Supervised, Supervisor

    said: list[str] = []
    with translation.override("en"):
        supervisor = Supervisor([Supervised("background worker", [sys.executable, "-c", "pass"])], write=said.append,
                                poll=0.05)
        supervisor.start()
        try:
            deadline = time.monotonic() + 60
            while not any("stopped with" in line for line in said) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            supervisor.stop()
    assert any(line.startswith("background worker (pid ") and "stopped with exit status 0; restarting in 1 s" in line
               for line in said), said
