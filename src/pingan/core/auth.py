"""API authentication: a bearer API token (``Authorization: Bearer pa_…``) or the session (same-origin pages)."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from pingan.core.services import token_authenticate


class TokenAuth(HttpBearer):
    """Bearer token auth: the request acts as the token's account, and nothing more."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api_auth = [TokenAuth(), SessionAuth()]
