"""argparse's own errors in the user's language, for every command and subcommand (issue 11's fresh-user trial).

A Chinese command line read "参数 --people：无效的 int 值：'x'" (half Chinese, half Python: the type's name and the
value quoted as Python writes it), "无效的选项：'foo'（可选：'duckdb', 'spark'）", "缺少必需的参数：action" (a dest no
usage line shows) and argparse's English for the messages pingan had not translated ("ignored explicit argument
'3'"). Now every message argparse can give a user goes through the catalogue (``ARGPARSE_MESSAGES``; its plural one
too), a wrong value is said as what it should be ("“x”不是整数"), choices are listed as the language lists them,
and argument names are said as the usage line writes them (what is typed). Checked over the whole command tree.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from test_cli_usage import TREE, parse_error, parser_for

from pingan.core import command
from pingan.core.command import ARGPARSE_DEVELOPER_MESSAGES, ARGPARSE_MESSAGES

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_-]+")


@pytest.fixture(autouse=True)
def speaking(monkeypatch):
    """argparse as ``pingan`` sets it up (``speak_argparse``), put back after each test."""
    for name in ("_", "ngettext"):
        monkeypatch.setattr(argparse, name, getattr(argparse, name))
    for name in ("_get_value", "_check_value"):
        monkeypatch.setattr(argparse.ArgumentParser, name, getattr(argparse.ArgumentParser, name))
    command.speak_argparse()


def argparse_messages() -> set[str]:
    """Every message of the running Python's argparse: the literals it passes to ``_`` and ``ngettext``."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_message_argparse_can_give_a_user_is_in_the_catalogue():
    plural = {"expected %s argument", "expected %s arguments"}  # its ngettext: command._argparse_plural
    left = argparse_messages() - set(ARGPARSE_MESSAGES) - ARGPARSE_DEVELOPER_MESSAGES - plural
    assert not left, f"argparse messages neither translated nor a programmer's mistake: {sorted(left)}"
    with translation.override("zh-hans"):
        for message in ARGPARSE_MESSAGES:
            assert re.search(r"[\u4e00-\u9fff]", str(ARGPARSE_MESSAGES[message])) or message == "%(prog)s", message
        assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) % 2 == "需要 2 个值"


def zh_error(path: tuple[str, ...], args: list[str]) -> str:
    """The error line of ``pingan <path> <args>`` under Chinese, after the usage line (which it checks)."""
    with translation.override("zh-hans"):
        status, said = parse_error(path, args)
    assert status == 2, said
    last = said.strip().splitlines()[-1]
    assert last.startswith(f"pingan {path[0]}") and "用法错误：" in last, said
    return last.split("用法错误：", 1)[1]


def assert_chinese(message: str, path: tuple[str, ...], given: list[str]) -> None:
    """Nothing English in ``message`` but what is typed: the usage line's words (options, metavars, choices,
    subcommands) and the values given; no quote or list as Python writes them."""
    parser = parser_for(path)
    typed = set(LATIN_WORD.findall(parser.format_usage())) | {w for g in given for w in LATIN_WORD.findall(g)}
    for action in parser._actions:
        typed |= {str(c) for c in action.choices or ()} | set(action.option_strings)
    english = [w for w in LATIN_WORD.findall(message) if w not in typed and w not in ("YYYY", "MM", "DD", "ISO")]
    assert not english, (message, english)
    assert "'" not in message and ", " not in message, message


def cases() -> list[tuple[tuple[str, ...], list[str]]]:
    """Per command and subcommand: a bogus subcommand, each typed option given a malformed value, each option and
    positional with choices given one not among them, and nothing at all (a required argument missing)."""
    out: list[tuple[tuple[str, ...], list[str]]] = []
    for path in TREE:
        parser = parser_for(path)
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            out.append((path, ["no-such-subcommand"]))
            continue
        positionals = [a for a in parser._actions if not a.option_strings and a.nargs not in ("?", "*")]
        filler = [str(next(iter(a.choices))) if a.choices else "x" for a in positionals]
        for action in parser._actions:
            if action.option_strings and action.nargs != 0 and action.type in (int, float):
                out.append((path, [*filler, action.option_strings[-1], "not-a-value"]))
            if action.option_strings and action.choices is not None:
                out.append((path, [*filler, action.option_strings[-1], "no-such-choice"]))
        if positionals:
            out.append((path, []))
        out += [(path, [*filler[:i], "no-such-choice"]) for i, a in enumerate(positionals) if a.choices]
    return out


@pytest.mark.parametrize(("path", "args"), cases(), ids=lambda v: " ".join(v) if isinstance(v, tuple | list) else v)
def test_argparse_errors_read_as_chinese_for_every_command(path, args):
    assert_chinese(zh_error(path, args), path, args)


@pytest.mark.parametrize(("path", "args", "said"), [
    (("demo",), ["--people", "x"], "参数 --people：“x”不是整数"),
    (("screen",), ["roster.csv", "--engine", "foo"], "参数 --engine：“foo”不在可选范围内：请给出 duckdb、spark 之一"),
    (("screen",), ["roster.csv", "--no-progress=3"], "参数 --no-progress：这个选项不带值，却给了“3”"),
    (("screen",), ["roster.csv", "--as-of", "2022-13-01"],
     "参数 --as-of：“2022-13-01”不是日期：请用 YYYY-MM-DD 或 ISO 8601 日期时间"),
    (("code",), ["bogus"], "没有子命令“bogus”：请给出 issue、verify、revoke、reviews、keys 之一"),
    (("code",), [], "缺少必需的参数：{issue,verify,revoke,reviews,keys}"),
    (("access", "request"), [], "缺少必需的参数："),
])
def test_the_trials_argparse_errors(path, args, said):
    assert zh_error(path, args).startswith(said)


def test_a_list_of_missing_arguments_is_listed_as_the_language_lists():
    with translation.override("zh-hans"):
        assert command._argparse_message("the following arguments are required: %s") % "--role, --unit" == \
            "缺少必需的参数：--role、--unit"
    with translation.override("en"):
        assert command._argparse_message("the following arguments are required: %s") % "--role, --unit" == \
            "the following arguments are required: --role, --unit"
        status, said = parse_error(("demo",), ["--people", "x"])
    assert status == 2, said
    assert said.strip().endswith("pingan demo: error: argument --people: “x” is not a whole number"), said
