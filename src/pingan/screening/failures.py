"""Why a screening job failed, as codes and parameters rendered in the viewer's language.

The job row stores ``error_code`` and ``error_params`` (:class:`pingan.core.jobs.LeasedJob`); these are the
templates of the screening app's own codes, registered with :func:`pingan.core.jobs.register_failure_messages`
(the codes every leased job shares — a lost worker, a time or memory budget — are in ``pingan.core.jobs``).
Parameters are plain strings and numbers; sizes and counts arrive formatted (``"17,179,869,184"``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Failure code → message template (``%(name)s`` placeholders are ``error_params`` keys).
FAILURE_MESSAGES = {
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
