"""Texts of the citizen app's stored codes (``core.texts``): eligibility findings, notices to citizens, and the
names of documents (from the catalogue data, in Chinese and English)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pingan.core import texts


@cache
def _documents() -> dict[str, dict[str, str]]:
    from pingan.citizen.services import catalogue_data

    return catalogue_data()["documents"]


@cache
def _departments() -> dict[str, dict[str, str]]:
    from pingan.citizen.services import catalogue_data

    return catalogue_data()["departments"]


def document_label(code: str) -> str:
    """A document in the reader's language; ``any:a|b`` (one of several) as "a or b"."""
    if code.startswith("any:"):
        names = [document_label(c) for c in code[4:].split("|")]
        return (gettext("one of: %(names)s") % {"names": ("、" if texts.lang() == "zh" else "; ").join(names)})
    return texts.pick(_documents().get(code, {"en": code}))


def department_label(code: str) -> str:
    return texts.pick(_departments().get(code, {"en": code}))


def _missing(params: Mapping[str, Any]) -> str:
    names = [document_label(c) for c in params.get("missing", [])]
    return gettext("Application RP-%(application)s: documents missing — %(documents)s. Upload them all and the "
              "station reviews it.") % {"application": params.get("application", ""),
                                        "documents": ("；" if texts.lang() == "zh" else "; ").join(names)}


TEMPLATES = {
    # eligibility findings (citizen.rules)
    "residence_too_short": _("Half a year's residence in the city is needed (%(article)s): living here since "
                             "%(since)s, the half year is complete on %(met_on)s."),
    "unknown_basis": _("%(basis)s is not a basis for a residence permit (%(article)s)."),
    # notices
    "documents_missing": _missing,
    "permit_accepted": _("Application RP-%(application)s was accepted; the permit is issued by %(due_on)s."),
    "permit_issued": _("Application RP-%(application)s: your residence permit %(number)s is ready to collect."),
    "permit_rejected": _("Application RP-%(application)s was rejected: %(reason)s"),
    "endorsement_due": _("Endorse your residence permit (RP-%(application)s) between %(first)s and %(last)s; "
                         "it is free."),
    "endorsement_lapsed": _("The endorsement of your residence permit (RP-%(application)s) was due by %(last)s: "
                            "its functions are suspended until you endorse it."),
    "booking_tomorrow": _("Reminder: your appointment at %(counter)s is tomorrow, %(day)s at %(time)s. Bring "
                          "your ID card."),
    "no_show": _("You did not come to your appointment on %(day)s. Two missed appointments in a month suspend "
                 "booking for three months."),
    "booking_suspended": _("Booking is suspended until %(until)s after two missed appointments in a month."),
}


def register() -> None:
    texts.register(TEMPLATES)


def finding_text(f: Mapping[str, Any]) -> str:
    return texts.render({"code": f["code"], "params": {**f.get("params", {}), "article": f.get("article", "")}})
