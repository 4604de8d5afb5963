"""A second step before a destructive action: cancel an appointment, revoke a code, end a silence, take an
entry off the watch list, cancel a subscription, lift a freeze or a block, reject an application, dispose of
an item.

The view calls :func:`confirm_first` before the service; without ``confirmed=1`` in the POST it answers a
confirmation page (in the site's frame) that posts the same fields again with ``confirmed=1`` — so the step
works without JavaScript. With JavaScript, a button carrying ``data-confirm="question"`` asks in the
browser's dialog and adds ``confirmed=1`` itself (the script in ``templates/base.html``), so one click and a
"yes" do it. Only the action's own fields are re-posted (never the CSRF token: the page brings a fresh one).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse

from pingan.core.web import form_page

CONFIRM_FIELD = "confirmed"


def confirm_first(request: HttpRequest, *, action, what: str = "", back: str | None = None
                  ) -> TemplateResponse | None:
    """``None`` when the POST is confirmed (go ahead); otherwise the confirmation page.

    ``action`` is the button's label in the viewer's language ("Cancel", "Revoke the code"); ``what`` names
    the object in a few words (a date and a counter, a plate); ``back`` where "Go back" leads (default: the
    page the form was on, when it is on this site, else ``/``).
    """
    if request.POST.get(CONFIRM_FIELD) == "1":
        return None
    fields = [(k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
              for v in values]
    if back is None:
        back = form_page(request)
    return TemplateResponse(request, "core/confirm.html", {"action": action, "what": what, "fields": fields,
                                                           "back": back, "target": request.get_full_path()})
