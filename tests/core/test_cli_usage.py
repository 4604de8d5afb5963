"""Every ``pingan`` command tells a usage error the same way (README, "Commands": 0 done, 1 a failure, 2 a usage
error — a missing, unknown or malformed option or argument).

Issue 11's trial: an unknown command exited 1; ``pingan code verify`` with no code exited 1 where ``pingan screen``
with no roster exited 2; ``pingan serve --port 8767`` was refused. And a malformed date given to ``pingan audit
search --since`` escaped argparse as a traceback (a ``CommandError`` raised from a ``type``). Checked over the
whole command tree: each command and subcommand refuses an unknown option, and every option that takes a typed
value (a number, a date) a malformed one, with argparse's usage error; the checks a command makes itself (a
missing code, options that do not go together, a port out of range) are usage errors too — status 2, the usage
line, then ``pingan <command>: error: …`` (``pingan <command> 用法错误：…``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.utils import translation
from test_cli_help_errors import run

from pingan.core.command import UsageError
from pingan.screening.management.commands.serve import listen_address

CJK_USAGE = "用法错误："


def project_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app.startswith("pingan"))


def command_tree() -> list[tuple[str, ...]]:
    """``(command, subcommand, …)`` for every command and each of its subcommands, leaves and inner nodes."""
    out: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
        out.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk((*path, name), sub)

    for name in project_commands():
        walk((name,), load_command_class(get_commands()[name], name).create_parser("pingan", name))
    return out


def parser_for(path: tuple[str, ...]) -> argparse.ArgumentParser:
    """The parser of ``pingan <path>`` as the command line builds it (its errors exit rather than raise)."""
    command = load_command_class(get_commands()[path[0]], path[0])
    command._called_from_command_line = True
    parser = command.create_parser("pingan", path[0])
    for name in path[1:]:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


def parse_error(path: tuple[str, ...], args: list[str]) -> tuple[int, str]:
    """``(exit status, standard error)`` of parsing ``pingan <path> <args>`` from the command line."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        parser_for(path[:1]).parse_args([*path[1:], *args])
    return exited.value.code, err.getvalue()


TREE = command_tree()


def test_the_tree_holds_every_command_and_their_subcommands():
    names = {path[0] for path in TREE}
    assert names == set(project_commands())
    assert {("code", "verify"), ("risk", "import", "watchlist"), ("stats", "report"), ("serve",)} <= set(TREE)


@pytest.mark.parametrize("path", TREE, ids=" ".join)
def test_an_unknown_option_is_a_usage_error(path):
    with translation.override("en"):
        status, said = parse_error(path, ["--no-such-option"])
    assert status == 2, said
    # argparse says it: the option (the command's parser collects what its subcommands did not know), or what is
    # missing before it is even looked at (the subcommand's parser)
    last = said.strip().splitlines()[-1]
    assert said.startswith(f"usage: pingan {path[0]}") and last.startswith(f"pingan {path[0]}") and ": error: " in last
    # or, once pingan.cli has installed its check for options no command has (33c096eb; in a full run an earlier
    # test has), that check's own words
    assert ("unrecognized arguments: --no-such-option" in last or "arguments are required" in last
            or "there is no option --no-such-option" in last), said


def typed_options() -> list[tuple[tuple[str, ...], str, str]]:
    """``(path, option, malformed value)`` for every option across the tree whose value has a type (an int, a
    float, a date …), the plain strings and paths aside."""
    out = []
    for path in TREE:
        for action in parser_for(path)._actions:
            if not action.option_strings or action.type in (None, str) or action.nargs == 0:
                continue
            if getattr(action.type, "__name__", "") in ("Path", "PurePath"):
                continue
            out.append((path, action.option_strings[-1], "not-a-value"))
    return out


@pytest.mark.parametrize(("path", "option", "value"), typed_options(),
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v))
def test_a_malformed_value_is_a_usage_error_not_a_traceback(path, option, value):
    with translation.override("en"):
        status, said = parse_error(path, [option, value])
    assert status == 2, said
    assert "error: argument " in said and option in said and "Traceback" not in said, said


def test_the_malformed_date_of_the_trial_is_said_as_a_date(tmp_path):
    with translation.override("zh-hans"):
        status, said = parse_error(("audit", "search"), ["--since", "2026-13-40"])
    assert status == 2 and "“2026-13-40”不是日期（YYYY-MM-DD）" in said, said
    with translation.override("en"):
        status, said = parse_error(("stats", "rollup"), ["--from", "yesterday"])
    assert status == 2 and "“yesterday” is not a date (YYYY-MM-DD)" in said, said


def roster(tmp_path) -> str:
    path = tmp_path / "roster.csv"
    path.write_text("姓名,证件号码\n张三,110101199003078515\n", encoding="utf-8")
    (tmp_path / "moves.txt").write_text("x", encoding="utf-8")
    return str(path)


#: What commands check themselves: each a missing or malformed argument, or options that do not go together.
OWN_CHECKS = [
    (("code", "verify"), "give a code"),
    (("code", "keys", "rotate"), "--issuer must be the code of a unit"),
    (("code", "issue", "1", "--poster", "door.png"), "the file name must end in .pdf"),
    (("worker", "--concurrency", "0"), "--concurrency must be at least 1"),
    (("worker", "--interval", "0"), "--interval must be more than 0 seconds"),
    (("worker", "--kind", "nosuch"), "--kind nosuch: no such job kind"),
    (("evidence", "verify"), "name item labels or --all"),
    (("stats", "import", "bureau"), "the file is required"),
    (("stats", "report"), "give a unit code"),
    (("stats", "report", "--all-units"), "--all-units needs --as-of"),
    (("alerts", "worker", "--partitions", "0"), "give --partitions of at least 1"),
    (("alerts", "worker", "--partitions", "2", "--partition", "2"), "give --partitions of at least 1"),
    (("alerts", "jurisdictions", "areas.geojson", "--map", "oops"), "--map oops: give KEY=UNITCODE pairs"),
    (("risk", "import", "watchlist", "csv"), "the file or folder is required"),
    (("screen", "{roster}", "--out", "result.txt"), "the file name must end in .csv, .xlsx or .parquet"),
    (("screen", "{roster}", "--out", "{roster}"), "is the roster itself"),
    (("screen", "{roster}", "--spark-master", "local[2]"), "--spark-master and --spark-conf need --engine spark"),
    (("screen", "{roster}", "--movements", "{dir}/moves.txt"), "not a .parquet or .csv file"),
    (("serve", "--port", "0"), "0 is not a port"),
    (("serve", "--port", "70000"), "70000 is not a port"),
    (("serve", "127.0.0.1:8767", "--port", "8768"), "not both"),
    (("serve", "localhost:http"), "is not an address and port"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "said"), OWN_CHECKS, ids=[" ".join(a) for a, _s in OWN_CHECKS])
def test_what_a_command_checks_itself_is_a_usage_error_too(tmp_path, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    args = [a.format(roster=roster(tmp_path), dir=tmp_path) for a in args]
    with translation.override("en"), pytest.raises(UsageError) as refused:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2 and said in str(refused.value), str(refused.value)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pingan-cli-usage")


def test_a_command_line_usage_error_is_said_as_argparse_says_its_own(data_dir):
    """The trial's pair: ``pingan code verify`` with no code (1 before) and ``pingan screen`` with no roster."""
    for lang, error in (("en", ": error: "), ("zh_CN.UTF-8", " " + CJK_USAGE)):
        r = run(data_dir, "code", "verify", lang=lang)
        assert (r.returncode, r.stdout) == (2, ""), r
        lines = r.stderr.strip().splitlines()
        assert lines[0].startswith(("usage: pingan code verify", "用法：pingan code verify")), r.stderr
        assert lines[-1].startswith(f"pingan code verify{error}"), r.stderr
        r = run(data_dir, "screen", lang=lang)
        assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith(f"pingan screen{error}"), r.stderr
    assert "Traceback" not in r.stderr


def test_the_chinese_usage_error_reads_as_chinese(data_dir):
    """Issue 11: "pingan screen：错误：…", argparse's "prog: error:" word for word."""
    r = run(data_dir, "screen", lang="zh_CN.UTF-8")
    last = r.stderr.strip().splitlines()[-1]
    assert last == "pingan screen 用法错误：缺少必需的参数：roster", r.stderr
    assert "：错误：" not in r.stderr


def test_an_unknown_command_is_a_usage_error(data_dir):
    r = run(data_dir, "nosuchcmd")
    assert (r.returncode, r.stdout) == (2, "") and "there is no command nosuchcmd" in r.stderr, r
    r = run(data_dir, "help", "nosuchcmd")
    assert r.returncode == 2, r


EVERY = "0.0.0.0"  # noqa: S104 - what a user types to serve every interface: parsed here, never bound


@pytest.mark.parametrize(("opts", "address"), [
    ({}, ("127.0.0.1", 8000)),
    ({"addrport": "127.0.0.1:8767"}, ("127.0.0.1", 8767)),
    ({"addrport": "8767"}, ("127.0.0.1", 8767)),
    ({"addrport": f"{EVERY}:8767"}, (EVERY, 8767)),
    ({"addrport": "[::1]:8767"}, ("::1", 8767)),
    ({"port": 8767}, ("127.0.0.1", 8767)),
    ({"host": EVERY, "port": 8767}, (EVERY, 8767)),
    ({"host": EVERY}, (EVERY, 8000)),
])
def test_serve_takes_the_address_either_way(opts, address):
    assert listen_address({"addrport": None, "host": None, "port": None, **opts}) == address


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_port_starts_the_site_on_that_port(data_dir):
    """The trial's command line, ``pingan serve --port 8767`` (a free port here), serves the site."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_", "LC_", "LANG"))}
    env.update(PINGAN_DATA_DIR=str(data_dir), PINGAN_LANGUAGE="en")
    server = subprocess.Popen([sys.executable, "-m", "pingan.cli", "serve", "--port", str(port), "--no-worker",
                               "--no-alerts"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/verify/", timeout=5) as response:
                    status = response.status
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, server.poll()
    finally:
        os.killpg(server.pid, signal.SIGINT)  # the server and its children: this test's own process group
        try:
            out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            out, err = server.communicate()
    assert f"http://127.0.0.1:{port}/" in out, (out, err)


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "pingan serve: port {port} is already in use: choose another port with --port (e.g. --port {other}) "
           "or stop the program that uses it"),
    ("zh_CN.UTF-8", "pingan serve：端口 {port} 已被占用：请用 --port 换一个端口（例如 --port {other}），"
                    "或先停止占用它的程序。"),
])
def test_serve_on_a_port_in_use_says_so_before_starting_anything(data_dir, lang, said):
    """Issue 11's trial: ``pingan serve --port 8790`` with the port taken printed "网站服务器（uvicorn，ASGI）：
    http://127.0.0.1:8790/" as if started, then uvicorn's English "ERROR: [Errno 98] … address already in use",
    and exited with status 3. Now: nothing announced, one line in the user's language saying what to do, status 1."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        r = run(data_dir, "serve", "--port", str(port), lang=lang)
    assert (r.returncode, r.stdout) == (1, ""), r
    assert r.stderr.strip() == said.format(port=port, other=port + 1), r.stderr
    assert "Errno" not in r.stderr and "uvicorn" not in r.stderr
