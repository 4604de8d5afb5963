"""One Chinese term for one thing (issue 11): the catalogues said 排查 and 筛查 for screening, 名单比中, 布控名单比中
and 关注名单命中 for a watchlist hit, 关注名单 and 布控名单 for the watchlist — a reader could not tell they were
the same. The terms are those of docs/conventions.md ("Terms"): 筛查, 布控名单, 布控名单命中; the audit page
listed 预警人员 for the people the officers' pages call 重点人员."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
DOCS = Path(__file__).resolve().parents[2] / "docs"

#: rejected term → the one used instead
REJECTED = {"排查": "筛查", "名单比中": "布控名单命中", "关注名单": "布控名单", "静默比中": "布控名单命中",
            "静默命中": "布控名单命中",
            "预警人员": "重点人员"}


def translations(po: Path) -> list[tuple[int, str]]:
    """The Chinese of a catalogue, each msgstr with its line number (continuation lines joined)."""
    out, current, start = [], None, 0
    for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("msgstr"):
            current, start = [line.split('"', 1)[1].rsplit('"', 1)[0]], number
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        else:
            if current is not None:
                out.append((start, "".join(current)))
            current = None
    if current is not None:
        out.append((start, "".join(current)))
    return out


def rejected_in(text: str) -> list[str]:
    return [term for term in REJECTED if term in text]


CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)).split("/locale")[0] or "pingan")
def test_no_catalogue_says_a_rejected_term(po):
    found = [f"{po.relative_to(SRC)}:{n}: {term} (say {REJECTED[term]}): {text[:60]}"
             for n, text in translations(po) for term in rejected_in(text)]
    assert found == []


def test_no_template_or_module_says_a_rejected_term():
    found = []
    for path in [*SRC.glob("**/*.html"), *SRC.glob("**/*.py"), *SRC.glob("**/*.js"), *SRC.glob("**/*.toml")]:
        if "/migrations/" in str(path):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            said = line.split("#", 1)[0] if path.suffix == ".py" else line  # a comment may quote the old wording
            found += [f"{path.relative_to(SRC)}:{n}: {term}" for term in rejected_in(said)]
    assert found == []


def test_the_terms_are_written_down():
    conventions = (DOCS / "conventions.md").read_text(encoding="utf-8")
    for rejected, kept in REJECTED.items():
        assert re.search(rf"{kept}[^\n]*never[^\n]*{rejected}", conventions), (kept, rejected)


def test_the_check_finds_a_rejected_term(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "Screening"\nmsgstr "批量排查"\n\nmsgid "watchlist hit"\nmsgstr ""\n"名单"\n"比中"\n',
                  encoding="utf-8")
    assert [rejected_in(text) for _n, text in translations(po)] == [["排查"], ["名单比中"]]
