"""Importers: each source file becomes incident records, with every input row accounted for.

Pure package (no Django): an importer reads a file and returns an :class:`ImportRead` — the incidents (each
naming the source rows it was built from), the rows excluded by the publisher's counting rules and the rows
rejected as unreadable, each with its reason — and the units of the source's own police geography. The
service :func:`pingan.stats.services.import_run` writes it. The mapping of each source (its codes → pingan
offences, place types, resolutions, units) is data in ``stats/data/mappings/``, and its counting rules are
written down in the importer's docstring and in docs/stats.md.

Row accounting: ``rows_total == sum(len(r.rows) for r in records) + len(excluded) + len(rejected)``; blank
lines are not rows. An incident built from several rows (a San Francisco incident with several offence codes,
a Chicago homicide with several victims, an NYPD shooting with several victims) lists them all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from pingan.lib import csvlines, textchars

__all__ = ["ImportRead", "IncidentRecord", "RowIssue", "Source", "UnitRef", "bundled", "mapping", "sources"]


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit of a source's own geography (``kind`` an ``OrgUnit.Kind`` value; ``parent`` a code or ``""``);
    ``name`` is the Chinese name, ``name_en`` the English one where the source's city has its own."""

    code: str
    name: str
    kind: str
    parent: str = ""
    name_en: str = ""


@dataclass(slots=True)
class IncidentRecord:
    """One incident as pingan stores it (see ``stats.models.Incident`` for each field's meaning).

    Times are timezone-aware; ``count_date`` is the local date the statistics count it on.
    """

    source_ref: str
    unit: str
    offence: str
    count_date: dt.date
    rows: tuple[int, ...]
    offence_codes: tuple[str, ...] = ()
    source_category: str = ""
    reported_at: dt.datetime | None = None
    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None
    place_type: str = ""
    attempted: bool = False
    location: str = ""
    block: str = ""
    latitude: float | None = None
    longitude: float | None = None
    status: str = "open"  # open / cleared / unfounded
    clearance: str = ""  # "" / arrest / exceptional
    exceptional_code: str = ""  # NIBRS A-E, "" when not given
    cleared_on: dt.date | None = None
    cleared_on_estimated: bool = False
    victims: int | None = None
    injured: int = 0
    killed: int = 0
    property_loss: Decimal | None = None
    amount_involved: Decimal | None = None
    amount_recovered: Decimal | None = None
    currency: str = ""
    timezone: str = ""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A source row that is not (part of) an incident: ``kind`` ``excluded`` (a counting rule leaves it out)
    or ``rejected`` (it cannot be read); ``message`` names the row and says why (English, with the message id and
    params in ``values["message"]``: :func:`coded_issue`)."""

    row: int
    kind: str
    code: str
    message: str
    column: str | None = None
    values: dict = field(default_factory=dict)


@dataclass
class ImportRead:
    source: str
    filename: str
    org: str
    mapping_version: str
    units: dict[str, UnitRef]
    records: list[IncidentRecord]
    excluded: list[RowIssue]
    rejected: list[RowIssue]
    rows_total: int
    #: What the reader did that the counts do not say (:func:`note`: a code and parameters, rendered in the
    #: reader's language by ``pingan.core.texts``: the page, the command line, the API in English)
    notes: list[dict] = field(default_factory=list)
    #: The offences (prefixes) the source records at all — ``("",)`` for a complete crime record; a source of
    #: aggravated assaults only says nothing about robbery, and the pages show "—" rather than a zero for it.
    scope: tuple[str, ...] = ("",)
    #: Whether the source says which incidents were cleared (an arrest flag, a resolution, a 破案时间). A source
    #: that does not (the Chicago aggravated-assault file, NYPD's shootings and homicides) has no clearance
    #: figures: the pages say so instead of "0 cleared, 0.0 %".
    records_clearance: bool = True

    def check_accounting(self) -> None:
        """Raise ``AssertionError`` unless every input row is in an incident, excluded or rejected once."""
        seen: list[int] = [r for rec in self.records for r in rec.rows]
        seen += [i.row for i in self.excluded] + [i.row for i in self.rejected]
        if len(seen) != self.rows_total or len(set(seen)) != len(seen):
            raise AssertionError(f"{self.source}: {len(seen)} row outcomes ({len(set(seen))} distinct) for "
                                 f"{self.rows_total} rows")


# --------------------------------------------------------------------------------------------- helpers

#: The bundled sources that do not say which incidents were cleared (``ImportRead.records_clearance`` False):
#: what an import stored before the flag existed is read with this.
WITHOUT_CLEARANCE = frozenset({"chicago-assaults", "nyc-shootings", "nyc-homicides", "nyc-collisions"})

#: The codes of import notes: ``stats_import.<name>`` (each note's template, in the reader's language, is
#: registered with ``pingan.core.texts`` by the app: ``stats.present.NOTE_TEXTS``).
NOTE_PREFIX = "stats_import."


def note(name: str, **params) -> dict:
    """An import note as stored (``ImportBatch.notes``): its code and parameters, no text — said in the reader's
    language when shown (``pingan.core.texts.render``)."""
    return {"code": NOTE_PREFIX + name, "params": params}



@cache
def mapping(name: str) -> dict:
    """The mapping data ``stats/data/mappings/<name>.toml``."""
    return tomllib.loads(resources.files("pingan.stats").joinpath(f"data/mappings/{name}.toml").read_text("utf-8"))


@cache
def orgs() -> dict[str, dict]:
    """The demo organisations of ``stats/data/orgs.toml`` by root code."""
    raw = tomllib.loads(resources.files("pingan.stats").joinpath("data/orgs.toml").read_text("utf-8"))
    return {o["code"]: o for o in raw["org"]}


def org_root(code: str) -> UnitRef:
    o = orgs()[code]
    return UnitRef(o["code"], o["name"], "bureau", "", name_en=o.get("name_en", ""))


def bundled(folder: str, name: str) -> Path:
    """Path of a bundled data file ``src/pingan/data/<folder>/<name>``."""
    return Path(str(resources.files("pingan.data").joinpath(folder).joinpath(name)))


def open_text(source: str | Path | bytes | IO[bytes], encoding: str = "utf-8-sig") -> tuple[io.TextIOBase, str]:
    """A text stream over ``source`` (a path — gzip when it ends in ``.gz`` — raw bytes or a binary stream)
    and the file name to show in messages."""
    if isinstance(source, bytes | bytearray):
        raw: IO[bytes] = io.BytesIO(source)
        name = "(upload)"
    elif isinstance(source, str | Path):
        name = Path(source).name
        raw = gzip.open(source, "rb") if str(source).endswith(".gz") else open(source, "rb")  # noqa: SIM115
    else:
        raw = source
        name = getattr(source, "name", "(upload)")
    return io.TextIOWrapper(raw, encoding=encoding, newline=""), name


class CsvRows:
    """Iterator of ``(row number, row dict)`` over a CSV source's data rows (:func:`csv_rows`), read by
    :func:`pingan.lib.csvlines.scan` so that a stray double quote never merges the rows below it: each such
    line is collected in ``rejected`` (a ``bad_quote`` :class:`RowIssue`, complete once iterated) instead.
    Callers add ``rejected`` to theirs and count it in ``rows_total``."""

    def __init__(self, items: Iterator, header: list[str], text: io.TextIOBase) -> None:
        self._items, self._header, self._text = items, header, text
        self.rejected: list[RowIssue] = []

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for it in self._items:
            if isinstance(it, csvlines.QuoteProblem):
                column = self._header[it.column] if it.column < len(self._header) else None
                self.rejected.append(quote_issue(it, column or f"#{it.column + 1}"))
                continue
            cells = [textchars.strip_invisible(c) for c in it.cells]  # zero-width characters from copy-paste
            if not any(c.strip() for c in cells):
                continue
            odd = next(((j, us) for j, c in enumerate(cells) if (us := textchars.find_all_unsafe(c))), None)
            if odd is not None:  # a control or text-direction character: the row named, the character never shown
                j, us = odd
                column = self._header[j] if j < len(self._header) else f"#{j + 1}"
                where = {"code": "bureau_row_in_column", "params": {"column": column}}
                self.rejected.append(coded_issue(  # every one named (issue 11), one or several by the count
                    it.line, "rejected", "control_character", "import_row_control_character",
                    {**textchars.named(us, char="char", position="position"), "where": where}, QUOTE_MESSAGES,
                    column))
                continue
            yield it.line, dict(zip(self._header, (c.strip() for c in cells), strict=False))
        self._text.close()


def csv_rows(source: str | Path | bytes | IO[bytes]) -> tuple[list[str], CsvRows, str]:
    """``(header, iterator of (row number, row dict), file name)``; row 1 is the header, so the first data
    row is 2 — the number a spreadsheet (or a text editor: rows are counted by text line) shows. Blank lines are
    skipped (they are not rows); a line with a stray quote goes to the iterator's ``rejected``
    (:class:`CsvRows`). A cell may span lines unless it swallowed rows (:func:`pingan.lib.csvlines.runaway_cell`
    against the header's width)."""
    text, name = open_text(source)
    width = [0]
    items = csvlines.scan(text, multiline=lambda cells: csvlines.runaway_cell(cells, ",", width[0]))
    first = next(items, None)
    header = [h.strip() for h in first.cells] if isinstance(first, csvlines.Record) else []
    width[0] = len(header)
    return header, CsvRows(items, header, text), name


#: Why a line with a stray double quote was rejected (any CSV source: the bureau template, open-data files):
#: message id → English; pages render the template of the same id (``pingan.stats.apps.IMPORT_FAILURES``).
QUOTE_MESSAGES = {
    "bureau_row_in_column": "column %(column)s: ",
    # one or several by ``n`` (pingan.lib.textchars.named; screening.roster.english chooses)
    "import_row_control_character": (
        "row %(row)s: %(where)scharacter %(position)s is %(char)s, an invisible control or text-direction character; "
        "type the cell again and import the file again.",
        "row %(row)s: %(where)scharacters %(position)s are %(char)s, invisible control or text-direction "
        "characters; type the cell again and import the file again."),
    "import_row_quote_unclosed": ("row %(row)s: %(where)sa double quote (\") is never closed, so every line below "
                                  "would have been read as one cell (they were read as rows of their own); delete the "
                                  "stray quote (or close it on this line) and import the file again."),
    "import_row_quote_closes_later": ("row %(row)s: %(where)sa double quote (\") only closes on line %(until)s, so "
                                      "the lines between would have been read as one cell (they were read as rows of "
                                      "their own); delete the stray quote (or close it on this line) and import the "
                                      "file again."),
}


def quote_issue(p: csvlines.QuoteProblem, column: str) -> RowIssue:
    """The ``bad_quote`` rejection of a line whose double quote could not be trusted (``column``: its header)."""
    message_id, params = (("import_row_quote_closes_later", {"until": p.until}) if p.kind == "closes_later"
                          else ("import_row_quote_unclosed", {}))
    return coded_issue(p.line, "rejected", "bad_quote", message_id,
                       {**params, "where": {"code": "bureau_row_in_column", "params": {"column": column}}},
                       QUOTE_MESSAGES, column)


def open_source(path, default: Callable[[], Path], required: list[str] | tuple[str, ...],
                kind: str) -> tuple[list[str], CsvRows, str]:
    """:func:`csv_rows` of ``path`` (``None``: the bundled ``default()``), after checking that the header has
    the ``required`` columns; raises ``ValueError`` naming the file, what it should be and what is missing."""
    header, rows, name = csv_rows(path if path is not None else default())
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"{name}: not {kind} (missing columns {', '.join(missing)})")
    return header, rows, name


def to_float(text: str | None, *, zero_is_none: bool = False) -> float | None:
    """A cell as a float; ``None`` for empty, unreadable or NaN (and 0 when ``zero_is_none``: a missing point)."""
    try:
        v = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if v != v or (zero_is_none and v == 0):
        return None
    return v


def aware(naive: dt.datetime, tz: str) -> dt.datetime:
    """A local wall-clock time in ``tz`` made timezone-aware (an ambiguous hour takes its first occurrence)."""
    return naive.replace(tzinfo=ZoneInfo(tz))


#: Why a row of an open-data file was rejected or left out: message id → English (``%(name)s`` placeholders:
#: ``row``, ``column`` — the source's own column name — and the message's own). Pages render the translatable
#: template of the same id (``pingan.stats.apps.IMPORT_FAILURES``) in the reader's language.
OPEN_DATA_ROW_MESSAGES = {
    "row_unreadable_value": "row %(row)s: cannot read the %(column)s “%(value)s”.",
    "row_not_in_mapping": ("row %(row)s: %(column)s “%(value)s” is not in the mapping "
                           "(stats/data/mappings/%(source)s.toml)."),
    "row_empty": "row %(row)s: %(column)s is empty.",
    "row_duplicate": "row %(row)s: %(column)s %(value)s already on row %(first)s.",
    "row_not_whole": "row %(row)s: %(column)s is not a whole number.",
    "row_unknown_value": "row %(row)s: unknown %(column)s “%(value)s”.",
    "row_supplement_not_counted": ("row %(row)s: supplemental report of incident number %(number)s whose initial "
                                   "report is not in the file; supplements are not counted (DataSF)."),
}


def row_issue(row: int, kind: str, code: str, message_id: str, column: str, **params) -> RowIssue:
    """A row issue of an open-data importer (:data:`OPEN_DATA_ROW_MESSAGES`), naming the source's column."""
    return coded_issue(row, kind, code, message_id, {**params, "column": column}, OPEN_DATA_ROW_MESSAGES, column)


def coded_issue(row: int, kind: str, code: str, message_id: str, params: dict, messages: dict[str, str],
                column: str | None = None, **values) -> RowIssue:
    """A row issue whose why is a message id and params (``values["message"]``, rendered by the page in the
    reader's language: ``stats_tags.issue_text``); ``message`` is its English (``messages``: id → English)."""
    from pingan.screening.roster import english

    params = {**params, "row": row}
    return RowIssue(row, kind, code, english(message_id, params, messages), column,
                    {**values, "message": {"code": message_id, "params": params}})


@dataclass(frozen=True)
class Source:
    """A registered importer: ``read(path)`` → :class:`ImportRead`; ``default`` the bundled file."""

    key: str
    description: str
    org: str
    read: Callable[..., ImportRead]
    default: Callable[[], Path]


@cache
def sources() -> dict[str, Source]:
    """The registered importers by key."""
    from pingan.stats.importers import chicago, nyc, sf

    return {s.key: s for s in (chicago.CRIMES, chicago.ASSAULTS, sf.SOURCE, nyc.SHOOTINGS, nyc.HOMICIDES,
                               nyc.COLLISIONS)}
