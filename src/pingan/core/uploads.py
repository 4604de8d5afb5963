"""Request bodies over the limit are refused before they are read (issue 12: a 200 MB upload was read
whole, to disk, before the 20 MB roster limit applied).

:class:`UploadLimitMiddleware` answers ``413 Content Too Large`` (RFC 9110 §15.5.14) from the request's
``Content-Length`` alone, so nothing of such a body is read or stored; Django reads at most
``Content-Length`` bytes of any body, so a body cannot be longer than the header says. The limit is
``PINGAN_MAX_REQUEST_BYTES`` (default: the 20 MiB roster limit plus 1 MiB for the rest of a multipart form).
The API answers a problem document (``upload_too_large``, with ``limit`` in bytes), pages a page saying the
limit. A proxy or WSGI server in front should refuse such bodies too (nginx ``client_max_body_size``,
waitress ``max_request_body_size``): they read the body before Django sees the request.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from pingan.core.request_log import note_reason

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f}"


class UploadLimitMiddleware:
    """Refuse a request whose declared body exceeds ``settings.PINGAN["MAX_REQUEST_BYTES"]``. Placed after
    the authentication middleware (its page has the user and the language) and before anything reads the
    body (CSRF does, in ``process_view``, after every middleware's ``__call__``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _BODY_METHODS:
            limit = settings.PINGAN["MAX_REQUEST_BYTES"]
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size > limit:
                return self.refuse(request, size, limit)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, size: int, limit: int) -> HttpResponse:
        detail = (f"the request body is {size:,} bytes ({_mb(size)} MiB); the limit is {limit:,} bytes "
                  f"({_mb(limit)} MiB): split the roster into several files")
        note_reason(request, f"upload_too_large: {detail}")
        if request.path.startswith("/api/"):
            body = {"type": "https://pingan.invalid/problems/upload_too_large", "title": "upload too large",
                    "status": 413, "detail": detail, "code": "upload_too_large", "limit": limit, "size": size}
            response = HttpResponse(json.dumps(body), status=413, content_type="application/problem+json")
        else:
            response = TemplateResponse(request, "core/upload_too_large.html",
                                        {"size_mb": _mb(size), "limit_mb": _mb(limit),
                                         "back": request.path}, status=413).render()
        # (the unread body: the WSGI server drains it or closes the connection; an application may not set
        # Connection itself, PEP 3333)
        return response
