"""``pingan`` under a Chinese locale, as issue 11's new user met it: an unknown command, a file that is not
there, the result file ``pingan screen`` writes — all said in the user's language; a missing file named on
``pingan code verify`` is a missing file, not a malformed code."""

from __future__ import annotations

import errno
import re

import pytest
from django.utils import translation
from test_cli_help_errors import one_line_failure, run

from pingan.codes.management.commands.code import _looks_like_a_file
from pingan.core.command import os_error, os_error_text, unknown_command

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """An install whose database is prepared (the first-run line is tests/core/test_first_run.py's): the
    refusals here are one line whichever command first opens the database."""
    path = tmp_path_factory.mktemp("pingan-cli-files")
    assert run(path, "migrate").returncode == 0
    return path


def test_an_unknown_command_is_said_in_the_users_language(data_dir):
    r = run(data_dir, "nosuchcmd", lang="zh_CN.UTF-8")
    assert r.returncode == 2 and r.stdout == "", r  # a usage error (README, "Commands")
    # the last line (a first run says before it that it prepares the database)
    assert re.fullmatch(r"pingan：没有 nosuchcmd 这个命令：\S*pingan help 会列出所有命令", r.stderr.splitlines()[-1]), \
        r.stderr
    assert "Unknown command" not in r.stderr and "Type" not in r.stderr
    r = run(data_dir, "scren", lang="zh_CN.UTF-8")
    assert "没有 scren 这个命令，您要找的是不是 screen？" in r.stderr, r.stderr
    r = run(data_dir, "help", "scren")
    assert r.returncode == 2 and "there is no command scren; did you mean screen?" in r.stderr, r.stderr


def test_a_missing_file_is_missing_not_a_malformed_code(data_dir, tmp_path):
    for missing in (tmp_path / "codes.txt", tmp_path / "door"):
        r = run(data_dir, "code", "verify", str(missing), lang="zh_CN.UTF-8")
        assert (r.returncode, r.stdout) == (1, ""), r
        assert r.stderr == f"pingan code verify：{missing}：没有这个文件，请检查路径\n", r.stderr
    r = run(data_dir, "code", "verify", str(tmp_path / "codes.txt"))
    assert r.stderr.strip() == f"pingan code verify: {tmp_path / 'codes.txt'}: there is no such file; check the path", \
        r.stderr


def test_a_file_the_system_refuses_is_said_in_the_users_language(data_dir, tmp_path):
    target = tmp_path / "no" / "zone.rpz"
    line = one_line_failure(run(data_dir, "antifraud", "export-rpz", str(target), lang="zh_CN.UTF-8"),
                            "antifraud export-rpz")
    assert line == f"pingan antifraud export-rpz：{target}：文件夹 {target.parent} 不存在，请检查路径", line


def test_os_errors_in_either_language():
    exc = FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/y.csv")
    with translation.override("zh-hans"):
        assert os_error(exc) == "/x/y.csv：文件夹 /x 不存在，请检查路径"  # what to do (test_cli_missing_files.py)
        assert os_error(PermissionError(errno.EACCES, "Permission denied", "/x/y.csv")) == "/x/y.csv：没有权限"
        assert os_error_text(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
        assert os_error_text(OSError(errno.EIO, "Input/output error")) == "Input/output error"  # none of its own
        assert unknown_command("scren").startswith("没有 scren 这个命令，您要找的是不是 screen？")
    with translation.override("en"):
        assert os_error(exc) == "/x/y.csv: the folder /x does not exist; check the path"


@pytest.mark.parametrize(("text", "path"), [
    ("codes.txt", True), ("/tmp/door", True), ("~/poster", True), ("door.PNG", True), ("missing.pdf", True),
    ("6BFOXN*TS0BI$ZD.V94C5M-+QQ6A", False), ("6BFOXN*TS0BI$ZD.V9/4C5M-+QQ6A", False), ("xx", False),
])
def test_what_looks_like_a_path(text, path):
    assert _looks_like_a_file(text) is path


def test_python_dash_m_pingan_is_the_pingan_command(data_dir):
    """Issue 11's trial ran ``python -m pingan …`` as the README's shell without the entry point would: "No module
    named pingan.__main__"."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_", "LC_", "LANG"))}
    env.update(PINGAN_DATA_DIR=str(data_dir), PINGAN_LANGUAGE="zh-hans")
    r = subprocess.run([sys.executable, "-m", "pingan", "screen"], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 2 and r.stderr.rstrip().endswith("pingan screen 用法错误：缺少必需的参数：roster"), r
