"""An option a command does not have is said as such, for every command and subcommand (issue 11's trial).

``pingan screen --limit x roster.csv`` (``screen`` has no ``--limit``) read "x" as the roster and said
"无法识别的参数：--limit roster.csv" — the real roster named as the word not recognised, and nothing about the
option. Now the option is named as one the command does not have, with the nearest one it has and where its
options are listed; a word too many that is not an option keeps argparse's message.
"""

from __future__ import annotations

import argparse

import pytest
from django.utils import translation
from test_cli_help_errors import run
from test_cli_usage import TREE, parse_error, parser_for

from pingan.core import command


@pytest.fixture(autouse=True)
def speaking(monkeypatch):
    """argparse as ``pingan`` sets it up (``speak_argparse``), put back after each test."""
    for name in ("_", "ngettext"):
        monkeypatch.setattr(argparse, name, getattr(argparse, name))
    for name in ("_get_value", "_check_value", "parse_args"):
        monkeypatch.setattr(argparse.ArgumentParser, name, getattr(argparse.ArgumentParser, name))
    command.speak_argparse()


def filler(path: tuple[str, ...]) -> list[str]:
    """What ``pingan <path>`` (a leaf: no subcommand below it) requires: a value for each required positional, each
    required option and one option of each required group of options."""
    parser = parser_for(path)

    def value(action: argparse.Action) -> str:
        return str(next(iter(action.choices))) if action.choices else "1"

    required = [a for a in parser._actions if a.option_strings and a.required]
    required += [g._group_actions[0] for g in parser._mutually_exclusive_groups if g.required]
    out = [w for a in required for w in (a.option_strings[-1], *([value(a)] if a.nargs != 0 else []))]
    return out + [value(a) for a in parser._actions if not a.option_strings and a.nargs not in ("?", "*")]


LEAVES = [path for path in TREE
          if not any(isinstance(a, argparse._SubParsersAction) for a in parser_for(path)._actions)]


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_an_unknown_option_before_the_arguments_is_named_not_the_argument_after_it(path):
    """The trial's shape on every command: the unknown option, a value (taken for the first argument), then the
    command's real arguments."""
    args = [*path[1:], "--no-such-option", "x", *filler(path)]
    for lang, said in (("en", f"there is no option --no-such-option: pingan {' '.join(path)} --help lists the "
                               "options"),
                       ("zh-hans", f"没有选项 --no-such-option：pingan {' '.join(path)} --help 会列出所有选项")):
        with translation.override(lang):
            status, err = parse_error(path[:1], args)
        assert status == 2, err
        last = err.strip().splitlines()[-1]
        assert last.endswith(said), err
        assert "unrecognized" not in last and "无法识别" not in last, err


def test_the_trials_command_line(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,证件号码\n张三,110101199003078515\n", encoding="utf-8")
    r = run(tmp_path, "screen", "--limit", "x", str(roster), lang="zh_CN.UTF-8")
    assert (r.returncode, r.stdout) == (2, ""), r
    assert r.stderr.strip().splitlines()[-1] == ("pingan screen 用法错误：没有选项 --limit：pingan screen --help "
                                                 "会列出所有选项"), r.stderr
    assert "roster.csv" not in r.stderr


@pytest.mark.parametrize(("path", "args", "said"), [
    (("screen",), ["--outt", "r.csv", "roster.csv"],
     "there is no option --outt; did you mean --out? pingan screen --help lists the options"),
    (("audit",), ["search", "--limitt=3"],
     "there is no option --limitt; did you mean --limit? pingan audit search --help lists the options"),
    (("audit",), ["search", "--foo", "3", "--bar"],
     "there are no options --foo, --bar: pingan audit search --help lists the options"),
    (("screen",), ["a.csv", "b.csv"], "unrecognized arguments: b.csv"),
    (("screen",), ["a.csv", "-1"], "unrecognized arguments: -1"),
])
def test_the_nearest_option_several_options_and_a_word_too_many(path, args, said):
    with translation.override("en"):
        status, err = parse_error(path, args)
    assert status == 2 and err.strip().splitlines()[-1].endswith(f": error: {said}"), err
