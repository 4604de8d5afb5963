"""Domain errors raised by services and selectors; the API and pages translate them to responses."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken. ``code`` is stable (snake_case), ``message`` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class NotFound(DomainError):
    """The object does not exist, or the actor may not see it (the two are not distinguished)."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The actor's role does not allow this action at all."""

    code = "permission_denied"
    status = 403
