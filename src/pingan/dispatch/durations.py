"""Durations and clock times as a reader sees them: "约 2 分 16 秒" / "about 2 min 16 s", times in the bureau's
time zone (``settings.TIME_ZONE``, Asia/Shanghai). Rendered at display time in the active language; the
console and terminal scripts get the same templates (``js_templates``) so both sides say the same thing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import pgettext


def _parts(seconds: float) -> tuple[int, int, int]:
    s = max(0, round(float(seconds)))
    return s // 3600, (s % 3600) // 60, s % 60


def duration_text(seconds: float | None, *, approx: bool = False) -> str:
    """``seconds`` as hours/minutes/seconds in the active language (seconds dropped from an hour on);
    ``approx`` prefixes "about" (an estimate). ``None`` is a dash."""
    if seconds is None:
        return "–"
    h, m, s = _parts(seconds)
    if h:
        text = pgettext("duration", "%(h)d h %(m)d min") % {"h": h, "m": m}
    elif m and s:
        text = pgettext("duration", "%(m)d min %(s)d s") % {"m": m, "s": s}
    elif m:
        text = pgettext("duration", "%(m)d min") % {"m": m}
    else:
        text = pgettext("duration", "%(s)d s") % {"s": s}
    return pgettext("duration", "about %(d)s") % {"d": text} if approx else text


def eta_text(eta_s: float | None, low: float | None = None, high: float | None = None) -> str:
    """The one wording of a travel estimate, wherever it is shown (the console's candidates, the assignment on
    the console and on the crew's terminal, the API's ``eta_text``; the scripts' ``etaText`` follows it):
    "about 2 min 16 s" / "约 2 分 16 秒" for a point estimate or a range whose ends round to the same, "at most
    9 min 20 s" when the unit may be there already, else "2 min – 9 min 30 s" ("2 分 – 9 分 30 秒"). ``None``
    is a dash."""
    if eta_s is None:
        return "–"
    if low is None or high is None:
        return duration_text(eta_s, approx=True)
    a, b = duration_text(low), duration_text(high)
    if a == b:
        return duration_text(eta_s, approx=True)
    if round(low) == 0:
        return pgettext("duration", "at most %(high)s") % {"high": b}
    return pgettext("duration", "%(low)s – %(high)s") % {"low": a, "high": b}


def distance_text(metres: float | None) -> str:
    """"467 m" / "467 米" below a kilometre, "3.2 km" / "3.2 公里" from there."""
    if metres is None:
        return "–"
    if metres < 1000:
        return pgettext("distance", "%(m)d m") % {"m": round(metres)}
    return pgettext("distance", "%(km)s km") % {"km": f"{metres / 1000:.1f}"}


def local_time(value: dt.datetime | None, fmt: str = "%H:%M:%S") -> str:
    """An aware datetime on the bureau's clock (``TIME_ZONE``)."""
    if value is None:
        return "–"
    return timezone.localtime(value).strftime(fmt)


_H, _M, _S = 10**9 + 1, 10**9 + 2, 10**9 + 3  # stand-ins replaced by {h} {m} {s} after formatting


def js_templates() -> dict[str, str]:
    """The templates of :func:`duration_text` and :func:`eta_text` for the pages' scripts (``{h}``, ``{m}``,
    ``{s}``, ``{d}``, ``{low}``, ``{high}``)."""
    raw = {
        "dur.hm": pgettext("duration", "%(h)d h %(m)d min") % {"h": _H, "m": _M},
        "dur.ms": pgettext("duration", "%(m)d min %(s)d s") % {"m": _M, "s": _S},
        "dur.m": pgettext("duration", "%(m)d min") % {"m": _M},
        "dur.s": pgettext("duration", "%(s)d s") % {"s": _S},
        "dur.about": pgettext("duration", "about %(d)s") % {"d": "{d}"},
        "dur.upto": pgettext("duration", "at most %(high)s") % {"high": "{high}"},
        "dur.range": pgettext("duration", "%(low)s – %(high)s") % {"low": "{low}", "high": "{high}"},
    }
    return {k: v.replace(str(_H), "{h}").replace(str(_M), "{m}").replace(str(_S), "{s}") for k, v in raw.items()}
