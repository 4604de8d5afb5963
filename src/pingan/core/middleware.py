"""Request middleware that sets the audit context (request id, client address, declared purpose)."""

from __future__ import annotations

import uuid

from pingan.core import audit


class AuditContextMiddleware:
    """Give every request an id (``X-Request-ID`` if the proxy set one) and record who asks from where.

    The purpose of reading personal data is chosen once per sign-in and kept in the session (``purpose``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = (request.headers.get("X-Request-ID") or "")[:64] or uuid.uuid4().hex
        purpose = ""
        if hasattr(request, "session"):
            purpose = request.session.get("purpose", "")
        token = audit.set_context(audit.AuditContext(
            request_id=rid, client_addr=request.META.get("REMOTE_ADDR", ""), purpose=purpose))
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        response["X-Request-ID"] = rid
        return response
