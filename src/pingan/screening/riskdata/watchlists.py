"""Watchlists of persons: the UN Security Council consolidated list, the OFAC SDN list, and bureau CSV lists.

All three readers return ``(entries, rejections)``: the entries in one Arrow table shape
(:data:`WATCHLIST_SCHEMA`), one row per listed *individual*:
``entry_id`` (``"UN:QDi.001"``, ``"OFAC:2674"``, ``"<list>:<id>"``), ``list_name``, ``program``, ``category``,
``primary_name``, ``aliases``, ``names_original_script``, ``birth_dates`` (ISO 8601 ``YYYY-MM-DD`` or the
reduced precisions ``YYYY-MM`` / ``YYYY``), ``nationalities``, ``documents`` (``doc_type``, ``number``,
``country``), ``listed_on``, ``remarks`` and ``notes`` (code + JSON params: how a field was read when it was
read coarser than written, or could not be read — the entry is kept with everything else it gives).

Dates of birth in any common form (``1990/3/7``, ``1990年3月7日``, ``7 Mar 1990``, ``circa 1990``, ranges,
``1990-00-00``) are read by :func:`pingan.lib.identity.dates.parse_birth_dates` at the precision they carry;
an impossible date (``1990-02-30``) is kept at the precision that exists (``1990-02``) with a note; an
unreadable one is noted and the entry kept with its names and document numbers.

Entities, vessels and aircraft are not persons: they are skipped and counted in the table's schema metadata
``pingan.watchlist`` (JSON).

The rejections (:data:`pingan.screening.riskdata.movements.REJECTION_SCHEMA`: file, row, column, code, message)
are the entries that cannot be kept (a bureau list's row without a name, a repeated id …). Nothing is dropped
without its reason.

A text holding a control, text-direction or line-separator character (:mod:`pingan.lib.textchars`) does not
cost the entry: the review found UN and OFAC entries rejected for it — a sanctions coverage gap, since a listed
person dropped is never matched. Every reader keeps the entry with the characters removed from that text (what
matching compares) and a ``control_characters`` note (:data:`ENTRY_NOTES`) naming the field, the characters and
the text as read with each one written ``⟨U+XXXX⟩`` in its place (``value``: what pages show for the name,
:func:`shown_names`); the table's metadata counts them as ``accepted_with_warning``.

Sources of the formats: the UN list's XML schema https://www.un.org/sc/resources/sc-sanctions.xsd; OFAC's
legacy delimited files as described in its ``dat_spec.txt`` (no header, ``-0-`` for null, remarks holding
``DOB``, ``POB``, ``nationality``, ``Passport ...`` separated by ``;``).  This module imports no Django.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from pingan.lib import csvlines, textchars
from pingan.lib.identity.dates import DATE_NOTES, BirthDate, listed_params, parse_birth_dates
from pingan.lib.identity.documents import ERRORS_ZH, normalize_document

DOCUMENT = pa.struct([("doc_type", pa.string()), ("number", pa.string()), ("country", pa.string())])
#: A note on an entry: a stable ``code`` (:data:`ENTRY_NOTES`) and its params as JSON text.
NOTE = pa.struct([("code", pa.string()), ("params", pa.string())])

WATCHLIST_SCHEMA = pa.schema([
    pa.field("entry_id", pa.string(), nullable=False),
    pa.field("list_name", pa.string(), nullable=False),
    pa.field("program", pa.string()),
    pa.field("category", pa.string(), nullable=False),
    pa.field("primary_name", pa.string(), nullable=False),
    pa.field("aliases", pa.list_(pa.string())),
    pa.field("names_original_script", pa.list_(pa.string())),
    pa.field("birth_dates", pa.list_(pa.string())),
    pa.field("nationalities", pa.list_(pa.string())),
    pa.field("documents", pa.list_(DOCUMENT)),
    pa.field("listed_on", pa.date32()),
    pa.field("remarks", pa.string()),
    pa.field("notes", pa.list_(NOTE)),
])


class WatchlistFormatError(ValueError):
    """A watchlist file as a whole cannot be read (the message names the file and what is wrong)."""


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


#: Notes on a kept entry (code → English, 中文 templates over the params): the date notes of
#: :data:`pingan.lib.identity.dates.DATE_NOTES` plus a resident ID number that fails its check.
ENTRY_NOTES: dict[str, tuple[str, str]] = {
    **DATE_NOTES,
    "bad_id_number": ("%(value)s is not a valid GB 11643 resident ID number (%(why)s); it is kept and compared "
                      "as written", "%(value)s 不是有效的公民身份号码（%(why)s），已按原样保留并比对"),
    "control_characters": ("%(field)s holds characters that do not show as text (%(chars)s): the entry is kept, "
                           "compared without them, and shown as %(value)s",
                           "%(field)s 含有不能作为文字显示的字符（%(chars)s）：条目已保留，比对时去除这些字符，"
                           "显示为 %(value)s"),
}


def entry_note_text(code: str, params: dict[str, str], lang: str = "en") -> str:
    """An :data:`ENTRY_NOTES` note in English or Chinese (``lang`` ``"zh"``), never both side by side. The
    ``why`` of ``bad_id_number`` is said from its ``why_code`` (the identity module's error code) in
    Chinese; notes stored before it kept an "English / 中文" text, of which each language takes its half."""
    if code == "bad_id_number":
        why = str(params.get("why", ""))
        en_why, _, zh_why = why.partition(" / ") if not params.get("why_code") else (why, "", "")
        zh_why = ERRORS_ZH.get(str(params.get("why_code", "")), zh_why or en_why)
        params = {**params, "why": zh_why if lang == "zh" else en_why}
    params = listed_params(params, lang)
    en, zh = (t % params for t in ENTRY_NOTES[code])
    return zh if lang == "zh" else en


def _note(code: str, **params: Any) -> dict[str, str]:
    return {"code": code, "params": json.dumps(params, ensure_ascii=False, separators=(",", ":"), sort_keys=True)}


def read_birth_dates(values: list[str], notes: list[dict[str, str]]) -> list[str]:
    """ISO dates at their precision for the date-of-birth texts ``values`` (any common form, see
    :func:`~pingan.lib.identity.dates.parse_birth_dates`), in order, without repeats; a text read coarser
    than written, or not at all, adds a note to ``notes`` (params ``value`` and ``read_as``)."""
    out: list[str] = []
    for value in values:
        parsed: list[BirthDate] = parse_birth_dates(value)
        if not parsed:
            notes.append(_note("unreadable_date", value=value))
        for d in parsed:
            out.append(d.iso)
        if coarse := [d for d in parsed if d.note]:  # one note per text (a range gives several years)
            notes.append(_note(coarse[0].note or "", value=value, read_as=[d.iso for d in coarse]))
    return list(dict.fromkeys(out))


def _rejections(rejects: list[tuple]) -> pa.Table:
    from pingan.screening.riskdata.movements import rejections_table

    return rejections_table(rejects)


def _kept(field: str, text: str, notes: list[dict[str, str]]) -> str:
    """``text`` (the value of ``field``) without the characters :mod:`pingan.lib.textchars` does not let stay —
    control, text-direction, line-separator (a line break inside a value is none: a remark may hold one) — with
    a ``control_characters`` note in ``notes`` naming them and the text as shown (each ``⟨U+XXXX⟩`` in its
    place) when there were any; ``text`` itself otherwise."""
    found = textchars.find_all_unsafe(text)
    if not found:
        return text
    kept = _clean(textchars.for_output(text))
    notes.append(_note("control_characters", field=field, chars=", ".join(dict.fromkeys(f.code for f in found)),
                       value=_clean(textchars.shown(text)), as_read=kept))
    return kept


def shown_names(notes: list[dict[str, str]] | None) -> dict[str, str]:
    """A name as matching compares it → as pages show it (``⟨U+XXXX⟩`` where a character was removed), from an
    entry's ``control_characters`` notes."""
    out = {}
    for n in notes or []:
        if n.get("code") == "control_characters":
            params = json.loads(n.get("params") or "{}")
            if params.get("as_read"):
                out[params["as_read"]] = params.get("value", params["as_read"])
    return out


def _warned(rows: list[dict]) -> int:
    """How many entries were accepted with a warning (a ``control_characters`` note)."""
    return sum(1 for r in rows if any(n["code"] == "control_characters" for n in r.get("notes") or []))


def _table(rows: list[dict], meta: dict) -> pa.Table:
    noted = Counter(n["code"] for r in rows for n in r.get("notes") or [])
    if noted:
        meta = {**meta, "notes": dict(noted)}
    if warned := _warned(rows):
        meta = {**meta, "accepted_with_warning": warned}
    table = pa.Table.from_pylist(rows, schema=WATCHLIST_SCHEMA)
    return table.replace_schema_metadata({"pingan.watchlist": json.dumps(meta, ensure_ascii=False)})


def _doc_type(label: str) -> str:
    """Canonical document type for a published label (passport / national_id / tax_id / ... or the label)."""
    low = label.lower()
    if "pas" in low:  # Passport, Numéro de passeport, Número de pasaporte, Diplomatic Passport
        return "passport"
    if any(k in low for k in ("national id", "national identification", "cedula", "c.u.r.p", "d.n.i",
                              "identification number", "id card", "identification card", "national foreign id")):
        return "national_id"
    if any(k in low for k in ("r.f.c", "rfc", "nit #", "tax id", "ruc #")):
        return "tax_id"
    if "driver" in low:
        return "drivers_license"
    return _clean(label)


# --------------------------------------------------------------------------------------------------- UN


def _un_birth_dates(ind: ET.Element, notes: list[dict[str, str]]) -> list[str]:
    texts: list[str] = []
    for dob in ind.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        if _clean(dob.findtext("DATE")):
            texts.append(_clean(dob.findtext("DATE")))
        elif _clean(dob.findtext("YEAR")):
            texts.append(_clean(dob.findtext("YEAR")))
        elif _clean(dob.findtext("FROM_YEAR")) and _clean(dob.findtext("TO_YEAR")):
            # TYPE_OF_DATE BETWEEN: every year of the range, so a year-level comparison can use it.
            texts.append(f"{_clean(dob.findtext('FROM_YEAR'))} to {_clean(dob.findtext('TO_YEAR'))}")
    return read_birth_dates(texts, notes)


def _un_documents(ind: ET.Element) -> list[dict[str, str | None]]:
    docs = []
    for doc in ind.findall("INDIVIDUAL_DOCUMENT"):
        number = _clean(doc.findtext("NUMBER"))
        if not number:
            continue
        country = _clean(doc.findtext("ISSUING_COUNTRY")) or _clean(doc.findtext("COUNTRY_OF_ISSUE")) or None
        docs.append({"doc_type": _doc_type(_clean(doc.findtext("TYPE_OF_DOCUMENT")) or "document"),
                     "number": number, "country": country})
    return docs


_UN_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _un_name_shown(names: list[str], notes: list[dict[str, str]]) -> None:
    """The primary name is the name parts joined: where a part lost characters (its note), a note for the
    joined name too, so that pages show it with each ``⟨U+XXXX⟩`` in its place (:func:`shown_names`)."""
    parts = {p["field"]: p for n in notes if n["code"] == "control_characters"
             for p in [json.loads(n["params"])] if p["field"] in _UN_NAME_PARTS}
    if parts:
        notes.append(_note("control_characters", field="NAME",
                           chars=", ".join(dict.fromkeys(c for p in parts.values() for c in p["chars"].split(", "))),
                           value=" ".join(parts[t]["value"] if t in parts else x
                                          for t, x in zip(_UN_NAME_PARTS, names, strict=True) if x),
                           as_read=" ".join(x for x in names if x)))


def read_un_consolidated(path: Path | str) -> tuple[pa.Table, pa.Table]:
    """Individuals of the UN Security Council consolidated list (XML, schema ``sc-sanctions.xsd``).

    ``entry_id`` is ``"UN:" + REFERENCE_NUMBER`` (e.g. ``UN:QDi.001``); ``program`` the ``UN_LIST_TYPE``
    (Al-Qaida, DPRK, ...); ``primary_name`` FIRST..FOURTH_NAME joined by spaces; ``aliases`` every
    ``ALIAS_NAME`` whatever its ``QUALITY`` (Good / Low: the marker is dropped, the name kept);
    ``names_original_script`` the ``NAME_ORIGINAL_SCRIPT`` (Arabic, Cyrillic ...); ``birth_dates`` from
    ``DATE`` (``YYYY-MM-DD``), ``YEAR``, or each year of ``FROM_YEAR``..``TO_YEAR``; ``listed_on`` the
    ``LISTED_ON`` date; ``remarks`` ``COMMENTS1``.  Entities are counted in metadata (``skipped_entities``).
    A ``.gz`` file is decompressed first. Returns ``(entries, rejections)``: an individual any of whose texts
    holds a control or text-direction character is kept without it, with a note (``column``: the element).
    Raises :class:`WatchlistFormatError` if the file is not this XML.
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            root = ET.parse(fh).getroot()  # noqa: S314 - a trusted, published government list
    except (ET.ParseError, OSError, EOFError) as exc:
        raise WatchlistFormatError(f"{path}: not readable XML ({exc})") from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise WatchlistFormatError(f"{path}: root element is {root.tag}, expected CONSOLIDATED_LIST")
    rows = []
    rejects: list[tuple] = []
    for ind in root.iterfind("INDIVIDUALS/INDIVIDUAL"):
        notes: list[dict[str, str]] = []
        for el in ind.iter():  # a text holding a control character: kept without it, noted
            if el.text:
                el.text = _kept(el.tag, el.text, notes)
        names = [_clean(ind.findtext(t)) for t in _UN_NAME_PARTS]
        _un_name_shown(names, notes)
        listed = _clean(ind.findtext("LISTED_ON"))
        rows.append({
            "entry_id": "UN:" + _clean(ind.findtext("REFERENCE_NUMBER")),
            "list_name": "UN Security Council Consolidated List",
            "program": _clean(ind.findtext("UN_LIST_TYPE")) or None,
            "category": "sanctioned",
            "primary_name": " ".join(n for n in names if n),
            "aliases": list(dict.fromkeys(
                n for a in ind.findall("INDIVIDUAL_ALIAS") if (n := _clean(a.findtext("ALIAS_NAME"))))),
            "names_original_script": [n for e in ind.findall("NAME_ORIGINAL_SCRIPT") if (n := _clean(e.text))],
            "birth_dates": _un_birth_dates(ind, notes),
            "nationalities": [n for v in ind.findall("NATIONALITY/VALUE") if (n := _clean(v.text))],
            "documents": _un_documents(ind),
            "listed_on": date.fromisoformat(listed[:10]) if re.match(r"\d{4}-\d{2}-\d{2}", listed) else None,
            "remarks": _clean(ind.findtext("COMMENTS1")) or None,
            "notes": notes,
        })
    meta = {"source": path.name, "date_generated": root.get("dateGenerated"), "individuals": len(rows),
            "skipped_entities": len(root.findall("ENTITIES/ENTITY"))}
    if rejects:
        meta["rejected_rows"] = len(rejects)
    return _table(rows, meta), _rejections(rejects)


# ------------------------------------------------------------------------------------------------- OFAC

_OFAC_NULL = "-0-"
_DOB = re.compile(r"^(?:alt\.\s+)?DOB\s+(.+?)\.?$", re.IGNORECASE)
_DOC_LABELS = sorted((
    "Passport", "Diplomatic Passport", "National ID No.", "Cedula No.", "C.U.R.P.", "R.F.C.", "RFC", "D.N.I.",
    "Identification Number", "Driver's License No.", "SSN", "Tax ID No.", "NIT #", "RUC #",
    "Electoral Registry No.", "Credencial electoral", "Cartilla de Servicio Militar Nacional",
    "National Foreign ID Number", "Residency Number", "Personal ID Card", "Identification Card",
    "Birth Certificate Number", "Stateless Person Passport", "Refugee ID Card",
), key=len, reverse=True)
_DOC = re.compile(
    r"^(?:alt\.\s+)?(?P<label>" + "|".join(re.escape(x) for x in _DOC_LABELS) + r"|[A-Za-z' ]*Passport)\s+"
    r"(?P<number>[^;]+?)\s*(?:\((?P<country>[^()]*)\))?(?:\s+(?:issued|expires|Issue Date|Expire).*)?\.?$"
)


def _ofac_value(text: str) -> str | None:
    text = text.strip()
    return None if text in ("", _OFAC_NULL) else text


def ofac_date(text: str) -> str | None:
    """An OFAC date (``10 Dec 1948``, ``Dec 1948``, ``1948``, or any form of
    :func:`~pingan.lib.identity.dates.parse_birth_dates`) as ISO 8601 at its precision, else ``None``;
    an impossible day (``30 Feb 1948``) gives the month."""
    parsed = parse_birth_dates(text)
    return parsed[0].iso if len(parsed) == 1 else None


def parse_ofac_remarks(remarks: str) -> dict[str, list]:
    """Birth dates, nationalities and documents from an OFAC ``Remarks`` field.

    The field is ``;``-separated: ``DOB 10 Dec 1948``, ``alt. DOB 1950``, ``DOB 1960 to 1965`` (each year),
    ``DOB circa 1960``, ``nationality Iran``, ``citizen Mexico``, ``Passport A1234 (Iran) issued ...``,
    ``Cedula No. 123 (Colombia)`` ...  Returns ``{"birth_dates", "nationalities", "documents", "notes"}``
    (``notes``: dates read coarser than written, or not at all); a part that matches none of these stays
    only in the remarks.  Weak aliases quoted in the remarks
    (``a.k.a. 'CHI BANG'``) are returned as ``"aliases"``.
    """
    births: list[str] = []
    nats: list[str] = []
    docs: list[dict[str, str | None]] = []
    aliases: list[str] = []
    notes: list[dict[str, str]] = []
    for part in (p.strip() for p in remarks.split(";")):
        if m := _DOB.match(part):
            value = m.group(1).strip()
            if " to " in value and not re.fullmatch(r"\d{4} to \d{4}", value):
                lo, hi = (ofac_date(v) for v in value.split(" to ", 1))  # Dec 1960 to Feb 1961: both ends
                births.extend(d for d in (lo, hi) if d)
                if not (lo and hi):
                    notes.append(_note("unreadable_date", value=value))
            else:
                births.extend(read_birth_dates([value], notes))
        elif m := re.match(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+?)\.?$", part):
            nats.append(m.group(1).strip())
        elif m := re.match(r"^[afn]\.k\.a\.,?\s+'(.+)'\.?$", part):
            aliases.append(m.group(1).strip())
        elif (m := _DOC.match(part)) and re.search(r"\d", m.group("number")):
            docs.append({"doc_type": _doc_type(m.group("label")), "number": m.group("number").strip(),
                         "country": (m.group("country") or "").strip() or None})
    return {"birth_dates": list(dict.fromkeys(births)), "nationalities": list(dict.fromkeys(nats)),
            "documents": docs, "aliases": aliases, "notes": notes}


def _quote_reject(p: csvlines.QuoteProblem, header: list[str]) -> tuple[str | None, str, str]:
    """(column, ``bad_quote``, message) of a line whose double quote could not be trusted."""
    column = header[p.column] if p.column < len(header) else None
    return column, "bad_quote", csvlines.describe(p, column)


#: The columns of OFAC's legacy files (dat_spec.txt), by file: how a rejection names the field.
OFAC_COLUMNS = {
    "sdn.csv": ("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type", "Tonnage", "GRT",
                "Vess_flag", "Vess_owner", "Remarks"),
    "alt.csv": ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    "sdn_comments.csv": ("ent_num", "Remarks_Extended"),
}


def _ofac_kept(path: Path, row: list[str], notes: list[dict[str, str]]) -> list[str]:
    """A row of an OFAC file with each cell's control or text-direction characters removed (:func:`_kept`),
    a note per such cell in ``notes`` (the field named as ``dat_spec.txt`` names it)."""
    names = OFAC_COLUMNS.get(path.name, ())
    return [_kept(names[j] if j < len(names) else f"field {j + 1}", cell, notes) for j, cell in enumerate(row)]


def _read_ofac_csv(path: Path, width: int) -> list[tuple[int, list[str]]]:
    """Rows of a legacy OFAC file with their line numbers: no header, CRLF, a trailing Ctrl-Z (0x1A)
    end-of-file byte."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise WatchlistFormatError(f"{path}: cannot read ({exc})") from exc
    # the end-of-file byte only: a Ctrl-Z inside a row is a control character like any other (_ofac_odd)
    text = re.sub(r"\x1a+(?=\s*\Z)", "", text)
    rows = []
    for item in csvlines.scan(text, multiline=lambda cells: csvlines.runaway_cell(cells, ",", width)):
        if isinstance(item, csvlines.QuoteProblem):
            raise WatchlistFormatError(f"{path.name}: {csvlines.describe(item)} (download the file again from "
                                       "OFAC if it was not edited)")
        n, row = item.line, item.cells
        if not row or row == [""]:
            continue
        if len(row) < width:
            raise WatchlistFormatError(f"{path.name} line {n}: {len(row)} fields, expected {width} (OFAC dat_spec)")
        rows.append((n, row))
    return rows


def read_ofac_sdn(directory: Path | str) -> tuple[pa.Table, pa.Table]:
    """Individuals of the OFAC SDN list from its legacy CSV files ``sdn.csv``, ``alt.csv`` (and optional
    ``add.csv`` / ``sdn_comments.csv``) in ``directory``.

    ``sdn.csv`` columns per OFAC's dat_spec: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
    Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; only ``SDN_Type == individual`` rows are kept,
    the others are counted in metadata (``skipped``: entities, vessels, aircraft).  ``entry_id`` is
    ``"OFAC:" + ent_num``; ``primary_name`` the SDN_Name as published (``LAST, First``); ``aliases`` the
    ``alt.csv`` names (aka / fka / nka) then the weak aliases quoted in the remarks; birth dates,
    nationalities and documents come from the remarks
    (see :func:`parse_ofac_remarks`), extended by ``sdn_comments.csv``.  ``listed_on`` is null (the legacy
    files carry no listing date).  Returns ``(entries, rejections)``: a cell of any of the files holding a
    control or text-direction character is kept without it, with a note on the entry (:func:`_kept`). Raises
    :class:`WatchlistFormatError` when ``sdn.csv`` is missing or malformed.
    """
    directory = Path(directory)
    sdn_path = directory / "sdn.csv"
    if not sdn_path.is_file():
        raise WatchlistFormatError(f"{directory}: no sdn.csv (OFAC legacy CSV files expected)")
    rejects: list[tuple] = []
    comments: dict[str, str] = {}
    noted: dict[str, list[dict[str, str]]] = {}  # an entry's notes from alt.csv and sdn_comments.csv
    if (directory / "sdn_comments.csv").is_file():
        for _line, row in _read_ofac_csv(directory / "sdn_comments.csv", 2):
            row = _ofac_kept(directory / "sdn_comments.csv", row, noted.setdefault(row[0].strip(), []))
            comments[row[0].strip()] = comments.get(row[0].strip(), "") + (_ofac_value(row[1]) or "")
    aliases: dict[str, list[str]] = {}
    if (directory / "alt.csv").is_file():
        for _line, row in _read_ofac_csv(directory / "alt.csv", 4):
            row = _ofac_kept(directory / "alt.csv", row, noted.setdefault(row[0].strip(), []))
            if name := _ofac_value(row[3]):
                aliases.setdefault(row[0].strip(), []).append(name)
    skipped: Counter[str] = Counter()
    rows = []
    for _line, row in _read_ofac_csv(sdn_path, 12):
        ent, kind = row[0].strip(), (_ofac_value(row[2]) or "entity").lower()
        if kind != "individual":
            skipped[kind] += 1
            continue
        notes: list[dict[str, str]] = []
        row = _ofac_kept(sdn_path, row, notes)
        remarks = (_ofac_value(row[11]) or "") + comments.get(ent, "")
        parsed = parse_ofac_remarks(remarks)
        rows.append({
            "entry_id": f"OFAC:{ent}",
            "list_name": "OFAC Specially Designated Nationals and Blocked Persons List",
            "program": _ofac_value(row[3]),
            "category": "sanctioned",
            "primary_name": _clean(row[1]),
            "aliases": list(dict.fromkeys([*aliases.get(ent, []), *parsed["aliases"]])),
            "names_original_script": [],
            "birth_dates": parsed["birth_dates"],
            "nationalities": parsed["nationalities"],
            "documents": parsed["documents"],
            "listed_on": None,
            "remarks": remarks or None,
            "notes": [*notes, *noted.get(ent, []), *parsed["notes"]],
        })
    meta = {"source": str(directory.name), "individuals": len(rows), "skipped": dict(skipped),
            "skipped_entities": sum(skipped.values())}
    if rejects:
        meta["rejected_rows"] = len(rejects)
    return _table(rows, meta), _rejections(rejects)


# ------------------------------------------------------------------------------------ bureau CSV lists

WATCHLIST_CSV_COLUMNS = ("entry_id", "category", "name", "aliases", "id_type", "id_number", "birth_date",
                         "nationality", "note")
#: Categories a bureau-maintained list may use (在逃 wanted, 失踪 missing, 重点人员 key person, sanctioned).
CATEGORIES = frozenset({"wanted", "missing", "key_person", "sanctioned"})
#: A bureau list's Chinese headers (在逃、失踪、重点人员名单) → the column they are; English headers
#: (:data:`WATCHLIST_CSV_COLUMNS`) are read as well, or a mix.
HEADER_ALIASES: dict[str, str] = {
    "编号": "entry_id", "人员编号": "entry_id", "序号": "entry_id", "类别": "category", "人员类别": "category",
    "姓名": "name", "别名": "aliases", "曾用名": "aliases", "别名/曾用名": "aliases", "证件类型": "id_type",
    "证件号码": "id_number", "身份证号": "id_number", "公民身份号码": "id_number", "出生日期": "birth_date",
    "国籍": "nationality", "备注": "note",
}
#: Categories as a Chinese list names them → the stable code stored.
CATEGORY_ALIASES: dict[str, str] = {
    "在逃": "wanted", "在逃人员": "wanted", "网上在逃": "wanted", "失踪": "missing", "失踪人员": "missing",
    "重点人员": "key_person", "重点": "key_person", "制裁": "sanctioned", "受制裁": "sanctioned",
}
#: ``id_type`` values denoting the PRC resident identity card, whose number is checked per GB 11643-1999.
RESIDENT_ID_TYPES = frozenset({"居民身份证", "身份证", "resident_id", "gb11643"})
def _resident_id_problem(number: str) -> tuple[str, str] | None:
    """Why a listed resident ID number fails GB 11643-1999, as ``(English text, error code)`` — the identity
    module's own message, which names a stray character and its position or the length
    (``pingan.lib.identity.documents``) — or ``None``.

    A checksum-valid number with an address code no table lists is no problem (docs/matching.md §2): a
    person's number keeps the code in force when it was issued.
    """
    doc = normalize_document(number, "ric")
    return None if doc.valid else (doc.error or "", doc.error_code or "")


def read_watchlist_csv(path: Path | str, *, list_name: str | None = None) -> tuple[pa.Table, pa.Table]:
    """Read a bureau-maintained watchlist CSV (UTF-8, header row) and validate it row by row.

    Columns (headed in English or in Chinese, :data:`HEADER_ALIASES`): ``entry_id`` (required, unique in the
    file), ``category`` (required: wanted / missing / key_person / sanctioned, or 在逃 / 失踪 / 重点人员 / 制裁,
    :data:`CATEGORY_ALIASES`), ``name`` (required), ``aliases`` (``;``-separated), ``id_type`` and
    ``id_number`` (both or neither), ``birth_date`` (any common form — ``1990-03-07``, ``1990/3/7``,
    ``1990年3月7日``, ``1990-03``, ``1990``, ``7 Mar 1990``; several separated by ``;``), ``nationality``,
    ``note``.

    Returns ``(entries, rejections)``: ``entries`` has :data:`WATCHLIST_SCHEMA` with ``entry_id`` as
    ``"<list_name>:<entry_id>"`` (``list_name`` defaults to the file's stem); ``rejections`` has
    ``file, row, column, code, message`` (``row`` = line number, header = 1), one row per problem.  A row
    is rejected only when it cannot make an entry: a missing or repeated ``entry_id``, no ``name``, an
    unknown ``category``, ``id_type`` without ``id_number`` or the reverse, a wrong field count. A date of
    birth that cannot be read, or is impossible (``1990-02-30``, kept as ``1990-02``), and a resident ID
    number failing GB 11643-1999 (``bad_id_number``, kept as written) are *notes* on the kept entry
    (:data:`ENTRY_NOTES`), never a reason to drop it with its other names and document numbers; on a row
    rejected for another reason they are reported among its rejections too.  Raises
    :class:`WatchlistFormatError` for a missing required column or an unreadable file.
    """
    from pingan.screening.riskdata.movements import canonical_header

    path = Path(path)
    list_name = list_name or path.stem
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistFormatError(f"{path}: cannot read as UTF-8 ({exc}); save it as UTF-8 CSV") from exc
    # line by line: a stray quote rejects its line instead of merging the rows below it into one cell
    # (a note may hold line breaks: a cell spanning lines is kept unless it swallowed rows, see runaway_cell)
    width = [0]
    items = csvlines.scan(text, multiline=lambda cells: csvlines.runaway_cell(cells, ",", width[0]))
    first = next((it for it in items if isinstance(it, csvlines.Record)), None)
    header = canonical_header(first.cells, HEADER_ALIASES) if first is not None else []
    width[0] = len(header)
    missing = [c for c in ("entry_id", "category", "name") if c not in header]
    if missing:
        raise WatchlistFormatError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must be {','.join(WATCHLIST_CSV_COLUMNS)}")
    rows: list[dict] = []
    rejects: list[tuple] = []
    seen: dict[str, int] = {}
    for item in items:
        line = item.line

        def bad(column: str | None, code: str, message: str, line: int = line) -> None:
            rejects.append((path.name, line, column, code, message))

        if isinstance(item, csvlines.QuoteProblem):
            bad(*_quote_reject(item, header))
            continue
        record = item.cells
        if not record or all(not v.strip() for v in record):
            continue
        if len(record) != len(header):
            bad(None, "wrong_field_count", f"line {line} has {len(record)} fields, the header has {len(header)}")
            continue
        # pingan.lib.textchars: zero-width characters removed; a control or text-direction character too, the
        # entry kept with a note (a listed name is shown on officers' pages; an entry dropped is never matched)
        notes: list[dict[str, str]] = []
        v = {h: _kept(h, textchars.strip_invisible(record[i]).strip(), notes) for i, h in enumerate(header)}
        if v.get("category") in CATEGORY_ALIASES:
            v["category"] = CATEGORY_ALIASES[v["category"]]
        n_before = len(rejects)
        for col in ("entry_id", "category", "name"):
            if not v.get(col):
                bad(col, "missing", f"{col} is empty")
        if v.get("entry_id") and v["entry_id"] in seen:
            bad("entry_id", "duplicate", f"entry_id {v['entry_id']} already used on line {seen[v['entry_id']]}")
        if v.get("category") and v["category"] not in CATEGORIES:
            bad("category", "bad_category",
                f"category {v['category']!r} is not one of {', '.join(sorted(CATEGORIES))}")
        id_type, id_number = v.get("id_type", ""), v.get("id_number", "").upper()
        if bool(id_type) != bool(id_number):
            bad("id_number" if id_type else "id_type", "missing", "id_type and id_number go together")
        elif id_type in RESIDENT_ID_TYPES and (why := _resident_id_problem(id_number)):
            notes.append(_note("bad_id_number", value=id_number, why=why[0], why_code=why[1]))
        birth = v.get("birth_date", "")
        births = read_birth_dates([b.strip() for b in birth.split(";") if b.strip()], notes)
        if v.get("entry_id"):
            seen.setdefault(v["entry_id"], line)
        if len(rejects) > n_before:
            for n in notes:  # the row is rejected anyway: say everything that needs fixing
                if n["code"] == "control_characters":
                    continue  # removed: nothing to fix for it
                params = json.loads(n["params"])
                column = "id_number" if n["code"] == "bad_id_number" else "birth_date"
                bad(column, n["code"], entry_note_text(n["code"], params, "en"))
            continue
        doc_type = "resident_id" if id_type in RESIDENT_ID_TYPES else _doc_type(id_type) if id_type else None
        rows.append({
            "entry_id": f"{list_name}:{v['entry_id']}",
            "list_name": list_name,
            "program": None,
            "category": v["category"],
            "primary_name": v["name"],
            "aliases": [a.strip() for a in v.get("aliases", "").split(";") if a.strip()],
            "names_original_script": [],
            "birth_dates": births,
            "nationalities": [v["nationality"]] if v.get("nationality") else [],
            "documents": [{"doc_type": doc_type, "number": id_number, "country": None}] if doc_type else [],
            "listed_on": None,
            "remarks": v.get("note") or None,
            "notes": notes,
        })
    table = _table(rows, {"source": path.name, "individuals": len(rows), "rejected_rows": len(
        {r[1] for r in rejects})})
    return table, _rejections(rejects)
