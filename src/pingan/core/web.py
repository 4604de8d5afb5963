"""Page machinery shared by every app's views: the ``page`` decorator, where a ``next`` parameter may send the
browser, the page a form was sent from, and the police purpose-of-use redirect.

``page`` wraps a view so that an anonymous visitor goes to sign-in, a police user who has not declared a
purpose of use this session goes to ``/purpose/`` first (the purpose goes into every audit record), and a
:class:`~pingan.core.errors.NotFound` / :class:`~pingan.core.errors.PermissionDenied` from a selector or
service becomes a 404 / 403 page. Any other :class:`~pingan.core.errors.DomainError` a view lets through (a
value the form's own checks let pass, such as "abc" hours on the alerts terminal's duty form) is said in the
reader's language instead of a server error: after a POST as an error message on the page the form was on,
after a GET as the 400 page with that message and a way on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from pingan.core import audit, errorpages
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import POLICE_ROLES, SUBMITTER_ROLES, UNIT_ROLES


def safe_next(request: HttpRequest, value: str | None, default: str = "core:home") -> str:
    """``value`` when it is a path on this site (``/police/?page=2``), else the URL of ``default``.

    Refused, and replaced by ``default``: another host (``https://evil.example/``, ``//evil.example``,
    ``/\\evil.example``), any scheme (``javascript:``, ``data:``), control characters, and anything that is not
    an absolute path. Every view that redirects to a request-supplied URL goes through this.
    """
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and value.isprintable() \
            and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return value
    return resolve_url(default)


def form_page(request: HttpRequest) -> str:
    """The page the form was on (its ``Referer``) when it is on this site, else ``/``: where a refused POST goes
    back to, and where a confirmation page's "Go back" leads."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return referer
    return "/"


def needs_purpose(request: HttpRequest) -> bool:
    """True for a police account that has not declared this session's purpose of use (or one that is not
    declared but fixed by an app's actions, ``audit.DECLARED_PURPOSES``)."""
    return request.user.role in POLICE_ROLES and request.session.get("purpose") not in audit.DECLARED_PURPOSES


def apply_purpose(request: HttpRequest, module: str) -> None:
    """The purpose this request records under: the one the law of the action fixes for ``module``'s app
    (``audit.FIXED_PURPOSES``: alert handling, dispatch, case property, anti-fraud, citizen services), else the
    session's declared one (set by the middleware). Kept on the request for the frame to show
    (``request.audit_purpose``, ``request.audit_purpose_fixed``)."""
    fixed = audit.fixed_purpose(module)
    if fixed and request.user.role in UNIT_ROLES:
        audit.set_purpose(fixed)
    request.audit_purpose = audit.current_context().purpose
    request.audit_purpose_fixed = bool(fixed)


def request_purpose(request: HttpRequest) -> str:
    """The purpose this request records under (a code of ``audit.PURPOSES``): the one its app fixes
    (:func:`apply_purpose`, which ``page`` called), else the session's declared one — what a view passes to the
    selectors it calls."""
    return audit.current_context().purpose


def purpose_url(request: HttpRequest) -> str:
    """``/purpose/?next=<this page>``: where a police account declares its purpose before reading."""
    return f"/purpose/?next={quote(request.get_full_path())}"


#: A number in a ``NotFound`` message ("premises 12 not found"): the request log's line has the path already.
_NUMBER = re.compile(r"\s+\d+\b")


def page(*, roles: frozenset[str] | None = None) -> Callable:
    """Decorate a page view: sign-in, the police purpose (fixed by the view's app, else declared for the
    session: asked first), the allowed ``roles`` (403 otherwise), errors."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if roles is not None and request.user.role not in roles:
                raise DjangoPermissionDenied("your role may not use this page")
            if not audit.fixed_purpose(view.__module__) and needs_purpose(request):
                return redirect(purpose_url(request))
            apply_purpose(request, view.__module__)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:  # the log line's reason names what was not found ("premises not found");
                raise Http404(_NUMBER.sub("", exc.message)) from None  # the id is in the path beside it
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None
            except DomainError as exc:
                if request.method == "POST":
                    messages.error(request, page_message(exc))
                    return redirect(form_page(request))
                return errorpages.refused(request, page_message(exc))

        return inner

    return wrap


SUBMITTERS = frozenset(SUBMITTER_ROLES)
POLICE = frozenset(POLICE_ROLES)
