"""Alerts selectors: every read takes the actor, is scoped to the actor's line, and reads of personal data
(plates, positions, alerts) write the audit record.

Who sees what (least privilege): officers and station chiefs — their unit's subtree (``core.scoping``),
and an officer also the alerts they respond to by a rule of ``alerts.responders`` (the crew of a patrol unit
of another station dispatched there: ``dispatch``);
analysts — the bureau; dispatchers (command centre) — every alert (they dispatch across units), not the
watch list; administrators — devices and dead letters (they run the ingest), no alerts; everyone else —
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.alerts import responders
from pingan.alerts.models import Alert, DeadLetter, Device, DutyShift, HotlistEntry, Silence, ViidSubscription
from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.models import Role
from pingan.core.scoping import scope
from pingan.core.texts import moment

audit.register_purpose("alert_response", _("responding to alerts"), app="alerts")
audit.register_object_type("Alert", _("alert"))
audit.register_object_type("DeadLetter", _("refused device input (dead letter)"))
audit.register_object_type("HotlistEntry", _("watch-list entry"))
audit.register_object_type("Device", _("device"))
audit.register_object_type("Silence", _("alert silence"))
audit.register_object_type("DutyShift", _("duty shift"))
audit.register_object_type("Jurisdiction", _("jurisdiction polygons"))
audit.register_object_type("ViidSubscription", _("GA/T 1400 subscription"))
audit.register_object_type("AlertRecords", _("alert feed, dead letters and timelines (retention)"))


def _describe_alerts(ids: list[str]) -> dict[str, str]:
    """An alert as the audit page names it: what it says, its unit and when it was raised, with its number
    (the alert pages show "#id" too)."""
    from pingan.alerts import labels

    out = {}
    for a in Alert.objects.filter(pk__in=audit.int_ids(ids)).select_related("device", "unit"):
        what = labels.summary_text(a.summary, a.params, device_name=a.device.label if a.device_id else "")
        where = a.unit.label if a.unit_id else ""
        out[str(a.pk)] = " · ".join(x for x in (f"#{a.pk} {what}", where,
                                                moment(a.raised_at)) if x)
    return out


def _describe_devices(ids: list[str]) -> dict[str, str]:
    """A device (recorded by its GA/T 1400 id, or its row id): its name."""
    rows = Device.objects.filter(device_id__in=ids) | Device.objects.filter(pk__in=audit.int_ids(ids))
    out = {}
    for d in rows:
        out[d.device_id] = d.label
        out[str(d.pk)] = d.label
    return {k: v for k, v in out.items() if k in ids}


audit.register_object_describer("Alert", _describe_alerts)
audit.register_object_describer("Device", _describe_devices)


def _register_describers() -> None:
    """A watch-list entry by its kind and key (an ID number masked) and unit, a silence by its comment and
    time, an officer's duty shift by the officer and the unit, a GA/T 1400 subscription by its id and title
    (issue 11: "告警静默 № 4")."""
    from pingan.core.texts import moment
    from pingan.lib.redact import mask_numbers

    said, when = audit.said, moment
    for name, model, text, field, related in (
        ("HotlistEntry", HotlistEntry, lambda h: said(f"{h.get_kind_display()} {mask_numbers(h.key)}", h.unit.label),
         "pk", ("unit",)),
        ("Silence", Silence, lambda s: said(s.comment[:60], s.unit.label, when(s.starts_at)), "pk", ("unit",)),
        ("DutyShift", DutyShift, lambda d: said(d.user.shown_name, d.unit.label, when(d.starts_at)), "pk",
         ("user__unit", "unit")),
        ("ViidSubscription", ViidSubscription, lambda v: said(v.subscribe_id, v.title), "subscribe_id", ()),
    ):
        audit.register_object_describer(name, audit.rows_describer(model, text, field=field, related=related))


_register_describers()
for _code, _label in (("alert_raise", _("alert raised")), ("alert_acknowledged", _("acknowledged an alert")),
                      ("alert_en_route", _("went to an alert")), ("alert_on_scene", _("arrived at an alert")),
                      ("alert_closed", _("closed an alert")), ("silence_create", _("created a silence")),
                      ("silence_expire", _("ended a silence")), ("hotlist_add", _("put on the watch list")),
                      ("hotlist_remove", _("took off the watch list")), ("duty_start", _("went on duty")),
                      ("duty_end", _("went off duty")), ("replay", _("replayed")), ("register", _("registered")),
                      ("load", _("loaded")), ("viid_register", _("platform registered (GA/T 1400)")),
                      ("viid_unregister", _("platform unregistered (GA/T 1400)")),
                      ("viid_subscribe", _("subscribed with a platform (GA/T 1400)")),
                      ("viid_unsubscribe", _("cancelled a subscription (GA/T 1400)"))):
    audit.register_action(_code, _label)


def alert_subjects(alert: Alert) -> list[audit.Subject]:
    """Whom an alert shows: the plate (as a document number: it names a vehicle's keeper) or the person
    reference of a watch-list match; nobody for a gunshot or an SOS."""
    p = alert.params or {}
    ref = p.get("plate") or p.get("person") or ""
    return [audit.Subject(id_number=str(ref))] if ref else []


def _alerts_qs(actor) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("unit", "device", "owner")
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.role == Role.DISPATCHER:
        return qs
    return responders.visible(actor, qs, scope(actor, qs), timezone.now())


def alert_list(*, actor, open_only: bool = False, purpose: str = "") -> QuerySet[Alert]:
    """Alerts the actor may see, newest first; the rows fetched are recorded as one ``list`` read naming the
    plates/persons they show (``core.audit.audited``)."""
    qs = _alerts_qs(actor)
    if open_only:
        qs = qs.filter(open=True)
    return audit.audited(qs.order_by("-id"), actor=actor, object_type="Alert", subjects=alert_subjects,
                         purpose=purpose)


def openable_alert_ids(*, actor, alert_ids: Iterable[int]) -> set[int]:
    """Which of ``alert_ids`` ``actor`` may open (the alert page answers 200, not 404): for another app's page
    that lists alerts it does not own the access rules of — the operation page links those and says who holds
    the others. Ids only, no personal data: no read is recorded."""
    ids = list(alert_ids)
    return set(_alerts_qs(actor).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def alert_get(*, actor, alert_id: int, purpose: str = "") -> Alert:
    """One alert with its timeline prefetched. Raises ``NotFound`` outside the actor's line."""
    alert = _alerts_qs(actor).filter(pk=alert_id).prefetch_related("timeline__actor").first()
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    audit.record_read(actor, "Alert", alert.pk, subjects=alert_subjects(alert), purpose=purpose)
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
    return audit.audited(qs, actor=actor, object_type="DeadLetter", subjects=lambda d: [], purpose=purpose,
                         detail={"reason_code": reason_code})


def hotlist(*, actor, purpose: str = "") -> QuerySet[HotlistEntry]:
    """Active watch-list entries the actor may see (police; audited)."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or actor.role not in (Role.STATION_CHIEF, Role.ANALYST, Role.OFFICER)
    ):
        return HotlistEntry.objects.none()
    qs = scope(actor, HotlistEntry.objects.filter(removed_at__isnull=True).select_related("unit"))
    return audit.audited(qs, actor=actor, object_type="HotlistEntry",
                         subjects=lambda e: [audit.Subject(id_number=e.key)], purpose=purpose)


def _silence_subjects(s: Silence) -> list[audit.Subject]:
    # a matcher on a plate or a person reference names someone (plate=闽D12345, person=…)
    out = []
    for m in s.matchers:
        name, _sep, value = m.partition("=")
        value = value.strip().strip('"')
        if name.strip() in ("plate", "person") and value and not value.startswith("~"):
            out.append(audit.Subject(id_number=value))
    return out


def silence_list(*, actor, purpose: str = "") -> QuerySet[Silence]:
    """Silences in the actor's line (dispatchers: all), newest first; the read is recorded naming the
    plates/persons that matchers name."""
    qs = Silence.objects.select_related("unit", "created_by", "expired_by").order_by("-id")
    # dispatchers see every alert (they dispatch across units), so they see what mutes them too
    if not (actor is not None and getattr(actor, "is_authenticated", False) and actor.role == Role.DISPATCHER):
        qs = scope(actor, qs)
    return audit.audited(qs, actor=actor, object_type="Silence", subjects=_silence_subjects, purpose=purpose)


def viid_subscription_list(*, actor) -> QuerySet[ViidSubscription]:
    """GA/T 1400 subscriptions — administrators and analysts (who manage them); no personal data."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in (Role.ADMIN, Role.ANALYST):
        return ViidSubscription.objects.none()
    return ViidSubscription.objects.select_related("platform", "created_by", "cancelled_by").order_by("-id")


def viid_platforms(*, actor) -> QuerySet[Device]:
    """Registered VIID platforms one may subscribe with (same readers as the subscriptions)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in (Role.ADMIN, Role.ANALYST):
        return Device.objects.none()
    return Device.objects.filter(kind=Device.Kind.PLATFORM).exclude(status=Device.Status.RETIRED)


FALSE_ALARM_DAYS = 30


def false_alarms(*, actor, alert: Alert, days: int = FALSE_ALARM_DAYS) -> dict[str, tuple[int, int]]:
    """How often the alert's rule and its device were closed as false alarms (the dispositions whose
    ``false_alarm`` is true, ``alerts/data/dispositions.toml``) in the last ``days``, among the alerts the
    actor may see: ``{"rule": (false, closed), "device": (false, closed)}`` (device absent when the alert
    has none). Counts, no personal data."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from pingan.alerts.alerting import dispositions

    false_codes = [d.code for d in dispositions().values() if d.false_alarm]
    since = timezone.now() - dt.timedelta(days=days)
    closed = _alerts_qs(actor).filter(closed_at__gte=since).exclude(disposition="")
    agg = {"n": Count("id"), "f": Count("id", filter=Q(disposition__in=false_codes))}
    out = {}
    r = closed.filter(rule_id=alert.rule_id).aggregate(**agg)
    out["rule"] = (r["f"], r["n"])
    if alert.device_id:
        d = closed.filter(device_id=alert.device_id).aggregate(**agg)
        out["device"] = (d["f"], d["n"])
    return out
