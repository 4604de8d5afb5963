"""The evidence home-page panel (``core.navigation``): counts only (no person shown, nothing recorded)."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.evidence import access, selectors
from pingan.evidence.models import Transfer


def home_panel(request: HttpRequest) -> dict | None:
    user = request.user
    overdue = selectors.checkouts_overdue(actor=user).count()
    pending = selectors.checkouts_pending(actor=user).count()
    incoming = selectors.transfers_list(actor=user).filter(status=Transfer.Status.SENT)
    org = access.external_org(user)
    if org is not None:  # a procuratorate's list also holds what it sent on: only what waits for it counts
        incoming = incoming.filter(to_org__path__startswith=org.path)
    incoming = incoming.count()
    if not (overdue or pending or incoming):
        return None
    return {"overdue": overdue, "pending": pending, "incoming": incoming}
