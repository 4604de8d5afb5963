"""The codes app's message templates: why a code was issued (``SafetyCode.cause``), rendered in the reader's
language from the code and parameters stored with it. Registered with :func:`pingan.core.texts.register`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def _reevaluation(p: Any) -> str:
    n = int(p.get("changed", 0) or 0)
    return ngettext("re-issued after new risk data (%(dataset)s) changed the level of %(changed)s person of "
                    "the screening of %(job)s",
                    "re-issued after new risk data (%(dataset)s) changed the level of %(changed)s people of "
                    "the screening of %(job)s", n) % {**p, "changed": n}


TEMPLATES: dict[str, Any] = {
    "code_cause.screening": _("issued automatically from the screening of %(job)s under the published rule"),
    "code_cause.manual": _("re-issued on request from the screening of %(job)s under the published rule"),
    "code_cause.release": _("issued after the police checked the roster of %(job)s"),
    "code_cause.override": _("level set by an approved level change (%(override)s)"),
    "code_cause.reevaluation": _reevaluation,
}


def _when(model, field: str, template):
    """A reference (``pingan.core.texts.register_reference``) naming a record of ``model`` by its ``field``
    time: "requested on 2026-12-06 14:03"."""

    def describe(pk: int) -> str:
        from django.utils import timezone

        at = model.objects.filter(pk=pk).values_list(field, flat=True).first()
        return str(template) % {"when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")} if at else ""

    return describe


def references() -> dict[str, Any]:
    """The codes app's records as messages name them (no id): a level change, a police check, a correction
    request."""
    from pingan.codes.models import CodeReview, Dispute, LevelOverride

    return {"override": _when(LevelOverride, "requested_at", _("requested on %(when)s")),
            "review": _when(CodeReview, "created_at", _("opened on %(when)s")),
            "dispute": _when(Dispute, "created_at", _("of %(when)s"))}
