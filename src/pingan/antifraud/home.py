"""The anti-fraud home-page panel (``core.navigation``): orders past or near their legal deadline and open
warnings the user's unit must act on. ``None`` (no panel) when nothing waits."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.antifraud import selectors


def deadlines_panel(request: HttpRequest) -> dict | None:
    """Counts only (no person shown, nothing recorded)."""
    user = request.user
    counts = selectors.attention_counts(actor=user)
    warnings = selectors.warning_list(actor=user, audit_read=False).filter(outcome="").count()
    if not (any(counts.values()) or warnings):
        return None
    return {**counts, "warnings": warnings}
