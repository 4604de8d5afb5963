"""The text-message seam (短信): who sends a queued :class:`~pingan.citizen.models.SmsMessage`.

A sender is anything with ``name`` and ``send(phone, text)`` that returns on success and raises
:class:`SmsError` (or any exception) on failure. ``PINGAN_CITIZEN_SMS_SENDER`` chooses it: ``console`` (the
default) writes each message to the log ``pingan.citizen.sms`` with the number masked and sends nothing; any
other value is ``module:Class`` of a gateway adapter (constructed without arguments; its own settings come
from the environment), so a bureau plugs in its SMS gateway without changing this code.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Protocol

log = logging.getLogger("pingan.citizen.sms")


class SmsError(Exception):
    """The gateway refused or could not be reached; the message stays queued for another attempt."""


class Sender(Protocol):
    name: str

    def send(self, phone: str, text: str) -> None: ...


class ConsoleSender:
    """Writes the message to the log instead of sending it (the embedded default)."""

    name = "console"

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


def mask_phone(phone: str) -> str:
    """``138****5678``: the first 3 and last 4 digits."""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def sender() -> Sender:
    """The configured sender (``PINGAN_CITIZEN_SMS_SENDER``); ``ValueError`` naming the setting when it does
    not name one."""
    spec = os.environ.get("PINGAN_CITIZEN_SMS_SENDER", "").strip() or "console"
    if spec == "console":
        return ConsoleSender()
    module, _, cls = spec.partition(":")
    try:
        made = getattr(importlib.import_module(module), cls)()
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise ValueError(f"PINGAN_CITIZEN_SMS_SENDER={spec!r}: not 'console' or an importable "
                         f"'module:Class' ({exc})") from exc
    if not callable(getattr(made, "send", None)):
        raise ValueError(f"PINGAN_CITIZEN_SMS_SENDER={spec!r}: {cls} has no send(phone, text)")
    return made
