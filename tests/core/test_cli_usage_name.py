"""``pingan``'s usage says ``pingan``, and a command's help lists its own options only (issue 11's trial, F12).

Run as ``.venv/bin/pingan`` (the README installs without activating the environment), ``pingan --help`` said
"用法：.venv/bin/pingan <命令> [选项]" and "… .venv/bin/pingan help 会列出所有命令" where every command's own usage says
"pingan screen"; and ``pingan screen --help``, a landlord's tool, listed Django's --settings, --pythonpath,
--skip-checks, --force-color, --traceback … beside the roster's options. Those still work; no help lists them.
"""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

from pingan import cli
from pingan.core.command import DJANGO_OPTIONS


@pytest.fixture
def started_as_venv_script(tmp_path, monkeypatch):
    """``pingan`` started by a path, not found on ``PATH`` (``.venv/bin/pingan`` in the trial)."""
    script = tmp_path / ".venv" / "bin" / "pingan"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script)])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    yield
    translation.activate("zh-hans")


@pytest.mark.usefixtures("started_as_venv_script")
@pytest.mark.parametrize(("language", "usage"), [("en", "Usage: pingan <command> [options]"),
                                                 ("zh-hans", "用法：pingan <命令> [选项]")])
def test_the_usage_and_the_unknown_command_line_say_pingan(monkeypatch, capsys, language, usage):
    monkeypatch.setenv("PINGAN_LANGUAGE", language)
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert usage in out.splitlines(), out
    assert ".venv" not in out, out
    assert cli.main(["scren"]) == 2
    err = capsys.readouterr().err
    assert "pingan help" in err and ".venv" not in err, err


def project_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app.startswith("pingan"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_command_help_lists_djangos_generic_options(language):
    hidden = DJANGO_OPTIONS - {"--verbosity"}
    for name in project_commands():
        command = load_command_class(get_commands()[name], name)
        with translation.override(language):
            text = command.create_parser("pingan", name).format_help()
        listed = [option for option in hidden if option in text]
        assert not listed, (name, listed)
        assert ("--verbosity" in text) == ("--verbosity" not in command.suppressed_base_arguments), name
    with translation.override(language):
        screen = load_command_class(get_commands()["screen"], "screen").create_parser("pingan", "screen")
        assert "--verbosity" not in screen.format_help() and "--as-of" in screen.format_help()


def test_djangos_generic_options_still_work():
    parser = load_command_class(get_commands()["screen"], "screen").create_parser("pingan", "screen")
    opts = parser.parse_args(["roster.csv", "--traceback", "--settings", "pingan.config.settings", "--no-color",
                              "--skip-checks", "-v", "2"])
    assert (opts.traceback, opts.settings, opts.no_color, opts.skip_checks, opts.verbosity) == (
        True, "pingan.config.settings", True, True, 2)
