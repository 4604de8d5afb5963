"""Operation templates (大型安保预案模板) as data, and what an operation made from one holds (no Django).

A template (``data/operation_templates/<id>.toml``, versioned) gives, relative to the venue point the
dispatcher picks: the area, sectors and posts as offsets in metres (east, north); the duration and expected
attendance; the units of each kind needed; and temporary alert rules in the alerts app's vocabulary
(``pingan.alerts.rules``). :func:`instantiate` places it at a point and a start time: the WGS-84 area,
sectors and posts, and the rule-set document that the alerts worker runs only inside the window and the area
(``active_from``/``active_until``/``within``, the alerts rule sets' seam for this).

Offsets become degrees on a local equirectangular plane at the venue (R = 6,371,008.8 m, the IUGG mean
radius): over the ~1 km of a venue the error against the ellipsoid is below a metre.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pingan.alerts import rules as alert_rules
from pingan.lib import textchars

R = 6_371_008.8
UNIT_KINDS = ("foot", "car", "motorcycle", "drone")
POST_KINDS = ("post", "checkpoint")


class TemplateError(ValueError):
    """A template is malformed: ``problem`` (a code, ``PROBLEMS``), the ``field`` named as in the file
    (``duration_hours``, ``post 3``, ``units.car``), and the parser's own words in ``detail`` (TOML syntax,
    the alerts rule-set parser). ``str()`` is the English message naming the file and the field."""

    def __init__(self, path: str, problem: str, field: str = "", detail: str = "", **params: Any) -> None:
        self.path, self.problem, self.field, self.detail = path, problem, field, detail
        self.params = params  # further specifics for the page message (``characters``: chars, positions)
        text = PROBLEMS[problem].format(field=field, detail=detail)
        super().__init__(text if problem == "rules" else f"{path}: {text}")  # the rule parser names the file


#: problem code → English message (pages show their own translations: core.error_messages, template_*)
PROBLEMS = {
    "required": "{field!r} is required (a non-empty string)",
    "duration": "duration_hours must be a number of hours, more than 0 and at most 744 (31 days)",
    "attendance": "attendance must be a whole number ≥ 0",
    "offsets": "{field} must be a list of at least 3 [east, north] offsets in metres",
    "offset_far": "{field}: an offset is more than 20 km from the venue",
    "post_kind": "{field}: kind must be one of " + ", ".join(POST_KINDS),
    "post_at": "{field}: at must be [east, north] in metres",
    "post_names": "{field}: name_en and name_zh are required",
    "units": "{field}: a unit kind (" + ", ".join(UNIT_KINDS) + ") and a count 0-500",
    "rules": "{detail}",
    "toml": "not valid TOML: {detail}",
    "characters": "{field} holds {detail}; delete such characters from the template",
}


@dataclass(frozen=True)
class Sector:
    id: str
    name_en: str
    name_zh: str
    polygon: tuple[tuple[float, float], ...]  # offsets (east, north) in metres


@dataclass(frozen=True)
class Post:
    name_en: str
    name_zh: str
    kind: str
    at: tuple[float, float]


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    title_en: str
    title_zh: str
    duration: dt.timedelta
    attendance: int
    area: tuple[tuple[float, float], ...]
    sectors: tuple[Sector, ...]
    posts: tuple[Post, ...]
    units: dict[str, int]
    rules: tuple[dict, ...]
    path: str = ""

    @property
    def duration_hours(self) -> str:
        """The duration in hours, without a trailing ``.0``."""
        return f"{self.duration.total_seconds() / 3600:g}"

    def title(self, lang: str) -> str:
        return self.title_zh if lang.lower().startswith("zh") else self.title_en


def _fail(path: str, problem: str, field: str = "") -> TemplateError:
    return TemplateError(path, problem, field)


def _text(data: dict, key: str, path: str, what: str) -> None:
    """A title or a sector's or post's name shown on pages and printed: refused, naming the item, each character
    and its position, when it holds a control, text-direction or line-separator character (``pingan.lib.textchars``,
    the rule of every other input; issue 11: a template's names were not checked)."""
    value = data.get(key)
    found = textchars.find_all_unsafe(value, allow_newlines=False) if isinstance(value, str) else []
    if found:
        raise TemplateError(path, "characters", what, textchars.described(found), **textchars.named(found))


def _offsets(value: Any, path: str, what: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or len(value) < 3 or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
        for p in value
    ):
        raise _fail(path, "offsets", what)
    if any(abs(v) > 20_000 for p in value for v in p):
        raise _fail(path, "offset_far", what)
    return tuple((float(a), float(b)) for a, b in value)


def parse_template(data: dict, *, path: str = "<template>") -> Template:
    """Validate a decoded template. Raises :class:`TemplateError` naming the file and the field; the rules
    are checked by the alerts app's own rule-set parser."""
    for key in ("id", "version", "title_en", "title_zh"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(path, "required", key)
        _text(data, key, path, key)
    hours = data.get("duration_hours")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24 * 31:
        raise _fail(path, "duration", "duration_hours")
    attendance = data.get("attendance", 0)
    if not isinstance(attendance, int) or attendance < 0:
        raise _fail(path, "attendance", "attendance")
    area = _offsets(data.get("area"), path, "area")
    sectors = []
    for i, s in enumerate(data.get("sector", ()), start=1):
        for key in ("id", "name_en", "name_zh"):
            if not isinstance(s.get(key), str) or not s[key]:
                raise _fail(path, "required", f"sector {i}: {key}")
            _text(s, key, path, f"sector {i}: {key}")
        sectors.append(Sector(s["id"], s["name_en"], s["name_zh"], _offsets(s.get("polygon"), path, f"sector {i}")))
    posts = []
    for i, p in enumerate(data.get("post", ()), start=1):
        at = p.get("at")
        if p.get("kind") not in POST_KINDS:
            raise _fail(path, "post_kind", f"post {i}")
        if not isinstance(at, list) or len(at) != 2 or not all(isinstance(v, int | float) for v in at):
            raise _fail(path, "post_at", f"post {i}")
        if not p.get("name_en") or not p.get("name_zh"):
            raise _fail(path, "post_names", f"post {i}")
        for key in ("name_en", "name_zh"):
            _text(p, key, path, f"post {i}: {key}")
        posts.append(Post(str(p["name_en"]), str(p["name_zh"]), p["kind"], (float(at[0]), float(at[1]))))
    units = dict(data.get("units", {}))
    for kind, n in units.items():
        if kind not in UNIT_KINDS or not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 500:
            raise _fail(path, "units", f"units.{kind}")
    t = Template(
        data["id"], data["version"], data["title_en"], data["title_zh"], dt.timedelta(hours=float(hours)),
        attendance, area, tuple(sectors), tuple(posts), units, tuple(dict(r) for r in data.get("rule", ())), path,
    )
    # the rules must make a valid rule set once placed: check them at the origin, now
    try:
        alert_rules.parse_ruleset(ruleset_document(t, lon=118.0, lat=24.5, op_id=0,
                                                   starts_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                                   ends_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)), path=path)
    except alert_rules.RuleSetError as e:
        raise TemplateError(path, "rules", "rule", str(e)) from None
    return t


def place(lon: float, lat: float, offsets) -> list[list[float]]:
    """``[east, north]`` offsets in metres from (lon, lat) → ``[lon, lat]`` points (WGS-84)."""
    k = math.cos(math.radians(lat))
    return [[round(lon + math.degrees(e / (R * k)), 7), round(lat + math.degrees(n / R), 7)] for e, n in offsets]


def ruleset_document(t: Template, *, lon: float, lat: float, op_id: int, starts_at: dt.datetime,
                     ends_at: dt.datetime, area: list[list[float]] | None = None) -> dict:
    """The temporary rule set of an operation, as a document for ``alerts.rules.parse_ruleset``: id
    ``op-<id>``, the template's version, one fence ``area`` (the operation's area) that it is ``within``,
    active from the start to the end of the window. ``area``: the operation's ring if already placed."""
    ring = area or place(lon, lat, t.area)
    return {
        "id": f"op-{op_id}",
        "version": t.version,
        # for programs and logs (pages name an operation's rules by its number: alerts.labels.ruleset); the
        # template's title per language beside it — never "中文 / English" in one string (issue 11)
        "title": f"operation {op_id}, template {t.id}@{t.version}",
        "title_text": {"zh": t.title_zh, "en": t.title_en},
        "active_from": starts_at,
        "active_until": ends_at,
        "within": "area",
        "fence": [{"id": "area", "name": f"operation {op_id}", "polygon": [list(p) for p in ring]}],
        "rule": [dict(r) for r in t.rules],
    }


def document_for_storage(doc: dict) -> dict:
    """The document with its times as ISO text (a JSON column); :func:`document_from_storage` reverses it."""
    return {**doc, "active_from": doc["active_from"].isoformat(), "active_until": doc["active_until"].isoformat()}


def document_from_storage(doc: dict) -> dict:
    return {**doc, "active_from": dt.datetime.fromisoformat(doc["active_from"]),
            "active_until": dt.datetime.fromisoformat(doc["active_until"])}


@cache
def bundled() -> dict[str, Template]:
    """The templates shipped in ``data/operation_templates/``, by id."""
    out = {}
    folder = resources.files("pingan.dispatch").joinpath("data/operation_templates")
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            path = f"data/operation_templates/{f.name}"
            try:
                t = parse_template(tomllib.loads(f.read_text(encoding="utf-8")), path=path)
            except tomllib.TOMLDecodeError as e:
                raise TemplateError(path, "toml", "", str(e)) from None
            out[t.id] = t
    return out
