"""Every form field in the templates has a label (issue 11, fresh-user trial: the code queues' note fields
“核查了什么（必填）”, “审批意见”, “驳回理由” had only a placeholder, gone once typing starts, and the level-change
select had no label at all): inside a <label>, named by a <label for>, or aria-label(ledby)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def unlabelled(text: str) -> list[str]:
    found = []
    for m in FIELD.finditer(text):
        attrs = m.group(2)
        kind = re.search(r'\btype="([^"]+)"', attrs)
        if (kind and kind.group(1) in UNLABELLED_TYPES) or re.search(r"\baria-label(ledby)?=", attrs):
            continue
        before = text[:m.start()]
        if before.rfind("<label") > before.rfind("</label>"):
            continue  # inside a <label>
        ident = re.search(r'\bid="([^"]+)"', attrs)
        if ident and f'for="{ident.group(1)}"' in text:
            continue
        found.append(m.group(0)[:120])
    return found


def test_the_checker_finds_a_field_with_only_a_placeholder():
    assert unlabelled('<form><input name="note" placeholder="审批意见"><button>OK</button></form>')
    assert not unlabelled('<label>审批意见 <input name="note"></label><label for="x">X</label><select id="x">')


def test_every_field_with_a_placeholder_or_a_choice_has_a_label():
    bad = {}
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        text = path.read_text()
        for field in unlabelled(text):
            if "placeholder=" in field or field.startswith("<select"):
                bad.setdefault(str(path.relative_to(SRC)), []).append(field)
    assert not bad, bad
