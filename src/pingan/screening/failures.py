"""Why a screening job failed, as codes and parameters rendered in the viewer's language.

The job row stores ``error_code`` and ``error_params`` (:class:`pingan.core.jobs.LeasedJob`); these are the
templates of the screening app's own codes, registered with :func:`pingan.core.jobs.register_failure_messages`
(the codes every leased job shares — a lost worker, a time or memory budget — are in ``pingan.core.jobs``).
Parameters are plain strings and numbers; sizes and counts arrive formatted (``"17,179,869,184"``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Failure code → message template (``%(name)s`` placeholders are ``error_params`` keys). The ``roster_*`` and
#: ``workbook_*`` codes are :class:`pingan.screening.roster.RosterError`'s (a file that cannot be read at all,
#: whichever app read it: rosters, the bureau's incident files, bank statements, duty rosters); their English
#: here is :data:`pingan.screening.roster.ROSTER_ERRORS` word for word (``tests/screening/test_failures.py``).
FAILURE_MESSAGES = {
    "roster_cannot_open": _("Cannot open %(name)s: %(reason)s; check the path and permissions."),
    "roster_zip_not_workbook": _("%(name)s is a ZIP archive but not an Excel workbook; upload .xlsx, .xls or .csv."),
    "roster_html_as_excel": _("%(name)s is really an HTML/XML table with a %(ext)s extension (a common “export to "
                              "Excel”); open it in Excel, Save As Excel Workbook (.xlsx) and upload that."),
    "roster_not_a_workbook": _("%(name)s has the extension %(ext)s but is not an Excel workbook (corrupt or "
                               "renamed); open it in Excel, save it again and re-upload."),
    "roster_unsupported_type": _("Unsupported file type %(ext)s (%(name)s); upload an .xlsx, .xls or .csv roster."),
    "roster_corrupt_zip": _("%(name)s is corrupt (its ZIP structure cannot be read); re-save it from Excel as "
                            ".xlsx."),
    "roster_password": _("%(name)s is password-protected and cannot be read; remove the password in Excel (File → "
                         "Info → Protect Workbook → Encrypt with Password, clear it) and upload again."),
    "roster_undecodable": _("%(name)s cannot be decoded as %(encoding)s; it may not be a text CSV or may be "
                            "corrupt. Save it from Excel as “CSV UTF-8 (Comma delimited)” or .xlsx and upload "
                            "again."),
    "roster_undecodable_at": _("%(name)s cannot be decoded as %(encoding)s (byte %(byte)s); it may not be a text "
                               "CSV or may be corrupt. Save it from Excel as “CSV UTF-8 (Comma delimited)” or "
                               ".xlsx and upload again."),
    "roster_bad_csv": _("%(name)s: malformed CSV near row %(row)s (%(error)s), usually an unbalanced quote; open "
                        "it in Excel, check and save again."),
    "roster_unreadable_workbook": _("%(name)s cannot be read as an Excel workbook (%(error)s); it may be corrupt. "
                                    "Open it in Excel, save as .xlsx and upload again."),
    "roster_no_such_sheet": _("%(name)s has no sheet named “%(sheet)s”; its sheets are: %(sheets)s."),
    "roster_unreadable_sheet": _("Sheet “%(sheet)s” of %(name)s cannot be read (%(error)s)."),
    # the columns by the roster template's own header labels in the reader's language (roster.column_labels)
    "roster_header_without_name": _("Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no "
                                    "“%(name_column)s” column: add the column and upload again."),
    "roster_header_without_id": _("Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no "
                                  "“%(id_column)s” column: every person is screened by their ID number, so nothing "
                                  "was screened. Add the column (or head the column holding the numbers "
                                  "“%(id_column)s”) and upload again."),
    "roster_no_header": _("No header row found in the first %(rows)s rows of %(name)s%(where)s. The header needs at "
                          "least the columns “%(name_column)s” and “%(id_column)s”, as in the roster template. "
                          "Download the roster template, fill it in and upload again."),
    "roster_empty_file": _("%(name)s is empty; upload a filled-in roster (the roster template can help)."),
    "roster_no_data": _("%(name)s%(where)s contains no data."),
    "table_empty_file": _("%(name)s is empty."),
    "roster_in_sheet": _(" (sheet “%(sheet)s”)"),
    # the header names columns, but what they hold (or do not name) says the headers are wrong
    "roster_columns_mismatch": _("The header of %(name)s%(where)s (row %(row)s) does not match what the columns "
                                "hold: %(problem)s Headers found: %(found)s. Expected: %(expected)s; an ID-number "
                                "column may also be headed %(synonyms)s. Correct the headers (or copy the rows "
                                "into the roster template) and upload again; nothing was screened."),
    "column_phone_holds_ids": _("the phone column “%(label)s” (column %(letter)s) holds ID numbers."),
    "column_name_holds_ids": _("the name column “%(label)s” (column %(letter)s) holds ID numbers."),
    "column_id_holds_phones": _("the ID-number column “%(label)s” (column %(letter)s) holds phone numbers."),
    "column_id_holds_types": _("the ID-number column “%(label)s” (column %(letter)s) holds document types "
                               "(居民身份证…), not numbers."),
    "column_unknown_holds_ids": _("no column is recognised as the ID-number column, yet column “%(label)s” "
                                  "(column %(letter)s) holds ID numbers under a header pingan does not know."),
    "column_unknown_headers": _("no column is recognised as the ID-number column, and the headers %(unknown)s "
                                "are not ones pingan knows."),
    # screening.services.screening_job_run: a roster with a header and nothing under it; no risk data yet
    "empty_roster": _("%(name)s: no data rows below the header (row %(header_row)s): add the employees or tenants "
                      "and submit again."),
    "no_risk_data": _("No risk-area listings have been imported yet, so nothing can be screened: tell the "
                      "administrator (pingan risk import nhc)."),
    # pingan.lib.sheets.check_zip_workbook, through roster.RosterError: refused before any reader ran
    "workbook_too_many_parts": _("%(name)s holds %(parts)s parts; a workbook may hold at most %(limit)s. Save the "
                                 "roster as CSV and upload that."),
    "workbook_unpacks_too_large": _("%(name)s unpacks to %(size_mb)s MB; pingan reads workbooks of at most "
                                    "%(limit_mb)s MB unpacked. Save the roster as CSV, or split it into several "
                                    "files."),
    "workbook_part_inflates_past_size": _("%(name)s is damaged or built to overwhelm a reader (its part %(part)s "
                                          "unpacks to more than the file declares), so it was not read. Open it "
                                          "in Excel or WPS, save it again and upload that."),
    "sheet_too_large": _("Sheet %(sheet)s of %(name)s spans %(range)s (%(rows)s rows × %(columns)s columns = "
                         "%(cells)s cells); pingan reads at most %(limit)s cells per sheet. The farthest content "
                         "is in %(far_cells)s: delete what lies outside the roster, save and upload again, or save "
                         "the roster as CSV."),
}


#: Jobs that failed before failures were stored as codes kept a bilingual text ("中文 / English") with the code
#: ``unreadable_roster`` or ``empty_roster``: ``pingan/screening/migrations/0009`` reads the English half
#: back into a code and parameters with these patterns (the text stays as it was when none fits).
_WHERE = r"(?:（工作表“(?P<where_sheet>.*?)”）)?"


def _pattern(template: str):
    import re

    out, pos, seen = "", 0, set()
    for m in re.finditer(r"%\((\w+)\)s", template):
        out += re.escape(template[pos:m.start()])
        name = m.group(1)  # a parameter said twice ("%(id_column)s" …) is the same text both times
        out += _WHERE if name == "where" else f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
        seen.add(name)
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]) + r"\Z", re.S)


def parse_stored(text: str, messages: dict[str, str]) -> tuple[str, dict] | None:
    """``(code, params)`` of a stored bilingual failure text whose English half is one of ``messages``
    (code → English template), or ``None``. The English half is what follows the text's last " / " that
    leaves a match (the English texts hold none, file and sheet names cannot, a Chinese half may); the
    Chinese sheet suffix of the old texts becomes the ``where`` message."""
    import re

    starts = [m.end() for m in re.finditer(" / ", text)] or [0]
    for start in reversed(starts):
        english = text[start:].strip()
        for code, template in messages.items():
            m = _pattern(template).match(english)
            if m is None:
                continue
            params = {k: v for k, v in m.groupdict().items() if k != "where_sheet"}
            if "%(where)s" in template:
                sheet = m.groupdict().get("where_sheet")
                params["where"] = {"code": "roster_in_sheet", "params": {"sheet": sheet}} if sheet else ""
            return code, params
    return None


#: The codes whose messages name the roster template's column labels (``roster.column_labels``); a job that
#: failed before they did is rendered with them (``core.jobs.FAILURE_DEFAULTS``, registered in ``apps``).
COLUMN_LABEL_CODES = ("roster_no_header", "roster_header_without_name", "roster_header_without_id")

#: The English of the roster errors whose wording changed after texts were stored with it (issue 11's re-check:
#: typographic quotes; the columns named by the template's labels, not "姓名/name"): a text stored before still
#: reads back into its code (:func:`parse_stored_roster`, the migrations that convert stored texts).
ROSTER_ERRORS_BEFORE = {
    "roster_html_as_excel": "%(name)s is really an HTML/XML table with a %(ext)s extension (a common 'export to "
                            "Excel'); open it in Excel, Save As Excel Workbook (.xlsx) and upload that.",
    "roster_undecodable": "%(name)s cannot be decoded as %(encoding)s; it may not be a text CSV or may be corrupt. "
                          "Save it from Excel as \"CSV UTF-8 (Comma delimited)\" or .xlsx and upload again.",
    "roster_undecodable_at": "%(name)s cannot be decoded as %(encoding)s (byte %(byte)s); it may not be a text CSV or "
                             "may be corrupt. Save it from Excel as \"CSV UTF-8 (Comma delimited)\" or .xlsx and "
                             "upload again.",
    "roster_no_such_sheet": "%(name)s has no sheet named '%(sheet)s'; its sheets are: %(sheets)s.",
    "roster_unreadable_sheet": "Sheet '%(sheet)s' of %(name)s cannot be read (%(error)s).",
    "roster_header_without_name": "Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no name "
                                  "column (姓名/name): add the column and upload again.",
    "roster_header_without_id": "Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no ID-number "
                                "column (证件号码/身份证号) or phone column (手机号码): add the column and upload "
                                "again.",
    "roster_no_header": "No header row found in the first %(rows)s rows of %(name)s%(where)s. Expected at least a "
                        "name column (姓名/name) and an ID-number column (证件号码/身份证号/id_number) or a phone "
                        "column (手机号码/联系电话/phone). Download the roster template, fill it in and upload "
                        "again.",
}


def parse_stored_roster(text: str, messages: dict[str, str] | None = None) -> tuple[str, dict] | None:
    """:func:`parse_stored` over the roster errors (``roster.ROSTER_ERRORS`` and ``messages``, then their wording
    before, :data:`ROSTER_ERRORS_BEFORE`), the template's column labels added where the message names them."""
    from pingan.screening.roster import ROSTER_ERRORS, column_labels

    found = parse_stored(text, {**ROSTER_ERRORS, **(messages or {})}) or parse_stored(text, ROSTER_ERRORS_BEFORE)
    if found is not None and found[0] in COLUMN_LABEL_CODES:
        return found[0], {**column_labels(), **found[1]}
    return found
