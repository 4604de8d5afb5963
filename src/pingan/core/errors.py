"""Domain errors raised by services and selectors; the API and pages translate them to responses.

The API shows ``message`` (English) as the RFC 9457 ``detail`` with the stable ``code``; pages show the
message that :func:`pingan.core.error_messages.page_message` builds, in the user's language, from
``message_id`` and ``params``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def localised(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """``params`` for a message in ``language``: a parameter that has a Chinese form travels as ``name`` (English,
    what the API's ``detail`` says) beside ``name_zh``; a Chinese message takes ``name_zh`` for ``name``.

    A parameter that is itself a message — ``{"code": …, "params": {…}, "text": English}``, e.g. why a file
    could not be read (``pingan.screening.roster.RosterError.as_param``) inside "the import failed: …" — is
    rendered from its code's template (``pingan.core.jobs.failure_message``) in the active language; ``text``
    when its code has none. A list is joined as the language lists it (``core.texts.join``: ``甲、乙`` /
    ``a, b``): a raise passes the list itself, never a string it joined (issue 11: an English message listed
    a file's headers with ``、``)."""
    from pingan.core.texts import join  # lazy: texts imports Django's translation

    out = dict(params)
    if language.lower().startswith("zh"):
        out.update({k[:-3]: v for k, v in params.items() if k.endswith("_zh") and v})
    for key, value in out.items():
        if isinstance(value, list | tuple):  # a list (headers, codes, choices) as the language lists it
            out[key] = join(value, language=language or None, when_none="en")
            continue
        if isinstance(value, Mapping) and "code" in value and "params" in value:
            from pingan.core.jobs import failure_message  # lazy: core.jobs imports this module

            out[key] = failure_message(value["code"], value["params"], value.get("text", ""))
    return out


class DomainError(Exception):
    """A business rule was broken.

    ``code`` is stable (snake_case) and is what API clients branch on; ``message`` is for people (English,
    the API's ``detail``); ``extra`` holds further problem-detail members for the API. ``params`` carries the
    specifics of the message as plain values (premises name, adcode, file name, lengths, a ``Choices``
    member) so that a page can say the same thing in the user's language; ``message_id`` names which of the
    page messages of ``pingan.core.error_messages`` this is, and defaults to ``code`` — give one only where
    a code has more than one message (the ``PermissionDenied`` rules, a text that is empty or too long).
    """

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None,
                 params: Mapping[str, Any] | None = None, message_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}
        self.params = dict(params or {})
        self.message_id = message_id or self.code


#: The longest free text a person writes on a decision: a note on what the police checked, a reason for a level
#: change, a correction request and its outcome (characters).
TEXT_LIMIT = 2000


def outside_text(value: str | None, *, field: str, field_zh: str, allow_newlines: bool = False) -> str:
    """Text a person typed into a form or an API field, checked by :mod:`pingan.lib.textchars`: zero-width
    characters (copy-paste) removed; ``DomainError`` ``control_character`` for a control, bidirectional-formatting
    or line-separator character (``params``: ``field``/``field_zh`` — what the field is called, ``chars`` as
    ``U+XXXX`` and ``positions`` 1-based, every one, and their number ``n``: ``textchars.named``), which would
    change how the text shows on pages, in downloads and on terminals (issue 11); message id
    ``control_character_mark`` (``mark``) for the ``⟨U+XXXX⟩`` a form shown again writes in such a character's
    place (``core.forms.refilled``), sent back undeleted.
    ``allow_newlines``: a multi-line text (a note) may hold line breaks."""
    from pingan.lib import textchars

    value = textchars.strip_invisible(value or "")
    found = textchars.find_all_unsafe(value, allow_newlines=allow_newlines)
    if found:  # every one named, not only the first (issue 11: a name holding U+202E and an ESC)
        raise DomainError(f"the {field} holds {textchars.described(found)}; type it again without such characters",
                          code="control_character",
                          params={"field": field, "field_zh": field_zh, **textchars.named(found)})
    if "⟨U+" in value and (mark := _SHOWN_MARK.search(value)):  # a refilled form sent back unchanged
        raise DomainError(f"the {field} still holds {mark.group()}, the mark of a refused character; delete it",
                          code="control_character", message_id="control_character_mark",
                          params={"field": field, "field_zh": field_zh, "mark": mark.group()})
    return value


#: How a form shown again writes a refused character (``pingan.lib.textchars.SHOWN``, ``core.forms.refilled``).
_SHOWN_MARK = re.compile(r"⟨U\+[0-9A-F]{4,6}⟩")


def required_text(value: str | None, *, what: str, code: str, too_long: str, limit: int = TEXT_LIMIT) -> str:
    """``value`` stripped; ``DomainError`` ``code`` when it is empty, and the same code with message id
    ``too_long`` when it is longer than ``limit`` characters (``params``: ``length``, ``limit``). ``what`` names
    the text in the English ``message`` ("a note on what was checked"); pages say it by ``code`` / ``too_long``
    (``core.error_messages``). The one check behind the screening and safety-code notes."""
    value = outside_text(value, field="text", field_zh="文字", allow_newlines=True).strip()
    if not value:
        raise DomainError(f"{what} is required", code=code)
    if len(value) > limit:
        raise DomainError(f"{what} is {len(value)} characters; the limit is {limit}", code=code,
                          message_id=too_long, params={"length": len(value), "limit": limit})
    return value


class NotFound(DomainError):
    """The object does not exist, or the actor may not see it (the two are not distinguished)."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The actor's role does not allow this action at all."""

    code = "permission_denied"
    status = 403


class Gone(DomainError):
    """The object existed but what was asked for has been deleted on purpose, for good (HTTP 410 Gone,
    RFC 9110 §15.5.11): e.g. a screening job's person data after its retention period."""

    code = "gone"
    status = 410


class Conflict(DomainError):
    """The request does not fit the object's current state, and may once it changes (HTTP 409 Conflict,
    RFC 9110 §15.5.10): e.g. the results of a screening that is still running."""

    code = "conflict"
    status = 409
