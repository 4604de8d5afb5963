"""The dashboard's home-page panel (``core.navigation``): the jurisdiction's flagged people at a glance."""

from __future__ import annotations

from django.http import HttpRequest

from pingan.screening import selectors as screening_selectors


def jurisdiction_panel(request: HttpRequest) -> dict:
    """Counts of the flagged people of the user's jurisdiction (aggregates: no one is named)."""
    return {"counts": screening_selectors.flagged_counts(actor=request.user)}
