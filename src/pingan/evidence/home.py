"""The evidence home-page panel (``core.navigation``): counts only (no person shown, nothing recorded)."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.evidence import selectors
from pingan.evidence.models import Transfer


def home_panel(request: HttpRequest) -> dict | None:
    user = request.user
    overdue = selectors.checkouts_overdue(actor=user).count()
    pending = selectors.checkouts_pending(actor=user).count()
    incoming = selectors.transfers_list(actor=user).filter(status=Transfer.Status.SENT).count()
    if not (overdue or pending or incoming):
        return None
    return {"overdue": overdue, "pending": pending, "incoming": incoming}
