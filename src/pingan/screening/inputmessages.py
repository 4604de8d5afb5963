"""A screening input's or a rule set's error as the command line says it, in the user's language (issue 11).

``batch.ScreeningInputError`` and ``rules.RuleSetError`` are raised by pure modules: their text is English, for
programs and logs, and their ``code`` and ``params`` say the same for a person. ``pingan screen --movements`` /
``--rules`` and ``pingan risk partition`` print :func:`input_message` and :func:`ruleset_message`; an error
without a code (a programming error, a rule's field) keeps its English text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from pingan.core import texts
from pingan.core.command import os_error_text

#: The table ``_require`` names, as a person calls it.
_WHAT = {
    "roster": pgettext_lazy("input table", "the roster"),
    "rejected": gettext_lazy("the roster's rejected rows"),
    "listings": gettext_lazy("the listings"),
    "movements": gettext_lazy("the movement records"),
    "movements (a partitioned directory)": gettext_lazy("the movement records (a directory of partitions)"),
    "watchlist": gettext_lazy("the watchlist"),
}

_INPUT = {
    "missing_columns": gettext_lazy("%(what)s: missing column(s) %(missing)s (the columns are %(present)s)"),
    "repeated_rows": gettext_lazy("the roster repeats values in column “row”; each row number must be unique"),
    "row_rejected_and_kept": gettext_lazy("row %(row)s is both in the roster and among the rejected rows"),
    "mixed_formats": gettext_lazy("the movement files must be all .parquet or all .csv, not both: %(files)s"),
    "no_movements": gettext_lazy("no movement files given"),
    "uri_needs_spark": gettext_lazy("%(path)s is a URI: only the Spark engine (--engine spark) reads those"),
    "no_such_movements": gettext_lazy("%(path)s: no such movement file"),
    "directory_beside_files": gettext_lazy("a directory of partitions is given alone, not beside other files: "
                                           "%(files)s"),
    "no_partitions": gettext_lazy("%(path)s: the folder holds no .parquet file"),
    "partition_needs_parquet": gettext_lazy("partitions are made from Parquet files: %(files)s"),
    "out_not_empty": gettext_lazy("%(path)s is not empty; partitions are written to a new folder"),
}

_RULESET = {
    "folder": gettext_lazy("%(origin)s: is a folder, not a rule-set file; give the path of a .toml rule set"),
    "missing": gettext_lazy("%(origin)s: no such rule-set file"),
    "not_utf8": gettext_lazy("%(origin)s: not UTF-8 text; save the file as UTF-8"),
    "unreadable": gettext_lazy("%(origin)s: cannot read it (%(error)s)"),
    "invalid_toml": gettext_lazy("%(origin)s: not valid TOML: %(detail)s"),
}


def input_message(exc) -> str:
    """``exc`` (a ``ScreeningInputError``) in the active language; its English text when it has no code."""
    template = _INPUT.get(getattr(exc, "code", ""))
    if template is None:
        return str(exc)
    params = dict(exc.params)
    for key in ("missing", "present", "files"):
        if key in params:
            params[key] = texts.join(params[key]) or _("none")
    if "what" in params:
        params["what"] = _WHAT.get(params["what"], params["what"])
    return str(template) % params


def ruleset_message(exc) -> str:
    """``exc`` (a ``RuleSetError``) in the active language; its English text when it has no code (a rule's
    field, which names the rule and the field as the file spells them)."""
    template = _RULESET.get(getattr(exc, "code", ""))
    if template is None:
        return str(exc)
    params = dict(exc.params)
    if exc.code == "unreadable":
        params["error"] = os_error_text(OSError(params.get("errno"), params.get("error")))
    message = str(template) % params
    if exc.code == "invalid_toml" and not params.get("toml"):
        message += _(" — is this a rule set? A rule set is a TOML file (docs/screening.md, “Rules as data”)")
    return message
