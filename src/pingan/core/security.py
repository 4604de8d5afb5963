"""Browser-side hardening (issue 12, item 14): the Content-Security-Policy and the session idle time-out.

HTTPS redirect and HSTS are Django's own (``SecurityMiddleware``, switched on in production by
``config.settings``); this module adds what Django 5.2 lacks.

**CSP.** With ``PINGAN["CSP"]`` on (the default in production, ``PINGAN_CSP``), every response without a
policy of its own gets :func:`policy`: scripts only from the site itself or an inline ``<script>`` carrying
the request's nonce (``{{ request.csp_nonce }}``; the verify page's module), no plugins, no framing, forms
only to the site, no ``<base>``. Inline ``style`` attributes stay allowed (the pages colour levels with
them); the one inline event handler (the language switch's ``onchange``) is allowed by its hash.

**Idle time-out.** A signed-in session unused for ``PINGAN["SESSION_IDLE_SECONDS"]`` (30 minutes), or older
than ``SESSION_COOKIE_AGE`` since its sign-in (12 hours), is signed out before the request is handled: the
request proceeds as anonymous (a page asks to sign in, the API answers 401). The last-use time is written at
most once a minute, not on every request.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

from django.conf import settings
from django.contrib.auth import logout

#: Inline event handlers the templates use, allowed by hash ('unsafe-hashes'); ``templates/base.html``.
INLINE_HANDLERS = ("this.form.submit()",)
#: How often the session's last use is written (seconds).
TOUCH_EVERY = 60


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(nonce: str) -> str:
    """The Content-Security-Policy header value for a response whose inline scripts carry ``nonce``."""
    handlers = " ".join(_sha256(h) for h in INLINE_HANDLERS)
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' {handlers}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


class ContentSecurityPolicyMiddleware:
    """Give each request a nonce (``request.csp_nonce``) and each response the site's CSP (when on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if settings.PINGAN.get("CSP") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy(request.csp_nonce)
        return response


class SessionIdleMiddleware:
    """Sign out a session idle longer than ``PINGAN["SESSION_IDLE_SECONDS"]`` or older than
    ``SESSION_COOKIE_AGE`` since it was first used after sign-in. After ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            seen, since = session.get("_seen"), session.get("_since")
            idle_limit = int(settings.PINGAN.get("SESSION_IDLE_SECONDS", 1800))
            if (seen is not None and now - seen > idle_limit) or (
                    since is not None and now - since > settings.SESSION_COOKIE_AGE):
                logout(request)  # flushes the session; the request goes on as anonymous
            else:
                if since is None:
                    session["_since"] = now
                if seen is None or now - seen >= TOUCH_EVERY:
                    session["_seen"] = now
        return self.get_response(request)
