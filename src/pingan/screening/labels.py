"""Labels of a screening's hits and documents in the reader's language — the rule's title, how the person
matched, the document type — shared by the police pages (``pingan.dashboard.people``) and the results files
in a person's language (``services.screening_job_export``), so neither shows a code such as ``area-high:id_exact``
or ``ric`` to a reader (issue 11, "Language")."""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import texts
from pingan.screening import rules

MATCH_KINDS = {
    "id_exact": gettext_lazy("same document number"),
    "id_15to18": gettext_lazy("same number (a 15-digit card number converted to 18 digits)"),
    "id_corrected": gettext_lazy("same person once a typo in the ID number is corrected (the record confirms it)"),
    "name_dob_phone": gettext_lazy("same name, birth date and phone number"),
    "name_dob": gettext_lazy("same name and birth date"),
    "document": gettext_lazy("document number equals a listed document"),
    "identity": gettext_lazy("document number check"),
}
DOC_TYPES = {
    "ric": gettext_lazy("resident ID card"), "hmt_residence": gettext_lazy("residence permit (HK/Macao/Taiwan)"),
    "foreign_pr": gettext_lazy("foreign permanent residence card"),
    "hk_mo_permit": gettext_lazy("HK/Macao home-return permit"), "tw_permit": gettext_lazy("Taiwan compatriot permit"),
    "passport": gettext_lazy("passport"), "unknown": gettext_lazy("unknown document type"),
}


def doc_type_label(doc_type: str | None, number: str | None) -> str:
    """The document type as people read it: blank for a row that gave no number (the type of nothing —
    issue 11: a 居民身份证 row with no number read "document"), "unknown document type" for a number of no
    type the reader knows."""
    if not doc_type or (doc_type == "unknown" and not number):
        return ""
    return str(DOC_TYPES.get(doc_type, doc_type))


#: What a "valid" number that has no check character was checked for (:func:`number_checked`).
FORMAT_ONLY = gettext_lazy("format only (no check digit)")


def number_checked(doc_type: str | None, number: str | None) -> bool:
    """Whether a "valid" number was checked, not only its format: the numbers with a GB 11643 / ISO 7064 check
    character (the resident ID card, the HK/Macao/Taiwan residence permit, the 18-digit 2023 foreign permanent
    residence card); a passport's or a travel permit's number has none (``pingan.lib.identity.documents``)."""
    return doc_type in ("ric", "hmt_residence") or (doc_type == "foreign_pr" and len(number or "") == 18)

#: A hit's title when its rule set does not name the rule (a rule set of another id, a rule removed since):
#: what the rule's source is, never its id.
SOURCE_TITLES = {
    "movements": gettext_lazy("Stay in a listed risk area"),
    "identity": gettext_lazy("Identity document to verify"),
    "watchlist": gettext_lazy("Watchlist match"),
}


def rule_title(rule_id: str, source: str, ruleset_id: str = "") -> str:
    """The title of a hit of rule ``rule_id`` in the reader's language: the rule's name in the bundled rule set
    (``name`` in the rule-set file; else its reason) when the screening used that rule set (``ruleset_id``;
    ``""``: any) and it has the rule, else what its ``source`` is (:data:`SOURCE_TITLES`), else "Rule hit" —
    never the raw id."""
    ruleset = bundled_ruleset()
    if not ruleset_id or ruleset_id == ruleset.id:
        rule = next((r for r in ruleset.rules if r.id == rule_id), None)
        if rule is not None and (rule.name_text or rule.reason_text):
            return texts.pick(rule.name_text or rule.reason_text)
    return str(SOURCE_TITLES.get(source) or _("Rule hit"))


@functools.cache
def bundled_ruleset() -> rules.RuleSet:
    """The bundled default rule set, read once per process."""
    return rules.load_ruleset()


#: The names pingan gives the risk datasets it imports (``riskimport``), stored in English as the record of the
#: import, and what a person reads (issue 11: the demo's Chinese output said "NHC risk areas 2022 (bundled)").
DATASET_NAMES = (
    (r"NHC risk areas 2022 \(bundled\)", gettext_lazy("NHC risk areas 2022 (bundled with pingan)")),
    (r"NHC risk areas \((?P<file>.+)\)", gettext_lazy("NHC risk areas (%(file)s)")),
    (r"UN SC consolidated list \(bundled, (?P<date>[\d-]+)\)",
     gettext_lazy("UN Security Council consolidated list (bundled with pingan, %(date)s)")),
    (r"UN SC consolidated list \((?P<file>.+)\)", gettext_lazy("UN Security Council consolidated list (%(file)s)")),
    (r"OFAC SDN \((?P<file>.+)\)", gettext_lazy("US Treasury OFAC sanctions list (%(file)s)")),
    (r"demo synthetic movements", gettext_lazy("the demo's synthetic movement records")),
)


def dataset_label(name: str) -> str:
    """A risk dataset's stored ``name`` in the reader's language (:data:`DATASET_NAMES`); any other name — one an
    operator gave, a file name — as it is."""
    import re

    for pattern, template in DATASET_NAMES:
        if m := re.fullmatch(pattern, name or ""):
            return str(template) % m.groupdict()
    return name


#: How a roster file was read (``ScreeningJob.encoding``: a CSV's text encoding, else the workbook's format), as a
#: person names it (issue 11: ``pingan demo`` printed "读取方式：utf-8-sig").
FILE_FORMATS = {
    "utf-8": gettext_lazy("CSV text in UTF-8"),
    "utf-8-sig": gettext_lazy("CSV text in UTF-8 with a byte-order mark (as Excel saves it)"),
    "utf-16": gettext_lazy("CSV text in UTF-16"),
    "gb18030": gettext_lazy("CSV text in GB 18030 (as Chinese Excel saves it)"),
    "gbk": gettext_lazy("CSV text in GBK"),
    "xlsx": gettext_lazy("Excel workbook (XLSX)"),
    "xls": gettext_lazy("Excel 97–2003 workbook (XLS)"),
    "ods": gettext_lazy("OpenDocument spreadsheet (ODS)"),
}


def file_format_label(encoding: str) -> str:
    """A roster's format and encoding as a person reads it (:data:`FILE_FORMATS`); another encoding as CSV text
    in it, upper-cased ("CSV text in BIG5")."""
    known = FILE_FORMATS.get((encoding or "").lower())
    if known is not None:
        return str(known)
    return _("CSV text in %(encoding)s") % {"encoding": (encoding or "?").upper()}


def ruleset_label(job) -> str:
    """The rule set a screening ran under by its title in the reader's language and its version ("新冠肺炎…规则
    （版本 1.3.0）"), as the results page says it — never its module id ``prevention-2022-v9@1.3.0``."""
    title = texts.pick(job.stats.get("ruleset_title") or {}) or job.ruleset_id
    return title + texts.paren(_("version %(v)s") % {"v": job.ruleset_version})
