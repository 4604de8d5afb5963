"""API authentication: a bearer API token (``Authorization: Bearer pa_…``) or the session (same-origin pages).

Either way the request's purpose of use (``core.audit``) is set here: the ``X-Purpose`` header when the request
names one (it must be a known purpose code), else the token's purpose, else the one declared at sign-in — except
in an app whose actions fix their purpose (``audit.FIXED_PURPOSES``: an alert is acknowledged for responding to
alerts, whatever the token says), which :func:`fixed_purposes` applies to each of the app's endpoints.
"""

from __future__ import annotations

import functools

from ninja.security import HttpBearer, SessionAuth

from pingan.core import audit
from pingan.core.errors import DomainError
from pingan.core.services import token_authenticate_full


def _request_purpose(request, default: str) -> str:
    """The request's ``X-Purpose`` (a purpose code), else ``default``; ``DomainError`` for an unknown code."""
    asked = (request.headers.get("X-Purpose") or "").strip()
    if not asked:
        return default
    if asked not in audit.PURPOSES:
        raise DomainError(f"X-Purpose {asked[:40]!r} is not a purpose of use; use one of "
                          f"{', '.join(sorted(audit.PURPOSES))}", code="bad_purpose",
                          extra={"purposes": sorted(audit.PURPOSES)},
                          params={"purpose": asked[:40], "choices": sorted(audit.PURPOSES)})
    return asked


class TokenAuth(HttpBearer):
    """Bearer token auth: the request acts as the token's account, and nothing more."""

    def authenticate(self, request, token):
        found = token_authenticate_full(token)
        if found is None:
            return None
        request.user = found.user
        audit.set_purpose(_request_purpose(request, found.purpose))
        return found.user


class PurposeSessionAuth(SessionAuth):
    """Session auth (same-origin pages calling the API); an ``X-Purpose`` header overrides the session's.

    The CSRF check applies to requests that carry a session cookie; one without (a script with a wrong
    token, or none) is simply not signed in: 401, not a CSRF failure.
    """

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            audit.set_purpose(_request_purpose(request, request.session.get("purpose", "")))
        return user


api_auth = [TokenAuth(), PurposeSessionAuth()]


def fixed_purposes(router):
    """Each endpoint of ``router`` records under the purpose fixed for its app (``audit.fixed_purpose`` of the
    handler's module, looked up per request), for the accounts of units; others keep the declared one.
    Returns ``router``; call it before ``api.add_router``."""
    from pingan.core.models import UNIT_ROLES

    def wrap(fn):
        @functools.wraps(fn)
        def run(request, *args, **kwargs):
            code = audit.fixed_purpose(fn.__module__)
            if code and getattr(getattr(request, "auth", None), "role", None) in UNIT_ROLES:
                audit.set_purpose(code)
            return fn(request, *args, **kwargs)

        return run

    for view in router.path_operations.values():
        for op in view.operations:
            op.view_func = wrap(op.view_func)
    return router
