"""Template helpers of the dispatch pages: the figures' small bar charts with their reference lines (SVG
drawn by the server)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pingan.dispatch import alert_text, durations

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def duration(value) -> str:
    """Seconds as "2 min 16 s" / "2 分 16 秒" in the reader's language; ``None`` a dash."""
    return durations.duration_text(value)


@register.filter
def eta(value) -> str:
    """A travel estimate in the one wording (``durations.eta_text``): a candidate or an assignment (its range
    when it has one: "at most 9 min 20 s"), or seconds ("about 2 min 16 s" / "约 2 分 16 秒")."""
    if hasattr(value, "eta_s"):
        return durations.eta_text(value.eta_s, getattr(value, "eta_min_s", None), getattr(value, "eta_max_s", None))
    return durations.eta_text(value)


@register.filter
def distance(value) -> str:
    """Metres as "467 m" / "3.2 km" in the reader's language."""
    return durations.distance_text(value)


@register.filter
def local_time(value, fmt: str = "%H:%M:%S") -> str:
    """An aware datetime on the bureau's clock (TIME_ZONE)."""
    return durations.local_time(value, fmt)


@register.filter
def kind_label(code: str) -> str:
    """A patrol unit kind's name in the reader's language (the code itself if unknown: never a raw list)."""
    from pingan.dispatch.models import PatrolUnit

    return str(PatrolUnit.Kind(code).label) if code in PatrolUnit.Kind.values else str(code or "–")


@register.filter
def rule_name(rule_id: str) -> str:
    """A rule's title in the reader's language, for a figure keyed by rule id (never the id itself)."""
    from pingan.alerts import labels

    return labels.rule(rule_id)


@register.filter
def alert_title(alert) -> str:
    return alert_text.title(alert.summary, alert.params, alert.rule_id)


@register.filter
def alert_place(alert) -> str:
    return alert_text.place(alert)


@register.filter
def candidate_position(c) -> str:
    """Where a candidate is taken to be, and how old that is."""
    if c.position == "base":
        return pgettext("candidate position", "station base (no position report)")
    age = durations.duration_text(c.position_age_s)
    if c.position == "last_known":
        return pgettext("candidate position", "last known, %(age)s ago") % {"age": age}
    return pgettext("candidate position", "AVL, %(age)s ago") % {"age": age}


def within(percentile: int, seconds: float) -> str:
    """A percentile in words (issue 11: the console said "p50 / p90"): ``median 3 min`` / ``90% within 8 min``."""
    if percentile == 50:
        return _("median %(d)s") % {"d": durations.duration_text(seconds)}
    return _("%(p)s%% within %(d)s") % {"p": percentile, "d": durations.duration_text(seconds)}


@register.simple_tag
def bar_chart(f: dict, metric: str, targets: list[dict]):
    """p50 and p90 as bars on a scale to the largest of them and the metric's targets; each target a dashed
    vertical line titled with the standard it comes from (the cited source is listed under the table)."""
    lines = [t for t in targets if t["metric"] == metric]
    top = max([f["p90"] or 0, f["p50"] or 0] + [t["seconds"] for t in lines]) * 1.1 or 1
    w = 220

    def x(v: float) -> float:
        return round(v / top * w, 1)

    bars = format_html(
        '<rect class="p50" x="0" y="2" width="{}" height="8"><title>{}</title></rect>'
        '<rect class="p90" x="0" y="12" width="{}" height="8"><title>{}</title></rect>',
        x(f["p50"] or 0), within(50, f["p50"] or 0), x(f["p90"] or 0), within(90, f["p90"] or 0))
    refs = format_html_join(
        "",
        '<line class="target" x1="{0}" x2="{0}" y1="0" y2="22" data-target="{1}">'
        '<title>{3}{2}</title></line>',
        ((x(t["seconds"]), t["id"], within(t["percentile"], t["seconds"]),
          f"{t['standard']}: " if t.get("standard")
          else "") for t in lines))
    return format_html('<svg class="chart" viewBox="0 0 {} 22" width="{}" height="22" role="img">{}{}</svg>', w, w,
                       bars, refs)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` as a list to iterate or test (empty when absent). Not for labels: ``kind_label``."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []
