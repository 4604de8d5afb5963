"""Template helpers of the dispatch pages: the figures' small bar charts with their reference lines (SVG
drawn by the server)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def seconds(value) -> str:
    if value is None:
        return "—"
    v = float(value)
    return f"{v:.0f} s" if v < 120 else f"{v / 60:.1f} min"


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
        '<rect class="p50" x="0" y="2" width="{}" height="8"><title>p50 {} s</title></rect>'
        '<rect class="p90" x="0" y="12" width="{}" height="8"><title>p90 {} s</title></rect>',
        x(f["p50"] or 0), round(f["p50"] or 0), x(f["p90"] or 0), round(f["p90"] or 0))
    refs = format_html_join(
        "",
        '<line class="target" x1="{0}" x2="{0}" y1="0" y2="22" data-target="{1}">'
        '<title>{4}p{2} ≤ {3} s</title></line>',
        ((x(t["seconds"]), t["id"], t["percentile"], round(t["seconds"]), f"{t['standard']}: " if t.get("standard")
          else "") for t in lines))
    return format_html('<svg class="chart" viewBox="0 0 {} 22" width="{}" height="22" role="img">{}{}</svg>', w, w,
                       bars, refs)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` (empty list when absent)."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []
