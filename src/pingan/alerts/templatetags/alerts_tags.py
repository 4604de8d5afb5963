"""Alerts template filters: codes as labels in the viewer's language, times with their date and offset
(``pingan.alerts.labels``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from pingan.alerts import labels

register = template.Library()


@register.filter
def priority_label(code: str) -> str:
    return labels.priority(code)


@register.simple_tag(takes_context=True)
def url_from(context, name: str, *args, page: str | None = None) -> str:
    """The URL of view ``name`` (with ``args``) carrying the page the link is on in ``?from=``, so that the
    page it opens leads back here (``alerts.backlinks``): ``page`` when given (a partial loaded into another
    page names that page), else the request's path. The one way the alerts and dispatch templates write it."""
    from django.urls import reverse

    from pingan.alerts.backlinks import with_from

    if page is None:
        request = context.get("request")
        page = request.path if request is not None else ""
    return with_from(reverse(name, args=args), page)


@register.simple_tag
def priority_badge(code: str):
    """An alert's priority as every page shows it (issue 11: the console showed "P1" in red only, other pages
    plain text): the code and its meaning in the reader's language ("P1 危及生命", "P1 life at risk") on the
    priority's colour, P1 white on red with a mark before it — so it stands out by its words and shape, not
    by colour alone. The pages' scripts build the same ``span.prio-badge.<code>`` (``site.css``)."""
    css = code if code in labels.PRIORITIES else "P4"
    return format_html('<span class="prio-badge {}">{}</span>', css, labels.priority(code))


@register.filter
def alert_summary(alert) -> str:
    return labels.summary_text(alert.summary, alert.params, device_name=alert.device.label if alert.device_id else "")


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
def raised(alert) -> str:
    """``{{ alert|raised }}``: when it was raised, on the clock of its device's place with the offset
    (``labels.event_time_parts``); ``{{ alert|raised_aside }}`` the bureau's time beside it when that differs."""
    return labels.event_time_parts(alert)[0]


@register.filter
def raised_aside(alert) -> str:
    return labels.event_time_parts(alert)[1]


@register.filter
def muted_label(code: str) -> str:
    return labels.muted(code)


@register.filter
def source_label(code: str) -> str:
    return labels.source(code)


@register.filter
def replay_outcome(letter) -> str:
    return labels.replay_outcome(letter.outcome, letter.replayed_at)


@register.filter
def viid_detail(codes: str) -> str:
    """A subscription's ``SubscribeDetail`` codes ("12,13") as their names in the reader's language."""
    from django.utils.translation import get_language

    from pingan.alerts import gat1400

    names = gat1400.labels("SubscribeDetail", get_language() or "")
    return labels.list_separator().join(
        names.get(c.strip(), c.strip()) for c in str(codes).split(",") if c.strip())
