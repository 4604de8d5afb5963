"""Page helpers shared by the screening and dashboard views: sign-in, purpose of use, domain errors.

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
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from pingan.core import errorpages
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import POLICE_ROLES, SUBMITTER_ROLES
from pingan.core.web import form_page, needs_purpose, purpose_url


def page(*, roles: frozenset[str] | None = None) -> Callable:
    """Decorate a page view: sign-in, the police purpose, the allowed ``roles`` (403 otherwise), errors."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if roles is not None and request.user.role not in roles:
                raise DjangoPermissionDenied("your role may not use this page")
            if needs_purpose(request):
                return redirect(purpose_url(request))
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404("not found") from None
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
