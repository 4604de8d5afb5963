"""Background tasks of the alerts app (django-tasks): long replays of dead letters run here rather than in
the request. The real-time path (ingest, rules, alerts) runs in ``pingan alerts worker``, not as tasks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.alerts import services
from pingan.core import audit
from pingan.core.models import User


@task()
def dead_letters_replay_task(actor_id: int | None, ids: list[int] | None = None, reason_code: str = "") -> dict:
    """Replay dead letters (by ids or reason code) as ``actor_id``; returns the counts."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.dead_letters_replay(actor=actor, ids=ids, reason_code=reason_code, limit=100_000)


@task()
@audit.as_task("alert-records-prune", _("the retention of the alert feed, dead letters and timelines"))
def alert_records_prune_task() -> dict[str, int]:
    """Apply the retention of ``alerts/data/retention.toml`` once (:func:`services.alert_records_prune`);
    returns the counts by kind. The alert worker does it every hour; enqueue this (or run ``pingan alerts
    prune-records``) where no worker runs."""
    return services.alert_records_prune()
