"""A file given to a command that is not there: the path, what is missing and what to do (issue 11's trial:
"roster.csv：文件不存在" said nothing of what to do). Every command that reads a file says it the same way in
both languages — the path as given, "check the path", and for a relative path the current folder it was looked
for in; a path whose folder is missing names that folder."""

from __future__ import annotations

import errno
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from test_cli_help_errors import one_line_failure, run

from pingan.core.command import missing_path, os_error

#: Every command and option that reads a file, with a relative path that is not there (``{roster}``: one that is).
READERS = [
    ("screen", "missing.csv"),
    ("screen", "{roster}", "--rules", "missing.toml"),
    ("screen", "{roster}", "--movements", "missing.parquet"),
    ("risk", "import", "movements", "missing.csv"),
    ("risk", "import", "nhc", "missing"),
    ("risk", "import", "watchlist", "csv", "missing.csv"),
    ("risk", "partition", "missing.parquet", "parts"),
    ("code", "verify", "missing.png"),
    ("code", "verify", "--from", "missing.txt"),
    ("stats", "import", "bureau", "missing.csv"),
    ("stats", "import", "chicago-crimes", "missing.csv"),
    ("alerts", "jurisdictions", "missing.geojson"),
    ("antifraud", "amlsim", "--folder", "missing"),
    ("audit", "verify", "--checkpoints", "missing.jsonl"),
    ("audit", "verify", "--public-key", "missing.pem"),
    ("generate", "out", "--listings", "missing.parquet"),
]

#: … and every one that writes into a folder that is not there.
WRITERS = [
    ("screen", "{roster}", "--out", "nofolder/result.csv"),
    ("code", "issue", "1", "--poster", "nofolder/door.pdf"),
]


def said(args, tmp_path, monkeypatch, language) -> str:
    monkeypatch.chdir(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,证件号码\n张三,110101199003078515\n", encoding="utf-8")
    args = [a.format(roster=roster) for a in args]
    with translation.override(language), pytest.raises(CommandError) as failed:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.returncode == 1, str(failed.value)
    return str(failed.value)


@pytest.mark.django_db
@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_missing_file_names_the_path_and_says_what_to_do(args, tmp_path, monkeypatch):
    missing = next(a for a in args if a.startswith("missing"))
    zh = said(args, tmp_path, monkeypatch, "zh-hans")
    assert f"{missing}：没有这个文件" in zh and "请检查路径" in zh and f"（当前文件夹是 {tmp_path}）" in zh, zh
    assert "文件不存在" not in zh
    en = said(args, tmp_path, monkeypatch, "en")
    assert f"{missing}: there is no such file" in en and "check the path" in en, en
    assert f" (the current folder is {tmp_path})" in en, en


@pytest.mark.django_db
@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_missing_folder_to_write_into_is_named(args, tmp_path, monkeypatch):
    zh = said(args, tmp_path, monkeypatch, "zh-hans")
    assert "文件夹 nofolder 不存在，请检查路径" in zh and f"（当前文件夹是 {tmp_path}）" in zh, zh
    en = said(args, tmp_path, monkeypatch, "en")
    assert "the folder nofolder does not exist; check the path" in en, en


def test_an_absolute_path_names_the_first_missing_folder_and_no_current_folder(tmp_path):
    with translation.override("zh-hans"):
        assert missing_path(tmp_path / "r.csv") == f"{tmp_path / 'r.csv'}：没有这个文件，请检查路径"
        assert missing_path(tmp_path / "a" / "b" / "r.csv") == \
            f"{tmp_path / 'a' / 'b' / 'r.csv'}：文件夹 {tmp_path / 'a'} 不存在，请检查路径"
    with translation.override("en"):
        assert missing_path(tmp_path / "d", folder_ok=True) == f"{tmp_path / 'd'}: there is no such file or folder; " \
                                                               "check the path"
        exc = FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "no" / "zone.rpz"))
        assert os_error(exc) == f"{tmp_path / 'no' / 'zone.rpz'}: the folder {tmp_path / 'no'} does not exist; " \
                                "check the path"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pingan-cli-missing")


def test_the_trials_roster_on_the_command_line(data_dir, tmp_path):
    """``pingan screen roster.csv`` where there is none: one line, the path, what to do, where it looked."""
    r = run(data_dir, "screen", "roster.csv", lang="zh_CN.UTF-8", cwd=tmp_path)
    line = one_line_failure(r, "screen")
    assert line == f"pingan screen：roster.csv：没有这个文件，请检查路径（当前文件夹是 {tmp_path}）", line
