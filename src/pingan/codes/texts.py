"""The codes app's message templates: why a code was issued (``SafetyCode.cause``), rendered in the reader's
language from the code and parameters stored with it. Registered with :func:`pingan.core.texts.register`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def _reevaluation(p: Any) -> str:
    n = int(p.get("changed", 0) or 0)
    return ngettext("re-issued after new risk data (%(dataset)s) changed the level of %(changed)s person of "
                    "screening job %(job)s",
                    "re-issued after new risk data (%(dataset)s) changed the level of %(changed)s people of "
                    "screening job %(job)s", n) % {**p, "changed": n}


TEMPLATES: dict[str, Any] = {
    "code_cause.screening": _("issued automatically from screening job %(job)s under the published rule"),
    "code_cause.manual": _("re-issued on request from screening job %(job)s under the published rule"),
    "code_cause.release": _("issued after the police checked the roster of screening job %(job)s"),
    "code_cause.override": _("level set by an approved level change (request %(override)s)"),
    "code_cause.reevaluation": _reevaluation,
}
