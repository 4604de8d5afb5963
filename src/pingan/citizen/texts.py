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
        return (gettext("one of: %(names)s") % {"names": texts.join(names)})
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


#: The 240-hour transit check's conditions (``citizen.transit``), registered as ``transit.<code>``.
TRANSIT_TEMPLATES = {
    "country_listed": _("Citizens of %(country)s may use 240-hour visa-free transit."),
    "country_not_listed": _("%(country)s is not one of the 55 countries of 240-hour visa-free transit: a visa is "
                            "needed."),
    "country_not_yet": _("Citizens of %(country)s may use 240-hour visa-free transit only from %(since)s."),
    "document_valid": _("A valid international travel document."),
    "document_required": _("A valid international travel document (passport) is needed."),
    "onward_third_country": _("Onward ticket with confirmed date and seat, from %(from)s on to %(to)s: a third "
                              "country or region."),
    "onward_not_confirmed": _("An onward ticket with a confirmed date and seat is needed, bought before entry."),
    "onward_to_china": _("The onward journey must leave China for a third country or region."),
    "onward_back_to_origin": _("Going back to %(country)s, where the journey came from, is not transit: the "
                               "onward ticket must be to a third country or region."),
    "port_listed": _("%(port)s is a port of 240-hour visa-free transit."),
    "port_unknown": _("This check does not know whether %(port)s is one of the 60 ports (it lists 24 of them): "
                      "ask the border inspection."),
    "port_not_yet": _("%(port)s takes 240-hour visa-free transit only from %(since)s."),
    "stay_within": _("Leaving by %(deadline)s: within 240 hours from 00:00 of the day after entry."),
    "stay_too_long": _("The stay must end by %(deadline)s: 240 hours from 00:00 of the day after entry."),
    "exit_before_entry": _("The exit time is before the entry time."),
    "area_permitted": _("%(area)s is inside the permitted area."),
    "area_outside": _("%(area)s is outside the area where transit travellers may stay."),
    "area_not_yet": _("%(area)s is a permitted area only from %(since)s."),
    "area_unknown": _("This check does not know the permitted area of %(area)s's province: ask the border "
                      "inspection."),
    "area_required": _("Say where you will stay."),
    "purpose_allowed": _("The purpose (%(purpose)s) is allowed: tourism, business, visits and family."),
    "purpose_needs_visa": _("%(purpose)s needs a visa, as work, study and journalism do."),
    "purpose_unknown": _("Unknown purpose of stay %(purpose)s."),
}


#: Purposes of a transit stay (``citizen.transit``).
TRANSIT_PURPOSES = {"tourism": _("tourism"), "business": _("business"), "visit": _("visit"), "family": _("family"),
                    "work": _("work"), "study": _("study"), "journalism": _("journalism")}


def register() -> None:
    texts.register(TEMPLATES)
    texts.register({f"transit.{code}": template for code, template in TRANSIT_TEMPLATES.items()})


def finding_text(f: Mapping[str, Any]) -> str:
    return texts.render({"code": f["code"], "params": {**f.get("params", {}), "article": f.get("article", "")}})
