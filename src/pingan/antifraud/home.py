"""The anti-fraud home-page panel (``core.navigation``): orders past or near their legal deadline and open
warnings the user's unit must act on. ``None`` (no panel) when nothing waits."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.antifraud import selectors


def deadlines_panel(request: HttpRequest) -> dict | None:
    user = request.user
    attention = selectors.orders_attention(actor=user, purpose=request.session.get("purpose", ""))
    warnings = selectors.warning_list(actor=user, audit_read=False).filter(outcome="").count()
    counts = {k: len(v) for k, v in attention.items()}
    if not (any(counts.values()) or warnings):
        return None
    return {**counts, "warnings": warnings}
