"""Who responds to an alert beyond its station's line: rules other apps register.

The alerts app scopes an alert to the officers and chiefs of its unit's subtree (``core.scoping``). An app that
sends people to alerts across stations (``dispatch``: a patrol unit of another station accepted an assignment)
registers a rule here, so that those people — and only they — see the alert and may move it on, without the
alerts app importing that app. A rule takes the actor and the time and returns a queryset of alert ids the
actor responds to (or ``None``: none).

A rule registered with ``stream_only=True`` widens only the live stream (``alerts.stream``): the alerts whose
later changes the actor is told of without being able to open them (a crew's open offer: it hears that someone
else acknowledged the alert before it answers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, QuerySet

Rule = Callable[[object, dt.datetime], "QuerySet | None"]

_RULES: list[Rule] = []
_STREAM_RULES: list[Rule] = []


def register(rule: Rule, *, stream_only: bool = False) -> None:
    """Add a rule (idempotent: registering the same function twice keeps one)."""
    rules = _STREAM_RULES if stream_only else _RULES
    if rule not in rules:
        rules.append(rule)


def responder_q(actor, now: dt.datetime, *, stream: bool = False) -> Q | None:
    """A filter on ``Alert`` for the alerts ``actor`` responds to by a registered rule, or ``None`` (none, and
    always for an anonymous or inactive actor); ``stream``: with the rules that widen only the live stream."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    q: Q | None = None
    for rule in _RULES + _STREAM_RULES if stream else _RULES:
        ids = rule(actor, now)
        if ids is not None:
            q = Q(pk__in=ids) if q is None else q | Q(pk__in=ids)
    return q


def visible(actor, qs: QuerySet, scoped: QuerySet, now: dt.datetime) -> QuerySet:
    """``scoped`` (``qs`` narrowed to the actor's line) widened by the alerts of ``qs`` the actor responds to."""
    q = responder_q(actor, now)
    return scoped if q is None else scoped | qs.filter(q)


def responds(actor, alert_id: int, now: dt.datetime) -> bool:
    """True when a registered rule makes ``actor`` a responder to alert ``alert_id``."""
    from pingan.alerts.models import Alert

    q = responder_q(actor, now)
    return q is not None and Alert.objects.filter(q, pk=alert_id).exists()
