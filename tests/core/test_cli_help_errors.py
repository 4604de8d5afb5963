"""``pingan`` as a first-time user meets it (issue 11): its own help, and failures told in one line.

A trial found ``pingan --help`` (and ``pingan``, ``pingan help``) printing Django's bare list of every
management command, ``sendtestemail`` and ``squashmigrations`` included; and a failed ``pingan code verify``
ending with ``CommandError: …``, other commands with a traceback. Run in a subprocess like a user runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class

from pingan.core.command import GROUPS, PinganCommand

pytestmark = pytest.mark.smoke

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """An install whose database is prepared: a failure here is one line, and a command that reads the database
    on a first run says first that it prepares it (that line is tests/core/test_first_run.py's)."""
    path = tmp_path_factory.mktemp("pingan-cli")
    assert run(path, "migrate").returncode == 0
    return path


def run(data_dir, *args, lang="en", stdin=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_", "LC_", "LANG"))}
    env.update(PINGAN_DATA_DIR=str(data_dir), PINGAN_LANGUAGE=lang)
    return subprocess.run([sys.executable, "-m", "pingan.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, input=stdin, cwd=cwd)


def project_commands() -> set[str]:
    return {name for name, app in get_commands().items() if app.startswith("pingan")}


def test_every_pingan_command_tells_its_failures_the_same_way():
    for name in project_commands():
        command = load_command_class(get_commands()[name], name)
        assert isinstance(command, PinganCommand), name


def test_the_help_lists_every_pingan_command_and_only_real_ones():
    listed = [name for _title, commands in GROUPS for name, _line in commands]
    assert len(listed) == len(set(listed))
    assert project_commands() <= set(listed), project_commands() - set(listed)
    assert set(listed) <= set(get_commands()), set(listed) - set(get_commands())


@pytest.mark.parametrize("args", [(), ("help",), ("--help",), ("-h",)], ids=["bare", "help", "--help", "-h"])
def test_pingan_help_is_the_projects_own_grouped_by_task(data_dir, args):
    r = run(data_dir, *args)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for heading in ("Run and try it", "Screening", "Safety codes", "Alerts", "Dispatch", "Anti-fraud", "Statistics",
                    "Case property", "Citizen services", "Accounts", "Administration and maintenance"):
        assert f"\n{heading}\n" in out, heading
    assert re.search(r"^  code +issue, verify and revoke safety codes", out, re.M)
    assert "help <command>" in out and "<command> --help" in out and "help --all" in out
    for internal in ("sendtestemail", "squashmigrations", "startproject", "axes_reset"):
        assert internal not in out
    assert not CJK.search(out)


def test_the_help_speaks_chinese_under_a_chinese_locale(data_dir):
    out = run(data_dir, "help", lang="zh_CN.UTF-8").stdout
    assert "运行与演示" in out and "批量筛查" in out and "平安码" in out and "管理与维护" in out
    assert re.search(r"^  code +签发、核验、撤销平安码", out, re.M)
    assert "Run and try it" not in out and "issue, verify and revoke" not in out


def test_djangos_full_list_and_a_commands_help_stay_reachable(data_dir):
    r = run(data_dir, "help", "--all")
    assert r.returncode == 0 and "sendtestemail" in r.stdout and "[pingan]" not in r.stdout.split("\n")[0]
    r = run(data_dir, "help", "code")
    assert r.returncode == 0 and "usage:" in r.stdout and "{issue,verify,revoke,reviews,keys}" in r.stdout
    r = run(data_dir, "code", "--help")
    assert r.returncode == 0 and "{issue,verify,revoke,reviews,keys}" in r.stdout


def one_line_failure(r, command: str) -> str:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr and "CommandError" not in r.stderr and "Error:" not in r.stderr, r.stderr
    # the colon after the command is the language's (issue 11: "pingan evidence verify: 请给出…"): full-width before
    # a Chinese message, ": " before an English one; the command's words stay as typed
    chinese = CJK.search(lines[0]) is not None if lines else False
    assert len(lines) == 1 and lines[0].startswith(f"pingan {command}{'：' if chinese else ': '}"), r.stderr
    return lines[0]


def test_a_failed_code_verify_is_one_line_on_standard_error_in_the_users_language(data_dir):
    """A trial read the verdict twice, on standard output and again on standard error; the fresh-user trial then
    read 2–3 lines on standard output with no ``pingan code:`` prefix, the Chinese ending in an English
    technical line. A code that is not valid is a failure like any other (README, "Commands"): one line on
    standard error, ``pingan code verify: <what the verdict means>``, exit status 1, the verdict said once (issue
    11: "伪造或被篡改：此码被篡改或伪造" said it twice); the technical words only with ``--verbose``; ``--json``
    keeps the API's form on standard output."""
    r = run(data_dir, "code", "verify", "PA1:xx")
    line = one_line_failure(r, "code verify")
    assert r.stdout == "" and line.startswith("pingan code verify: This is not a complete safety code")
    assert "not a safety code:" not in line and "prefix" not in line and "Technical" not in line, line
    r = run(data_dir, "code", "verify", "PA1:xx", lang="zh_CN.UTF-8")
    line = one_line_failure(r, "code verify")
    assert r.stdout == "" and line.startswith("pingan code verify：这不是完整的平安码。"), line
    assert "技术细节" not in line and "该码无效" not in line and "不是有效的平安码" not in line
    # everything after the prefix and the code text quoted in it is Chinese: no English technical words
    said = line.removeprefix("pingan code verify：").replace("PA1:", "")
    assert not re.search(r"[A-Za-z]{3,}", said), said
    r = run(data_dir, "code", "verify", "--verbose", "PA1:xx", lang="zh_CN.UTF-8")
    lines = r.stderr.strip().splitlines()
    assert (r.returncode, r.stdout) == (1, "") and lines[-1] == line and any("技术细节" in x for x in lines[:-1])
    r = run(data_dir, "code", "verify", "--json", "PA1:xx")
    assert (r.returncode, r.stderr) == (1, "") and json.loads(r.stdout)["status"] == "malformed", r


def test_a_code_verify_that_cannot_check_anything_is_a_failure_with_status_1(data_dir, tmp_path):
    """Issue 11: a missing file or a non-image exited 2 (argparse's usage status) where the README says a
    failure exits 1; the line began "pingan code:" without saying which subcommand failed."""
    r = run(data_dir, "code", "verify", "--from", str(tmp_path / "missing.txt"))
    assert (r.returncode, r.stdout) == (1, ""), r
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("pingan code verify: ") and "missing.txt" in r.stderr
    r = run(data_dir, "code", "verify", str(tmp_path / "door.png"))
    assert (r.returncode, r.stdout) == (1, "") and "door.png" in r.stderr, r
    (tmp_path / "notes.txt").write_text("not an image")
    r = run(data_dir, "code", "verify", str(tmp_path / "notes.txt"))
    assert (r.returncode, r.stdout) == (1, "") and r.stderr.startswith("pingan code verify: "), r


def test_a_rule_the_command_did_not_catch_a_file_it_cannot_write_neither_show_a_traceback(data_dir, tmp_path):
    # the dispatch demo's rule errors, an unwritable file, an unknown account: one line each, exit status 1
    line = one_line_failure(run(data_dir, "antifraud", "export-rpz", str(tmp_path / "no" / "zone.rpz")),
                            "antifraud export-rpz")
    assert "zone.rpz" in line and "does not exist; check the path" in line
    assert "no user 'nobody'" in one_line_failure(run(data_dir, "token", "list", "nobody"), "token list")
    # a missing argument is a usage error (status 2, tests/core/test_cli_usage.py), said after the usage line
    r = run(data_dir, "evidence", "verify", lang="zh-hans")
    assert r.returncode == 2, r
    assert r.stderr.strip().splitlines()[-1] == "pingan evidence verify 用法错误：请给出物品标签或 --all", r.stderr


def test_a_missing_or_wrong_argument_is_said_in_the_users_language(data_dir):
    """argparse's own messages (its gettext domain has no Chinese) came out in English under a Chinese locale."""
    r = run(data_dir, "user", "create", "x", lang="zh_CN.UTF-8")
    assert r.returncode == 2 and r.stderr.startswith("用法：pingan user create"), r.stderr
    assert r.stderr.rstrip().endswith("pingan user create 用法错误：缺少必需的参数：--role"), r.stderr
    assert "usage" not in r.stderr and "error" not in r.stderr and "required" not in r.stderr
    r = run(data_dir, "code", "verify", "--json", "--from", lang="zh_CN.UTF-8")
    assert "参数 --from：需要一个值" in r.stderr, r.stderr
    r = run(data_dir, "user", "create", "x")
    assert r.stderr.rstrip().endswith("pingan user create: error: the following arguments are required: --role")
