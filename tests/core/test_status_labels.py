"""A status shown on its own — a table cell, a badge, a list item's state — reads as a label, not as the stored code
(issue 11: English tables showed "accepted", "pending", "open": the English labels are lower-case, so they read as
the codes). Every template shows a status, state, outcome, disposition or feedback label with ``|capfirst``
("Pending", "Accepted"; Chinese labels are unchanged); one said inside a sentence is passed to
``{% blocktranslate %}`` and stays as the sentence has it."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
SHOWN = re.compile(r"\{\{\s*[\w.]+\.get_(?:status|state|outcome|disposition|feedback)_display\s*(\|[^}]*)?\}\}")


def test_every_status_shown_on_its_own_is_a_label():
    bare = [f"{path.relative_to(SRC)}: {m.group(0)}" for path in SRC.rglob("templates/**/*.html")
            for m in SHOWN.finditer(path.read_text(encoding="utf-8")) if "capfirst" not in (m.group(1) or "")]
    assert not bare, bare


def test_a_label_reads_as_a_label_in_either_language():
    from pingan.antifraud.models import AppealStatus

    class Appeal:
        status = AppealStatus.PENDING

        def get_status_display(self):
            return AppealStatus(self.status).label

    template = Template("<td>{{ a.get_status_display|capfirst }}</td>")
    with translation.override("en"):
        assert template.render(Context({"a": Appeal()})) == "<td>Pending</td>"
    with translation.override("zh-hans"):
        assert "pending" not in template.render(Context({"a": Appeal()})).lower()
