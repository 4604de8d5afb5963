"""Alerts selectors: every read takes the actor, is scoped to the actor's line, and reads of personal data
(plates, positions, alerts) write the audit record.

Who sees what (least privilege): officers and station chiefs — their unit's subtree (``core.scoping``);
analysts — the bureau; dispatchers (command centre) — every alert (they dispatch across units), not the
watch list; administrators — devices and dead letters (they run the ingest), no alerts; everyone else —
nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pingan.alerts.models import Alert, DeadLetter, Device, HotlistEntry, Silence
from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.models import Role
from pingan.core.scoping import scope


def _alerts_qs(actor) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("unit", "device", "owner")
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.role == Role.DISPATCHER:
        return qs
    return scope(actor, qs)


def alert_list(*, actor, open_only: bool = False, purpose: str = "") -> QuerySet[Alert]:
    """Alerts the actor may see, newest first (one audit record for the listing)."""
    qs = _alerts_qs(actor)
    if open_only:
        qs = qs.filter(open=True)
    audit.record(actor, "list", "Alert", "", purpose=purpose)
    return qs.order_by("-id")


def alert_get(*, actor, alert_id: int, purpose: str = "") -> Alert:
    """One alert with its timeline prefetched. Raises ``NotFound`` outside the actor's line."""
    alert = _alerts_qs(actor).filter(pk=alert_id).prefetch_related("timeline__actor").first()
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    audit.record(actor, "read", "Alert", alert.pk, purpose=purpose)
    return alert


def device_list(*, actor) -> QuerySet[Device]:
    """Devices: administrators all of them (they run the registry), police their line's."""
    qs = Device.objects.select_related("unit")
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.role == Role.ADMIN:
        return qs
    return scope(actor, qs)


def dead_letter_list(*, actor, reason_code: str = "", purpose: str = "") -> QuerySet[DeadLetter]:
    """Refused inputs, newest first — administrators and analysts (payloads may hold plates: audited)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in (Role.ADMIN, Role.ANALYST):
        return DeadLetter.objects.none()
    qs = DeadLetter.objects.all()
    if reason_code:
        qs = qs.filter(reason_code=reason_code)
    audit.record(actor, "list", "DeadLetter", "", purpose=purpose, detail={"reason_code": reason_code})
    return qs


def hotlist(*, actor, purpose: str = "") -> QuerySet[HotlistEntry]:
    """Active watch-list entries the actor may see (police; audited)."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or actor.role not in (Role.STATION_CHIEF, Role.ANALYST, Role.OFFICER)
    ):
        return HotlistEntry.objects.none()
    audit.record(actor, "list", "HotlistEntry", "", purpose=purpose)
    return scope(actor, HotlistEntry.objects.filter(removed_at__isnull=True).select_related("unit"))


def silence_list(*, actor) -> QuerySet[Silence]:
    """Silences in the actor's line."""
    return scope(actor, Silence.objects.select_related("unit", "created_by"))
