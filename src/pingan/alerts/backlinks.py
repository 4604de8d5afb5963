"""Where an alert or dispatch page's back link leads, and what it says: the page the person came from, else
their own work list (issue 11: a crew of another station opened an alert from its unit terminal and the
alert page sent it back to the alerts terminal).

The page that links into another carries itself in ``?from=`` (its template writes the link with
``{% url_from 'alerts:alert' id %}``, :func:`with_from`; a partial names its page: ``page=``); the page keeps it
through its own forms and redirects and shows "← <that page's name>". ``from`` is only ever a path on this
site (``core.web.safe_next``); without one the link goes to the viewer's work list (:data:`HOME_BY_ROLE`).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from pingan.core.web import safe_next

#: What a back link to a page says, by the page's URL name (the pages people come to an alert from).
PLACES = {
    "alerts:terminal": _("Alerts"),  # the page's title, as its menu entry names it
    "dispatch:terminal": _("My unit"),
    "dispatch:console": _("Command centre"),
    "dispatch:operations": _("Security operations"),
    "dispatch:operation": _("The operation"),
    "dispatch:operation_review": _("After-action review"),
    "dispatch:roster": _("Duty roster"),
    "core:home": _("Home"),
}

#: The work list of each role, when the page was not reached from another (the first that exists).
HOME_BY_ROLE = {
    "dispatcher": ("dispatch:console", "alerts:terminal"),
    "station_chief": ("dispatch:console", "alerts:terminal"),
    "officer": ("alerts:terminal",),
    "analyst": ("alerts:terminal",),
}


def _name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name or ""


def came_from(request: HttpRequest) -> str:
    """The ``from`` path of this request when it is a page of this site, else ``""``."""
    value = request.GET.get("from", "")
    return value if value and safe_next(request, value, default="/") == value and _name(value) else ""


def home(request: HttpRequest) -> str:
    """The viewer's own work list (:data:`HOME_BY_ROLE`), else the home page."""
    for name in HOME_BY_ROLE.get(getattr(request.user, "role", ""), ()):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("core:home")


def back(request: HttpRequest) -> tuple[str, str]:
    """``(url, label)`` of the page's back link: where the person came from, else their work list. The label
    names the page in the reader's language ("My unit", "Command centre"), "Back" for a page not named."""
    url = came_from(request) or home(request)
    label = PLACES.get(_name(url))
    return url, str(label) if label is not None else str(_("Back"))


def with_from(url: str, page: str) -> str:
    """``url`` with ``from=page`` added (``page`` percent-encoded but for its slashes): the one way a link or a
    redirect carries the page to go back to (the templates' ``{% url_from %}`` tag writes it)."""
    return f"{url}{'&' if '?' in url else '?'}from={quote(page, safe='/')}" if page else url


def keep_from(request: HttpRequest, url: str) -> str:
    """``url`` with this request's ``from`` carried on (a redirect after a form keeps the way back)."""
    return with_from(url, came_from(request))
