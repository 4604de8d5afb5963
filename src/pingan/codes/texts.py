"""The codes app's message templates: why a code was issued (``SafetyCode.cause``), rendered in the reader's
language from the code and parameters stored with it. Registered with :func:`pingan.core.texts.register`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def _reevaluation(p: Any) -> str:
    from pingan.screening.labels import dataset_label  # the stored English name, in the reader's language

    n = int(p.get("changed", 0) or 0)
    p = {**p, "dataset": dataset_label(str(p.get("dataset", "")))}
    return ngettext("re-issued after new risk data (%(dataset)s) changed the level of %(changed)s person of "
                    "the screening of %(job)s",
                    "re-issued after new risk data (%(dataset)s) changed the level of %(changed)s people of "
                    "the screening of %(job)s", n) % {**p, "changed": n}


TEMPLATES: dict[str, Any] = {
    "code_cause.screening": _("issued automatically from the screening of %(job)s under the published rule"),
    "code_cause.manual": _("re-issued on request from the screening of %(job)s under the published rule"),
    "code_cause.release": _("issued after the police checked the roster of %(job)s"),
    # no brackets in brackets (issue 11: "(level set by an approved level change (requested on …))")
    "code_cause.override": _("level set by the police station: a level change %(override)s, approved"),
    "code_cause.reevaluation": _reevaluation,
}


def _when(model, field: str, template):
    """A reference (``pingan.core.texts.register_reference``) naming a record of ``model`` by its ``field``
    time: "requested on 2026-12-06 14:03"."""

    def describe(pk: int) -> str:
        from pingan.core.texts import moment

        at = model.objects.filter(pk=pk).values_list(field, flat=True).first()
        return str(template) % {"when": moment(at)} if at else ""

    return describe


def references() -> dict[str, Any]:
    """The codes app's records as messages name them (no id): a level change, a police check, a correction
    request."""
    from pingan.codes.models import CodeReview, Dispute, LevelOverride

    return {"override": _when(LevelOverride, "requested_at", _("requested on %(when)s")),
            "review": _when(CodeReview, "created_at", _("opened on %(when)s")),
            "dispute": _when(Dispute, "created_at", _("of %(when)s"))}


#: What each verdict (:class:`pingan.codes.token.Status`) is called, and what it means for the person holding
#: the phone and what to do (``%(name)s`` placeholders filled in by the reader): the verification page's script
#: (``views._verify_page_text``) and :func:`verdict` word them alike.
VERDICT_STATUS: dict[str, Any] = {
    "valid": _("valid"), "malformed": _("not a safety code"), "unknown_key": _("unknown issuer"),
    "bad_signature": _("forged or altered"), "revoked": _("revoked"), "not_yet_valid": _("not yet valid"),
    "expired": _("expired"),
}
VERDICT_EXPLAIN: dict[str, Any] = {
    "malformed": _("This is not a complete safety code. Scan the poster again, or paste all of the text "
                   "that starts with “%(prefix)s”."),
    "unknown_key": _("This code was not issued by a police unit this page knows. Do not rely on it; you "
                     "can report it to the local police station."),
    "bad_signature": _("This code was altered or forged: its seal does not match. Do not rely on it; you "
                       "can report it to the local police station."),
    # a revocation whose reason this version does not know (REVOKED_EXPLAIN says each known one)
    "revoked": _("This code was revoked (%(reason)s). Ask the premises for its current code."),
    "not_yet_valid": _("This code is valid only from %(from)s. Check the date and time of this device."),
    "expired": _("This code expired on %(until)s: the premises must screen its roster again."),
}

#: What a revoked code means, per revocation reason (:class:`pingan.codes.revocation.Reason`, lower-case names):
#: a code the system replaced after a new screening or a level change was not withdrawn by the police (the
#: fresh-user trial read "此码已被公安机关撤销（已按新的排查重新签发）" for a landlord's re-upload).
REVOKED_EXPLAIN: dict[str, Any] = {
    # the level need not have changed (issue 11: "新的风险数据改变了其等级" of a red code replaced by a red one)
    "rescreened": _("This code was issued on %(from)s; since then a newer code replaced it, after the premises' "
                    "roster was screened again or its people were checked against new risk data. The door should "
                    "show the new poster: ask the premises for its current code."),
    "overridden": _("This code was issued on %(from)s; since then an approved level change replaced it. The door "
                    "should show the new poster: ask the premises for its current code."),
    "suspended": _("This code is suspended until the police check the premises' new roster screening; until "
                   "they have, the premises has no valid code."),
    "fraud": _("The police revoked this code because it was obtained or used fraudulently. Do not rely on it."),
    "error": _("The police revoked this code because it was issued in error. Ask the premises for its current "
               "code."),
}


#: What a revoked code is called, per revocation reason: a code the system replaced reads "replaced by a newer
#: code", one withdrawn for a police check "suspended" — "revoked" (the police withdrew it) only where they did
#: (issue 11: the verification page headed a re-screened code "revoked" above "replaced by a newer code").
REVOKED_STATUS: dict[str, Any] = {
    "rescreened": _("replaced by a newer code"), "overridden": _("replaced by a newer code"),
    "suspended": _("suspended"), "fraud": _("revoked"), "error": _("revoked"),
}


#: The verdict a person reads first, before what it means (issue 11: a code that verified was never called
#: "valid" in words — only "yellow code · … · valid until …" — and a failure opened on its technical kind):
#: valid, not valid, revoked (the police withdrew it) or expired.
VERDICT_WORD: dict[str, Any] = {
    "valid": _("Valid"), "not_valid": _("Not valid"), "revoked": _("Revoked"), "expired": _("Expired"),
}


def verdict_headline(status: str, reason: str = "") -> str:
    """The verdict first, then why, in the active language (:data:`VERDICT_WORD`): "有效" / "Valid", "已撤销",
    "已过期", or "无效：已被新码取代" / "Not valid: replaced by a newer code" — a code the system replaced (a new
    screening or an approved level change) or suspended is not valid, it was not revoked by the police, and it
    is a complete code (issue 11: a superseded code must never read as "not a complete code"). ``status``: a
    :class:`pingan.codes.token.Status` value; ``reason``: a revoked code's reason (lower-case name)."""
    from pingan.core.texts import labelled

    if status in ("valid", "expired"):
        return str(VERDICT_WORD[status])
    if status == "revoked" and reason in ("fraud", "error"):
        return str(VERDICT_WORD["revoked"])
    # "not a safety code" after "not valid" says nothing more: its explanation says what to do
    why = REVOKED_STATUS.get(reason) if status == "revoked" else VERDICT_STATUS.get(status) \
        if status != "malformed" else None
    return labelled(VERDICT_WORD["not_valid"], why) if why else str(VERDICT_WORD["not_valid"])


def verdict(result) -> tuple[str, str]:
    """A verdict (:class:`pingan.codes.token.Verification`) in the active language, as the verification page
    words it (:data:`VERDICT_STATUS`, :data:`VERDICT_EXPLAIN`): (what it is — "expired", "forged or altered" …,
    what it means and what to do). Times are the bureau's (``TIME_ZONE``). The verifier's own ``reason`` is
    technical English, for support only."""
    from django.utils.translation import gettext

    from pingan.codes.models import REVOCATION_REASON_LABELS
    from pingan.codes.token import PREFIX, Status
    from pingan.core.texts import moment as when  # as a person reads it, in the bureau's time zone

    code = result.code
    status = str(VERDICT_STATUS[result.status.value])
    explain = str(VERDICT_EXPLAIN.get(result.status.value, ""))

    if result.status is Status.VALID:
        return status, gettext("valid until %(until)s") % {"until": when(code.expires_at)}
    if result.status is Status.MALFORMED:
        return status, explain % {"prefix": PREFIX}
    if result.status is Status.REVOKED:
        name = result.revocation.reason.name.lower() if result.revocation else ""
        if name in REVOKED_EXPLAIN:
            return str(REVOKED_STATUS[name]), str(REVOKED_EXPLAIN[name]) % {"from": when(code.issued_at)}
        return status, explain % {"reason": REVOCATION_REASON_LABELS.get(name, name)}
    if result.status is Status.NOT_YET_VALID:
        return status, explain % {"from": when(code.issued_at)}
    if result.status is Status.EXPIRED:
        return status, explain % {"until": when(code.expires_at)}
    return status, explain  # unknown_key, bad_signature: nothing to fill in


def verdict_sentence(result) -> str:
    """A verdict as one sentence for a person (``pingan code verify``, ``pingan demo``): what the verification
    page says under its heading — "This code is valid until …." or the explanation, which names the verdict
    itself (issue 11: "伪造或被篡改：此码被篡改或伪造…" and "valid: valid until …" said the verdict twice)."""
    from django.utils.translation import gettext

    from pingan.codes.token import Status
    from pingan.core.texts import labelled, moment

    if result.status is Status.VALID:
        return gettext("This code is valid until %(until)s.") % {"until": moment(result.code.expires_at)}
    status, explanation = verdict(result)
    reason = result.revocation.reason.name.lower() if result.status is Status.REVOKED and result.revocation else ""
    if reason in ("rescreened", "overridden"):  # "This code was issued on …" does not say it was replaced
        return labelled(status, explanation)
    return explanation


def code_number(code_id: str) -> str:
    """A code's number as people read it, on the poster and the command line alike: its hex id in capitals
    (``27844A4EE461DCD5``; issue 11: the poster said it in capitals, ``pingan code`` in small letters)."""
    return (code_id or "").upper()


#: Why a file holds no single readable code (:class:`pingan.codes.scan.ScanError`'s ``code``), in the reader's
#: language (issue 11: ``pingan code verify`` said "no readable QR code found…" in English under zh-Hans).
SCAN_ERRORS: dict[str, Any] = {
    "no_such_file": _("%(path)s: no such file"),
    "pdf_unopenable": _("%(path)s: starts like a PDF but cannot be opened (damaged or password-protected)"),
    "pdf_no_pages": _("%(path)s: the PDF has no pages"),
    "pdf_too_many_pages": _("%(path)s: the PDF has %(pages)s pages; a poster has one (at most %(max)s are "
                            "searched): extract the page with the code"),
    "not_an_image": _("%(path)s: neither a PDF nor an image file that can be opened (PNG, JPEG, …)"),
    "too_many_frames": _("%(path)s: the image has %(frames)s frames (at most %(max)s are searched)"),
    "frame_unreadable": _("%(path)s: frame %(frame)s of the image cannot be read"),
    "no_qr_pdf": _("%(path)s: no readable QR code found on any page (rendered at %(dpi)s dpi)"),
    "no_qr_image": _("%(path)s: no readable QR code found in the image"),
    "several_codes": _("%(path)s: %(count)s different QR codes found, and which one to verify cannot be "
                       "guessed: %(listing)s. Crop the file to the code meant, or pass the code text itself"),
}


def found_where(found) -> str:
    """Where a QR (:class:`pingan.codes.scan.FoundQr`) was found, in the reader's language."""
    from django.utils.translation import gettext

    if found.unit == "mm":
        return gettext("page %(page)s, %(x)s mm from the left and %(y)s mm from the top") % {
            "page": found.page, "x": found.x, "y": found.y}
    where = gettext("%(x)s px from the left and %(y)s px from the top") % {"x": found.x, "y": found.y}
    return gettext("frame %(frame)s, %(where)s") % {"frame": found.page, "where": where} if found.frames else where


def scan_error(exc) -> str:
    """A :class:`pingan.codes.scan.ScanError` in the reader's language (its English ``str()`` for an unknown
    code)."""
    from pingan.codes.scan import preview
    from pingan.core.texts import colon, separated

    if getattr(exc, "code", "") == "no_such_file":  # what to check, and where a relative path was looked for
        from pingan.core.command import missing_path

        return missing_path(exc.params["path"])
    template = SCAN_ERRORS.get(getattr(exc, "code", ""))
    if template is None:
        return str(exc)
    params = dict(exc.params)
    if "found" in params:
        said = colon(when_none="zh")  # as the listing's separator: Chinese when no language is active
        params["listing"] = separated(f"{found_where(f)}{said}{preview(f.text)}" for f in params.pop("found"))
    return str(template) % params
