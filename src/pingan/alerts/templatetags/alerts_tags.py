"""Alerts template filters: codes as labels in the viewer's language, times with their date and offset
(``pingan.alerts.labels``)."""

from __future__ import annotations

from django import template

from pingan.alerts import labels

register = template.Library()


@register.filter
def priority_label(code: str) -> str:
    return labels.priority(code)


@register.filter
def alert_summary(alert) -> str:
    return labels.summary_text(alert.summary, alert.params, device_name=alert.device.name if alert.device_id else "")


@register.filter
def rule_label(alert) -> str:
    return labels.rule(alert.rule_id, alert.summary)


@register.filter
def ruleset_label(alert) -> str:
    return labels.ruleset(alert.ruleset, alert.ruleset_version)


@register.filter
def routed_label(code: str) -> str:
    return labels.routed_by(code)


@register.filter
def action_label(code: str) -> str:
    return labels.action(code)


@register.filter
def when(value, arg: str = "") -> str:
    """``{{ t|when }}`` → ``2026-12-06 14:03:05 UTC+08:00``; ``{{ t|when:"short" }}`` without the offset."""
    return labels.when(value, offset=arg != "short")


@register.filter
def muted_label(code: str) -> str:
    return labels.muted(code)


@register.filter
def source_label(code: str) -> str:
    return labels.source(code)


@register.filter
def replay_outcome(letter) -> str:
    return labels.replay_outcome(letter.outcome, letter.replayed_at)
