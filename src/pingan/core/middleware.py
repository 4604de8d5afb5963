"""Request middleware: the audit context (request id, client address, declared purpose), and the reason
a page refused a request (for the one-line client-error log, ``pingan.core.request_log``)."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pingan.core import audit
from pingan.core.request_log import note_reason


class AuditContextMiddleware:
    """Give every request pingan's own id and record who asks from where.

    The id is always generated here (a client cannot choose what the audit trail calls its request); a
    well-formed ``X-Request-ID`` from the client or its proxy is kept beside it as ``client_request_id``
    (``core.audit.clean_request_id``), a malformed one is dropped. The response carries pingan's id.
    The purpose of reading personal data is chosen once per sign-in and kept in the session (``purpose``);
    API tokens bring their own (``core.auth``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = uuid.uuid4().hex
        request.request_id = rid  # error pages show it, so a user can quote it to support
        purpose = ""
        if hasattr(request, "session"):
            purpose = request.session.get("purpose", "")
        token = audit.set_context(audit.AuditContext(
            request_id=rid, client_addr=request.META.get("REMOTE_ADDR", ""), purpose=purpose,
            client_request_id=audit.clean_request_id(request.headers.get("X-Request-ID"))))
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        response["X-Request-ID"] = rid
        return response


class ClientErrorMiddleware:
    """Note why a page view refused a request (``Http404``/``PermissionDenied``) for the one-line log.

    Django logs a 404 with no reason at all; this keeps the exception's message on the request, where
    :class:`pingan.core.request_log.ClientErrorFilter` finds it. The response is left to Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404 | PermissionDenied):
            note_reason(request, str(exception) or type(exception).__name__)
        return None
