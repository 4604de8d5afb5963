"""Dispatch background work: offers that nobody answered expire and escalate (``services.assignments_expire``),
run every second by ``pingan dispatch worker`` (started by ``pingan serve``)."""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)


def expire_loop(*, interval_s: float = 1.0, stop=lambda: False) -> None:
    """Expire unanswered offers every ``interval_s`` until ``stop()``."""
    from pingan.dispatch.services import assignments_expire

    while not stop():
        close_old_connections()
        try:
            n = assignments_expire()
            if n:
                log.info("expired %d unanswered dispatch offers", n)
        except Exception:
            log.exception("dispatch expiry failed")
        time.sleep(interval_s)
