"""The screening app's message templates: reasons, rejected rows, notes on how a roster was read, risk-data
warnings — rendered in the reader's language from the codes and parameters the results store.

The codes are those of :mod:`pingan.screening.reasons` (a row's reasons), :data:`pingan.screening.roster.
REJECTION_CODES` (``rejection.*``), the roster's notes (``roster.*``, :attr:`RosterMeta.notes`) and the
engine's coverage notes (``risk.*``). Registered with :func:`pingan.core.texts.register` by the app config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from pingan.core.texts import by_params, clauses, join, lang, render

#: What each document type's number looks like (``identity.bad_length``, ``identity.bad_characters``).
EXPECTED_LENGTH = {
    "ric": _("18 characters (15 on a first-generation card)"),
    "hmt_residence": _("18 characters"),
    "foreign_pr": _("18 characters (15 on the 2017 card)"),
    "hk_mo_permit": _("a letter and 8 or 10 digits"),
    "tw_permit": _("8 or 10 digits"),
    "passport": _("5 to 9 characters"),
}
SHAPE = {
    "ric": _("a resident ID number is 17 digits followed by a digit or X"),
    "passport": _("a passport number is letters A–Z and digits"),
}

#: Labels of the roster fields (a duplicated or merged column names its field).
FIELD_LABELS = {
    "name": _("full name"), "id_type": _("document type"), "id_number": _("ID number"), "phone": _("phone"),
    "sex": _("sex"), "birth_date": _("birth date"), "nationality": _("nationality"), "address": _("room/address"),
    "start_date": _("move-in/start date"),
}


def _bad_length(p: Mapping[str, Any]) -> str:
    expected = EXPECTED_LENGTH.get(p.get("doc_type", ""))
    n = int(p.get("length", 0) or 0)
    has = ngettext("the number has %(n)s character", "the number has %(n)s characters", n) % {"n": n}
    return gettext("%(has)s; it should have %(expected)s") % {"has": has, "expected": expected} if expected else has


def _bad_characters(p: Mapping[str, Any]) -> str:
    if "position" not in p:
        return gettext("characters not allowed in this document number")
    if p.get("masked"):  # 4403061985****1005: a masked copy, not a typo
        last = p.get("last") or int(p["position"]) + int(p.get("count", 1) or 1) - 1
        return gettext("the number is masked (characters %(position)s–%(last)s hidden): give the full number") % {
            "position": p["position"], "last": last}
    text = gettext("character %(position)s, “%(char)s”, is not allowed") % p
    if p.get("looks_like"):
        text += gettext(" (probably %(looks_like)s)") % p
    count = int(p.get("count", 1) or 1)
    if count > 1:
        text += ngettext(" (%(n)s such character)", " (%(n)s such characters)", count) % {"n": count}
    shape = SHAPE.get(p.get("doc_type", ""))
    return gettext("%(what)s: %(shape)s") % {"what": text, "shape": shape} if shape else text


#: What a character :mod:`pingan.lib.textchars` rejects is, by its class (``rejection.control_character``).
CHARACTER_KINDS = {
    "bidi": _("a text-direction control character"),
    "separator": _("a Unicode line separator"),
    "control": _("a control character"),
}


#: ``rejection.control_character`` of a row holding one such character: by its class.
_ONE_CONTROL_CHARACTER = by_params(lambda p: {
    "bidi": _("%(label)s (column %(letter)s) holds a text-direction control character, %(char)s, at character "
              "%(position)s: it is invisible but reverses how the text around it shows, so the row was not "
              "screened. Type the cell again and upload the file again."),
    "separator": _("%(label)s (column %(letter)s) holds a Unicode line separator, %(char)s, at character "
                   "%(position)s: programs show it differently, so the row was not screened. Type the cell "
                   "again and upload the file again."),
}.get(p.get("kind"), _("%(label)s (column %(letter)s) holds a control character, %(char)s, at character "
                      "%(position)s: it does not show as text (a terminal may act on it), so the row was not "
                      "screened. Type the cell again and upload the file again.")))


def _cells_holding(p: Mapping[str, Any]) -> str:
    """The cells of a row holding several such characters (``chars``), each character named, by its cell."""
    cells: dict[tuple[str, str], list[str]] = {}
    for c in p.get("chars") or ():
        what = CHARACTER_KINDS.get(c.get("kind", ""), CHARACTER_KINDS["control"])
        cells.setdefault((str(c.get("label", "")), str(c.get("letter", ""))), []).append(
            gettext("%(what)s %(char)s at character %(position)s") % {
                "what": what, "char": c.get("char", ""), "position": c.get("position", "")})
    return clauses(gettext("%(label)s (column %(letter)s) holds %(chars)s") % {
        "label": label, "letter": letter, "chars": join(chars)} for (label, letter), chars in cells.items())


def _characters_text(one: Any, several: Any) -> Any:
    """``rejection.control_character``: one character by its class (``one``, a template of the parameters); a
    row whose cells hold several (``chars``), each named, by its cell (``several``, with ``%(cells)s``; issue 11:
    a name holding U+202E and an ESC named only the first)."""
    def text(p: Mapping[str, Any]) -> str:
        if len(p.get("chars") or ()) <= 1:
            return one(p)
        return str(several) % {"cells": _cells_holding(p)}
    return text


_control_characters = _characters_text(_ONE_CONTROL_CHARACTER, _(
    "%(cells)s: these characters do not show as text (a text-direction control character reverses how the text "
    "around it shows, a terminal may act on a control character), so the row was not screened. Type the cells "
    "again and upload the file again."))


def _conflicting(p: Mapping[str, Any]) -> str:
    rows = p.get("rows") or []
    count = int(p.get("count") or len(rows))
    text = ngettext("the same ID number is given with another name in row %(rows)s",
                    "the same ID number is given with another name in rows %(rows)s", count) % {"rows": join(rows)}
    if count > len(rows):
        text += ngettext(" and %(n)s more row", " and %(n)s more rows", count - len(rows)) % {"n": count - len(rows)}
    if p.get("compared") is False:
        text += gettext(" (%(n)s different names)") % {"n": p.get("names")}
    return text


def _identity_note(p: Mapping[str, Any]) -> str:
    from pingan.lib.identity.documents import NOTES, Note

    code = p.get("note", "")
    if code not in NOTES:
        return code
    params = p.get("params") or {}
    return Note(code, tuple(sorted((k, str(v)) for k, v in params.items()))).text(lang())


def _formula_with(advice: Any) -> Any:
    """``rejection.formula_without_value``: the cell, any more such cells in the row, then ``advice`` (what to
    do, starting with its full stop)."""
    def text(p: Mapping[str, Any]) -> str:
        said = gettext("the %(label)s cell (%(cell)s) holds a formula whose result was never saved, so it cannot "
                       "be read") % p
        more = int(p.get("more", 0) or 0)
        if more:
            said += ngettext(" (%(n)s more such cell in this row)", " (%(n)s more such cells in this row)",
                             more) % {"n": more}
        return said + str(advice)
    return text


_formula = _formula_with(_(". Open the file in Excel or WPS and save it, then upload it again; or copy the column "
                           "and paste it as values."))


def _too_many_columns(p: Mapping[str, Any]) -> str:
    text = gettext("column %(letter)s holds “%(value)s” but has no header (the row has more cells than the "
                   "header).") % p
    if p.get("csv"):
        text += " " + gettext("If a comma inside an address split one cell into two, put the address in quotes or "
                         "use .xlsx; otherwise delete the extra cell or give the column a header.")
    else:
        text += " " + gettext("Delete the extra cell or give the column a header.")
    return text


_bad_quote = by_params(lambda p: {
    "unclosed": _("the double quote (\") in %(label)s (column %(letter)s) is never closed, so everything after it "
                  "was read as one cell. Delete the stray quote (or add the closing one) and upload the file again."),
    "closes_later": _("the double quote (\") in %(label)s (column %(letter)s) is only closed on line %(until)s, so "
                      "the lines in between were read as one cell; they were read again as rows of their own. Delete "
                      "the stray quote (or close it on this line) and upload the file again."),
    "encloses": _("the double quotes (\") around %(label)s (column %(letter)s) also enclose the cells after it, so "
                  "they were read as one cell. Delete the quotes and upload the file again."),
}.get(p.get("kind"), _("a double quote (\") stands inside the %(label)s cell (column %(letter)s) instead of around "
                       "it. Delete it (or put the whole cell in quotes) and upload the file again.")))


def _listed(value: Any, more: Any = False) -> str:
    """Row numbers, ranges or row pairs as the reader's language lists them (``3↔2、4↔2`` / ``3↔2, 4↔2``), "…"
    after them when there are ``more``. Notes stored before these were lists hold one text joined with "; " or
    ", " (issue 11: "3↔2; 4↔2" on a Chinese page): it is split and listed the same way."""
    if value is None or isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, str):
        value = [x.strip() for x in re.split(r"[;,]\s*", value) if x.strip()]
    return join(value or ()) + ("…" if more else "")


def _duplicates(p: Mapping[str, Any]) -> str:
    people, rows = int(p.get("people", 0)), int(p.get("rows", 0))
    who = ngettext("%(n)s person appears more than once", "%(n)s people appear more than once", people) % {
        "n": people}
    extra = ngettext("%(n)s repeated row", "%(n)s repeated rows", rows) % {"n": rows}
    return gettext("%(who)s (%(extra)s: %(pairs)s); every row was kept and marked.") % {
        "who": who, "extra": extra, "pairs": _listed(p.get("pairs"), p.get("more"))}


def _shared_numbers(p: Mapping[str, Any]) -> str:
    numbers, rows = int(p.get("numbers", 0)), int(p.get("rows", 0))
    what = ngettext("%(n)s ID number is given under different names", "%(n)s ID numbers are each given under "
                    "different names", numbers) % {"n": numbers}
    extra = ngettext("%(n)s row shares one ID number with an earlier row", "%(n)s rows share one ID number with "
                     "an earlier row", rows) % {"n": rows}
    return gettext("%(what)s (%(extra)s: %(pairs)s); check whose number it is and correct the other rows; every "
                   "row was kept and marked.") % {"what": what, "extra": extra,
                                                 "pairs": _listed(p.get("pairs"), p.get("more"))}


def _several(value: Any) -> int:
    """A count for a plural form from a list, a number or a range text such as ``"3"``, ``"3–5"``, ``"3, 7"``
    (notes stored before they carried a count)."""
    if isinstance(value, list | tuple):  # one range ("3–5") is several rows
        return _several(value[0]) if len(value) == 1 else len(value)
    if isinstance(value, int):
        return value
    text = str(value or "")
    return 2 if any(c in text for c in ",–-…") else 1


def _plural(message: Any, key: str) -> Any:
    """A template from ``ngettext_lazy(singular, plural, "n")``: ``n`` is the count of ``params[key]`` (a number,
    a list or a range text, :func:`_several`); a ``more`` flag makes it plural."""
    def template(p: Mapping[str, Any]) -> str:
        n = _several(p.get(key))
        if p.get("more"):
            n = max(n, 2)
        values = {k: join(v) if isinstance(v, list | tuple) else v for k, v in p.items()}
        if key in ("rows", "lines"):  # row and line numbers: listed in the language, "…" when there are more
            values[key] = _listed(p.get(key), p.get("more"))
        return str(message % {**values, "n": n})
    return template


def _unused_columns(message: Any) -> Any:
    """The ``roster.unused_columns`` note: each column by its header and letter, as the language writes them
    (“身份号”（C 列） / “身份号” (column C)), singular or plural by their number."""
    def template(p: Mapping[str, Any]) -> str:
        names, letters = list(p.get("columns") or []), list(p.get("letters") or [])
        each = gettext("“%(header)s” (column %(letter)s)")
        columns = join([each % {"header": h, "letter": x} for h, x in zip(names, letters, strict=False)])
        return str(message % {"columns": columns, "n": len(names)})
    return template


def _field(p: Mapping[str, Any]) -> Mapping[str, Any]:
    return {**p, "field": FIELD_LABELS.get(p.get("field", ""), p.get("field", ""))}


TEMPLATES: dict[str, Any] = {
    # a row's reasons (pingan.screening.reasons)
    "rule": _("%(text)s"),
    "rule_detail": _("%(text)s: %(detail)s"),
    "identity.empty": _("no document number"),
    "identity.bad_length": _bad_length,
    "identity.bad_characters": _bad_characters,
    "identity.bad_check_digit": _("the check character (the last one) does not match the other digits"),
    "identity.bad_birth_date": _("the birth date in the number is not a real date, lies in the future or more "
                                 "than 130 years ago"),
    "identity.unknown_area_code": _("the address code (the first 6 digits) is not and never was an "
                                    "administrative division code"),
    "identity.bad_format": _("the number does not have the format of this document type"),
    "identity.unknown_type": _("cannot tell which document this number belongs to"),
    "identity.not_an_id_number": _("not a valid ID number: neither a resident ID number nor a residence permit, "
                                   "permanent residence card, travel permit or passport number as written on "
                                   "the document"),
    "identity.conflicting": _conflicting,
    "identity_note": _identity_note,
    "phone_invalid": _("the phone number “%(phone)s” is not a valid number and was not used for matching"),
    "duplicate_of": _("same person as row %(row)s"),
    "shares_number_with": _("shares one ID number with row %(row)s, under another name"),
    "not_screened": _("not screened: %(detail)s"),
    "blank_row": _("the row is empty: nothing to screen"),
    "not_screened_status": _("not screened: the roster marks this row “%(status)s”"),
    # rejected rows (pingan.screening.roster.REJECTION_CODES)
    "rejection.bad_quote": _bad_quote,
    "rejection.cut_off": by_params(lambda p: _(
        "the file ends in the middle of this row: it looks cut off here (the file is exactly %(mib)s MiB, a size "
        "files are cut to by an upload limit or a copy that stopped), so the row was not screened and any rows "
        "after it are missing. Check that the file is complete and upload the whole file again; if it is larger "
        "than the upload limit, split it into several files, each ending with a whole row.") if p.get("mib") else _(
        "the file ends in the middle of this row: it looks cut off here, so the row was not screened and any rows "
        "after it are missing. Check that the file is complete and upload the whole file again.")),
    "rejection.nul_byte": _("%(label)s (column %(letter)s) holds NUL bytes, a sign of a damaged export: what the "
                            "cell held cannot be trusted, so the row was not screened. Check the row, type it again "
                            "(or save the file again from Excel) and upload it again."),
    "rejection.control_character": _control_characters,
    "rejection.example_row": _("this is the roster template's example row (%(name)s), not one of your people, so "
                               "it was not screened. Delete the row."),
    "rejection.formula_without_value": _formula,
    "rejection.blank_required": _("name, ID number and phone are all empty; only %(filled)s has content. "
                                  "Complete the person's details or delete the row."),
    "rejection.too_many_columns": _too_many_columns,
    "rejection.too_long": by_params(lambda p: _(
        "the %(field)s (%(label)s) has %(length)s characters; no %(field)s is longer than %(limit)s. Check the "
        "cell (several values or other text pasted into it?), correct it and upload again.")),
    "rejection.missing_name": _("the name is empty: fill it in or delete the row."),
    "rejection.formula_name": _("the name starts with “%(char)s”, so a spreadsheet takes it for a formula, and no "
                                "real name starts so: write the person's name as on their ID document and upload "
                                "the file again."),
    "rejection.id_number_as_number": _("the ID number %(value)s was stored by Excel as a number and lost its last "
                                       "digits, which cannot be recovered. Format the column as Text and type the "
                                       "full 18-character number again (or start it with an apostrophe ')."),
    "rejection.missing_id_number": _("there is neither an ID number nor a phone number, so the person cannot be "
                                     "identified. Fill in the ID number (or at least the phone number)."),
    "rejection.phone_as_number": _("the phone number %(value)s is in scientific notation and has lost digits: "
                                   "format the column as Text and type it again."),
    "rejection.bad_date": _("%(label)s “%(value)s” is not a valid date: write it as 2024-03-01."),
    # notes on how the roster was read (RosterMeta.notes)
    "roster.decoded_without_bom": _("The file has no byte-order mark; it was read as %(encoding)s."),
    "roster.decoded_as_guessed": _("The file is neither UTF-8 nor GBK/GB18030; it was read as %(encoding)s, the "
                                   "encoding it seems to be in. Check that the names read correctly."),
    "roster.nul_bytes_removed": _plural(ngettext_lazy(
        "The file contains NUL bytes (near line %(lines)s); they were removed.",
        "The file contains NUL bytes (near lines %(lines)s); they were removed.", "n"), "lines"),
    "roster.invisible_removed": _plural(ngettext_lazy(
        "Row %(rows)s held zero-width characters (invisible, usually copied from a web page or chat); they were "
        "removed.",
        "Rows %(rows)s held zero-width characters (invisible, usually copied from a web page or chat); they were "
        "removed.", "n"), "rows"),
    "roster.rows_are_lines": _plural(ngettext_lazy(
        "Line %(lines)s holds a double quote that is not in pairs, so the rows of this file are numbered by line, "
        "as a text editor such as Notepad shows them.",
        "Lines %(lines)s hold a double quote that is not in pairs, so the rows of this file are numbered by line, "
        "as a text editor such as Notepad shows them.", "n"), "lines"),
    "roster.cut_off": by_params(lambda p: _(
        "The file is exactly %(mib)s MiB and ends in the middle of row %(row)s: it looks cut off there (by a size "
        "limit or a copy that stopped), so row %(row)s was not screened and any rows after it are missing. Check "
        "that the file is complete; if it is larger than the upload limit, split it into several files, each "
        "ending with a whole row, and upload each.") if p.get("mib") else _(
        "The file ends in the middle of row %(row)s, without a line break: it looks cut off there, so row %(row)s "
        "was not screened and any rows after it are missing. Check that the file is complete and upload it "
        "again.")),
    "roster.maybe_cut_off": by_params(lambda p: _(
        "The file is exactly %(mib)s MiB and its last row (row %(row)s) has no line break after it: the file may "
        "have been cut off there. Check that row %(row)s is complete and is the last row of your roster.")
        if p.get("mib") else _(
        "The file ends in the middle of a character after row %(row)s: it may have been cut off there. Check that "
        "row %(row)s is the last row of your roster.")),
    "roster.lone_carriage_return": _("Line %(line)s ends in a lone carriage return (CR), which was read as a line "
                                     "break; if it and the next line are one row, join them in a text editor."),
    "roster.sheet_chosen": _plural(ngettext_lazy("The workbook has %(sheets)s sheet; sheet “%(sheet)s” was read.",
                                                 "The workbook has %(sheets)s sheets; sheet “%(sheet)s” was read.",
                                                 "n"), "sheets"),
    "roster.identity_merge_not_copied": by_params(lambda p: _(
        "Rows %(first)s–%(last)s: the %(field)s cell is merged. It belongs to row %(first)s only; the other rows "
        "need their own.")),
    "roster.formulas_unlocated": _plural(ngettext_lazy(
        "%(count)s formula cell has no saved result and no cell reference: open the file in Excel or WPS, save it "
        "and upload it again.",
        "%(count)s formula cells have no saved result and no cell reference: open the file in Excel or WPS, save "
        "it and upload it again.", "n"), "count"),
    "roster.title_rows_skipped": _plural(ngettext_lazy(
        "The header is on row %(header_row)s; row %(rows)s above it was skipped as a title.",
        "The header is on row %(header_row)s; rows %(rows)s above it were skipped as titles.", "n"), "rows"),
    "roster.no_id_column": _("The roster has no ID-number column (身份证号/证件号码): nobody's identity can be "
                             "verified, so every row needs verification. Add the column and upload again if "
                             "you have the numbers."),
    "roster.duplicate_column": by_params(lambda p: _(
        "Columns “%(used)s” and “%(others)s” all mean %(field)s: the first is used, the others are kept as extra "
        "columns.")),
    "roster.unused_columns": _unused_columns(ngettext_lazy(
        "%(columns)s is not a roster field, so it was not used in the screening (the result files keep it). "
        "If it holds the name, document type, ID number or phone, give it the template's header (姓名, 证件类型, "
        "证件号码 or 手机号码) and upload the roster again.",
        "%(columns)s are not roster fields, so they were not used in the screening (the result files keep "
        "them). If one holds the name, document type, ID number or phone, give it the template's header (姓名, "
        "证件类型, 证件号码 or 手机号码) and upload the roster again.", "n")),
    "roster.header_characters_removed": _plural(ngettext_lazy(
        "The header of column %(letter)s (“%(label)s”) held %(chars)s, an invisible character that changes how "
        "text shows; it was removed. Delete it from the header in your file.",
        "The header of column %(letter)s (“%(label)s”) held %(chars)s, invisible characters that change how "
        "text shows; they were removed. Delete them from the header in your file.", "n"), "chars"),
    "roster.merges_copied_down": _("Merged cells %(cells)s: the value was copied down to every row of the merge."),
    "roster.duplicates": _duplicates,
    "roster.shared_numbers": _shared_numbers,
    # the engine's coverage notes (batch._Run.coverage_notes)
    # singular or plural by ``count`` (issue 11: "1 people" and the like): ngettext with the count, then filled
    "risk.no_listings": lambda p: ngettext(
        "No %(levels)s risk-area listing is in force in the look-back window (%(window_from)s – %(window_to)s); "
        "the %(count)s listing covers %(first)s to %(last)s. Travel rules cannot match, so green here does not "
        "mean travel was checked.",
        "No %(levels)s risk-area listing is in force in the look-back window (%(window_from)s – %(window_to)s); "
        "the %(count)s listings cover %(first)s to %(last)s. Travel rules cannot match, so green here does not "
        "mean travel was checked.", int(p.get("count") or 0)),
    "risk.no_movements": by_params(lambda p: ngettext(
        "No movement record lies in the look-back window (%(window_from)s – %(window_to)s); the %(count)s record "
        "starts on %(first)s. Travel rules cannot match.",
        "No movement record lies in the look-back window (%(window_from)s – %(window_to)s); the %(count)s records "
        "start between %(first)s and %(last)s. Travel rules cannot match.", int(p.get("count") or 0))),
}

#: Listing levels as the risk-data notes name them.
RISK_LEVELS = {"high": _("high"), "medium": _("medium"), "low": _("low")}
_no_listings = TEMPLATES["risk.no_listings"]
TEMPLATES["risk.no_listings"] = by_params(_no_listings)
TEMPLATES["risk.no_listings"] = (lambda inner: lambda p: inner(
    {**p, "levels": [str(RISK_LEVELS.get(v, v)) for v in p.get("levels", [])]}))(TEMPLATES["risk.no_listings"])

def _with_field_label(template: Any) -> Any:
    """A template that takes a field name (``id_number``), given its translated label instead."""
    return lambda p: template(_field(p))


for _code in ("roster.identity_merge_not_copied", "roster.duplicate_column", "rejection.too_long"):
    TEMPLATES[_code] = _with_field_label(TEMPLATES[_code])


def rejection_text(code: str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """A rejected row's reason in the reader's language (``fallback``: the stored text of an unknown code)."""
    if f"rejection.{code}" not in TEMPLATES:
        return fallback or code
    return render({"code": f"rejection.{code}", "params": dict(params or {})})

# Why a re-evaluation changed a result (pingan.screening.reevaluate, PersonResult.reevaluation["why"]).
TEMPLATES["reeval.listed"] = _("listed on %(date)s: %(community)s (%(adcode)s, %(level)s risk); stayed at %(place)s "
                               "on %(at)s")
TEMPLATES["reeval.cleared"] = _("no rule applies any more: the listing was lifted or changed")


_POLICE_ONE_CONTROL_CHARACTER = by_params(lambda p: _(
    "%(label)s (column %(letter)s) holds an invisible control character, %(char)s, so the cell cannot be shown as "
    "written"))


def _police_characters(p: Mapping[str, Any]) -> str:
    """``rejection.control_character`` for the police: one character by its cell; several (``chars``), all named."""
    if len(p.get("chars") or ()) <= 1:
        return _POLICE_ONE_CONTROL_CHARACTER(p)
    codes = join(dict.fromkeys(str(c.get("char", "")) for c in p.get("chars") or ()))
    return gettext("the row holds invisible control characters, %(codes)s, so it cannot be shown as written") % {
        "codes": codes}


#: What a row not screened means for an officer (police pages: the premises page's flagged people): the problem,
#: without the landlord's instructions (fresh-user trial: the police premises page told the officer to "format
#: the column as Text and type it again"). Keyed like the rejections above; registered as ``police.<code>``.
POLICE_REJECTIONS: dict[str, Any] = {
    "rejection.id_number_as_number": _("ID number unreadable (stored by Excel as the number %(value)s, its last "
                                       "digits lost)"),
    "rejection.phone_as_number": _("phone number unreadable (stored in scientific notation as %(value)s, digits "
                                   "lost)"),
    "rejection.missing_id_number": _("neither an ID number nor a phone number, so the person cannot be "
                                     "identified"),
    "rejection.missing_name": _("the name is empty"),
    "rejection.formula_name": _("the name starts with “%(char)s”: a spreadsheet formula, not a name"),
    "rejection.blank_required": _("name, ID number and phone are all empty; only %(filled)s has content"),
    "rejection.bad_date": _("%(label)s “%(value)s” is not a valid date"),
    "rejection.too_long": _with_field_label(by_params(lambda p: _(
        "%(label)s has %(length)s characters, more than any %(field)s (at most %(limit)s)"))),
    "rejection.cut_off": _("the file ends in the middle of this row (it looks cut off), so the row cannot be read"),
    "rejection.nul_byte": _("%(label)s (column %(letter)s) holds NUL bytes from a damaged export, so the cell "
                            "cannot be trusted"),
    "rejection.control_character": _police_characters,
    "rejection.example_row": _("the roster template's example row (%(name)s), not a person"),
    "rejection.formula_without_value": _("the %(label)s cell (%(cell)s) holds a formula whose result was never "
                                         "saved, so it cannot be read"),
    "rejection.too_many_columns": _("column %(letter)s holds “%(value)s” but has no header"),
    "rejection.bad_quote": _("a stray double quote (\") in %(label)s (column %(letter)s), so the cells after it "
                             "were not read as written"),
}


#: What a row not screened, and a note on how the roster was read, say at the command line (``pingan screen``'s
#: summary and result file): the same problem, with what to do there — correct the file and run the command again
#: — instead of the web page's "upload the file again" (issue 11's trial: ``pingan screen`` told its user to "重新
#: 上传"). Keyed like the templates above; registered as ``cli.<code>``; a code not here keeps its wording (it
#: says nothing of uploading).
COMMAND_LINE_TEXTS: dict[str, Any] = {
    "rejection.bad_quote": by_params(lambda p: {
        "unclosed": _("the double quote (\") in %(label)s (column %(letter)s) is never closed, so everything after "
                      "it was read as one cell. Delete the stray quote (or add the closing one), save the file and "
                      "run the command again."),
        "closes_later": _("the double quote (\") in %(label)s (column %(letter)s) is only closed on line "
                          "%(until)s, so the lines in between were read as one cell; they were read again as rows of "
                          "their own. Delete the stray quote (or close it on this line), save the file and run the "
                          "command again."),
        "encloses": _("the double quotes (\") around %(label)s (column %(letter)s) also enclose the cells after it, "
                      "so they were read as one cell. Delete the quotes, save the file and run the command again."),
    }.get(p.get("kind"), _("a double quote (\") stands inside the %(label)s cell (column %(letter)s) instead of "
                           "around it. Delete it (or put the whole cell in quotes), save the file and run the "
                           "command again."))),
    "rejection.cut_off": by_params(lambda p: _(
        "the file ends in the middle of this row: it looks cut off here (the file is exactly %(mib)s MiB, a size "
        "files are cut to by a size limit or a copy that stopped), so the row was not screened and any rows after it "
        "are missing. Check that the file is complete and run the command again on the whole file.")
        if p.get("mib") else _(
        "the file ends in the middle of this row: it looks cut off here, so the row was not screened and any rows "
        "after it are missing. Check that the file is complete and run the command again on the whole file.")),
    "rejection.nul_byte": _("%(label)s (column %(letter)s) holds NUL bytes, a sign of a damaged export: what the "
                            "cell held cannot be trusted, so the row was not screened. Check the row, type it again "
                            "(or save the file again from Excel) and run the command again."),
    "rejection.control_character": _characters_text(by_params(lambda p: {
        "bidi": _("%(label)s (column %(letter)s) holds a text-direction control character, %(char)s, at character "
                  "%(position)s: it is invisible but reverses how the text around it shows, so the row was not "
                  "screened. Type the cell again, save the file and run the command again."),
        "separator": _("%(label)s (column %(letter)s) holds a Unicode line separator, %(char)s, at character "
                       "%(position)s: programs show it differently, so the row was not screened. Type the cell "
                       "again, save the file and run the command again."),
    }.get(p.get("kind"), _("%(label)s (column %(letter)s) holds a control character, %(char)s, at character "
                           "%(position)s: it does not show as text (a terminal may act on it), so the row was not "
                           "screened. Type the cell again, save the file and run the command again."))), _(
        "%(cells)s: these characters do not show as text (a text-direction control character reverses how the text "
        "around it shows, a terminal may act on a control character), so the row was not screened. Type the cells "
        "again, save the file and run the command again.")),
    "rejection.formula_without_value": _formula_with(_(
        ". Open the file in Excel or WPS and save it, then run the command again; or copy the column and paste it as "
        "values.")),
    "rejection.too_long": _with_field_label(by_params(lambda p: _(
        "the %(field)s (%(label)s) has %(length)s characters; no %(field)s is longer than %(limit)s. Check the cell "
        "(several values or other text pasted into it?), correct it, save the file and run the command again."))),
    "rejection.formula_name": _("the name starts with “%(char)s”, so a spreadsheet takes it for a formula, and no "
                                "real name starts so: write the person's name as on their ID document, save the file "
                                "and run the command again."),
    "roster.cut_off": by_params(lambda p: _(
        "The file is exactly %(mib)s MiB and ends in the middle of row %(row)s: it looks cut off there (by a size "
        "limit or a copy that stopped), so row %(row)s was not screened and any rows after it are missing. Check "
        "that the file is complete and run the command again on the whole file.") if p.get("mib") else _(
        "The file ends in the middle of row %(row)s, without a line break: it looks cut off there, so row %(row)s "
        "was not screened and any rows after it are missing. Check that the file is complete and run the command "
        "again.")),
    "roster.formulas_unlocated": _plural(ngettext_lazy(
        "%(count)s formula cell has no saved result and no cell reference: open the file in Excel or WPS, save it "
        "and run the command again.",
        "%(count)s formula cells have no saved result and no cell reference: open the file in Excel or WPS, save "
        "it and run the command again.", "n"), "count"),
    "roster.no_id_column": _("The roster has no ID-number column (身份证号/证件号码): nobody's identity can be "
                             "verified, so every row needs verification. Add the column and run the command again "
                             "if you have the numbers."),
    "roster.unused_columns": _unused_columns(ngettext_lazy(
        "%(columns)s is not a roster field, so it was not used in the screening (the result files keep it). "
        "If it holds the name, document type, ID number or phone, give it the template's header (姓名, 证件类型, "
        "证件号码 or 手机号码) and run the command again.",
        "%(columns)s are not roster fields, so they were not used in the screening (the result files keep "
        "them). If one holds the name, document type, ID number or phone, give it the template's header (姓名, "
        "证件类型, 证件号码 or 手机号码) and run the command again.", "n")),
}


def _reworded(message: Any, wording: Mapping[str, Any], prefix: str) -> Any:
    """``message`` (a stored message, a list of them, or a parameter) with every code of ``wording`` in it —
    nested ones too, as in ``not_screened``'s ``detail`` — replaced by ``<prefix>.<code>``, its registered other
    wording."""
    if isinstance(message, list | tuple):
        return [_reworded(m, wording, prefix) for m in message]
    if not isinstance(message, Mapping):
        return message
    out = {k: _reworded(v, wording, prefix) for k, v in message.items() if k != "code"}
    if "code" in message:
        code = message["code"]
        out["code"] = f"{prefix}.{code}" if code in wording else code
    return out


def for_police(message: Any) -> Any:
    """A stored message (or a list of them, or a parameter) with every rejection in it — nested ones too, as in
    ``not_screened``'s ``detail`` — named by its police wording (:data:`POLICE_REJECTIONS`, registered as
    ``police.<code>``): what a police page renders instead of the landlord's advice."""
    return _reworded(message, POLICE_REJECTIONS, "police")


def for_command_line(message: Any) -> Any:
    """A stored message (or a list of them, or a parameter) with every rejection and roster note in it that tells
    its reader to upload the file again said as the command line says it (:data:`COMMAND_LINE_TEXTS`, registered
    as ``cli.<code>``): what ``pingan screen`` prints and writes instead of the web page's advice."""
    return _reworded(message, COMMAND_LINE_TEXTS, "cli")
