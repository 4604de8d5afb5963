from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy


class StatsConfig(AppConfig):
    """Policing statistics (公安数据): incidents in, CompStat-style indicators out."""

    name = "pingan.stats"
    label = "stats"
    verbose_name = _("statistics")

    def ready(self) -> None:
        from pingan.core import audit, jobs, navigation, texts
        from pingan.core.models import POLICE_ROLES
        from pingan.stats.models import ImportBatch
        from pingan.stats.present import NOTE_TEXTS

        texts.register(NOTE_TEXTS)  # the import notes, stored as codes and parameters

        navigation.register(
            navigation.Section(
                key="stats",
                label=pgettext_lazy("section", "Statistics"),
                url_name="stats:index",
                order=50,
                prefix="/stats/",
                roles=POLICE_ROLES,
                description=_("CompStat per unit: this week, 28 days and the year against last year; weekly PDF."),
            )
        )
        audit.register_object_type("stats.Incident", _("incidents"))
        audit.register_object_type("stats.Reclassification", _("reclassifications of incidents"))
        audit.register_object_type("stats.ImportBatch", _("incident import"))
        audit.register_object_type("stats.PublicRelease", _("public release of crime statistics"))
        audit.register_object_type("stats.VehicleCount", _("vehicle count"))
        audit.register_object_describer("stats.Incident", _describe_incidents)
        audit.register_object_describer("stats.PublicRelease", _describe_units)
        # an import by its file, source and date; a vehicle count by its unit and year (issue 11: "№ 3")
        audit.register_object_describer("stats.ImportBatch", audit.rows_describer(
            "stats.ImportBatch", lambda b: audit.said(b.filename, _source_label(b.source),
                                                      texts.moment(b.created_at))))
        audit.register_object_describer("stats.VehicleCount", audit.rows_describer(
            "stats.VehicleCount", lambda v: audit.said(v.unit.label, v.year), related=("unit",)))
        audit.register_action("import", _("imported"))
        audit.register_action("reclassify", _("reclassified"))
        # an uploaded bureau file is a leased job: `pingan worker` runs it (pingan.core.jobs, docs/jobs.md)
        jobs.register(
            jobs.JobKind(
                name="stats-import",
                model=ImportBatch,
                run="pingan.stats.services.import_execute",
                fair_key="imported_by_id",
                label=_("import of an incident file"),
            )
        )
        # rows refused before a control-character message carried its count: one (its own id) or several (the
        # id the plural had then), said by the one template
        jobs.register_failure_messages(
            {**IMPORT_FAILURES, "import_row_control_characters": IMPORT_FAILURES["import_row_control_character"]},
            defaults={"import_row_control_character": {"n": 1}, "import_row_control_characters": {"n": 2}})


#: Why an import job failed (``ImportBatch.error_code``), beside the codes every leased job shares.
IMPORT_FAILURES = {
    "stats_unreadable_file": _("The file could not be read as a bureau template: %(message)s"),
    "stats_upload_missing": _("The uploaded file %(name)s is no longer on the server. Upload it again."),
    # why (``message``) a bureau file's header was not found (importers.bureau.BureauFileError)
    "bureau_no_header": _(
        "No header row in the first %(rows)s rows of %(name)s: it needs at least the columns 案由 "
        "(charge) and 辖区 (unit), and 发案时间 (occurred) or 接报时间 (reported). Download the "
        "template, fill it in and upload again."
    ),
    "bureau_no_time_column": _(
        "The header (row %(row)s) of %(name)s has neither 发案时间 (occurred) nor 接报时间 (reported)."
    ),
    # why a row of an open-data file was rejected or left out (importers.OPEN_DATA_ROW_MESSAGES, same English)
    "row_unreadable_value": _("row %(row)s: cannot read the %(column)s “%(value)s”."),
    "row_not_in_mapping": _(
        "row %(row)s: %(column)s “%(value)s” is not in the mapping (stats/data/mappings/%(source)s.toml)."
    ),
    "row_empty": _("row %(row)s: %(column)s is empty."),
    "row_duplicate": _("row %(row)s: %(column)s %(value)s already on row %(first)s."),
    "row_not_whole": _("row %(row)s: %(column)s is not a whole number."),
    "row_unknown_value": _("row %(row)s: unknown %(column)s “%(value)s”."),
    "row_supplement_not_counted": _(
        "row %(row)s: supplemental report of incident number %(number)s whose initial "
        "report is not in the file; supplements are not counted (DataSF)."
    ),
    # why a row of a bureau file was rejected (importers.bureau.BUREAU_ROW_MESSAGES; the English is the same)
    "bureau_row_in_column": _("column %(column)s: "),
    "bureau_row_missing_charge": _(
        "row %(row)s: %(where)sthe charge (案由) is empty; fill it in (e.g. 盗窃, 抢劫, 电信网络诈骗)."
    ),
    "bureau_row_unknown_charge": _(
        "row %(row)s: %(where)sunknown charge “%(value)s”; use one of the charges listed in the template's notes."
    ),
    "bureau_row_unknown_unit": _(
        "row %(row)s: %(where)sthe unit “%(value)s” is not a unit of the bureau; give "
        "the full name or the unit code of the police station or branch."
    ),
    "bureau_row_outside_jurisdiction": _(
        "row %(row)s: %(where)sthe unit “%(value)s” is outside your jurisdiction "
        "(%(mine)s and the units under it); its incidents are imported by an analyst "
        "of that unit's branch or bureau."
    ),
    "bureau_row_bad_window_text": _(
        "row %(row)s: %(where)sthe occurrence time “%(value)s” is not a valid window (e.g. 2024-01-05 08:00至10:00)."
    ),
    "bureau_row_bad_occurred": _(
        "row %(row)s: %(where)scannot read the occurrence time “%(value)s” (e.g. 2024-01-05 08:30)."
    ),
    "bureau_row_bad_occurred_to": _("row %(row)s: %(where)scannot read the end of the occurrence window “%(value)s”."),
    "bureau_row_bad_reported": _("row %(row)s: %(where)scannot read the report time “%(value)s”."),
    "bureau_row_missing_time": _(
        "row %(row)s: %(where)sboth the occurrence time (发案时间) and the report time "
        "(接报时间) are empty; give at least one."
    ),
    "bureau_row_bad_window": _("row %(row)s: %(where)sthe end of the occurrence window is before its start."),
    "bureau_row_unknown_value": _("row %(row)s: %(where)s“%(value)s” is not a known value."),
    "bureau_row_bad_cleared_at": _("row %(row)s: %(where)scannot read the clearance time “%(value)s”."),
    "bureau_row_clearance_before_offence": _(
        "row %(row)s: %(where)sthe clearance time is before the offence (or the report)."
    ),
    "bureau_row_bad_amount": _("row %(row)s: %(where)s“%(value)s” is not an amount in yuan (1.5万 is read as 15,000)."),
    "bureau_row_bad_number": _(
        "row %(row)s: %(where)s“%(value)s” is not a number of people (a non-negative whole number)."
    ),
    "bureau_row_duplicate_case": _("row %(row)s: %(where)sduplicates row %(first)s (case number %(case)s)."),
    "bureau_row_duplicate_row": _("row %(row)s: %(where)sduplicates row %(first)s (same cells)."),
    # one or several by ``n`` (pingan.lib.textchars.named)
    "import_row_control_character": ngettext_lazy(
        "row %(row)s: %(where)scharacter %(position)s is %(char)s, an invisible control or text-direction character; "
        "type the cell again and import the file again.",
        "row %(row)s: %(where)scharacters %(position)s are %(char)s, invisible control or text-direction "
        "characters; type the cell again and import the file again.", "n"),
    "import_row_quote_unclosed": _(
        'row %(row)s: %(where)sa double quote (") is never closed, so every line below '
        "would have been read as one cell (they were read as rows of their own); delete "
        "the stray quote (or close it on this line) and import the file again."
    ),
    "import_row_quote_closes_later": _(
        'row %(row)s: %(where)sa double quote (") only closes on line %(until)s, so '
        "the lines between would have been read as one cell (they were read as rows "
        "of their own); delete the stray quote (or close it on this line) and import "
        "the file again."
    ),
    "bureau_row_cleared_without_time": _(
        "row %(row)s: %(where)sthe case is marked cleared but has no clearance time (破案时间)."
    ),
}


def _describe_incidents(ids: list[str]) -> dict[str, str]:
    """An incident as the audit page names it: its offence, the date it counts on and its unit, in the reader's
    language."""
    from django.utils.translation import get_language

    from pingan.core import audit
    from pingan.stats import classify
    from pingan.stats.models import Incident

    words = classify.vocabulary()
    return {str(i.pk): f"{words.label(i.offence, get_language())} · {i.count_date:%Y-%m-%d} · {i.unit.label}"
            for i in Incident.objects.filter(pk__in=audit.int_ids(ids)).select_related("unit")}


def _describe_units(ids: list[str]) -> dict[str, str]:
    """A record naming a unit by its code (a public release): the unit's name in the reader's language."""
    from pingan.core.models import OrgUnit

    return {u.code: u.label for u in OrgUnit.objects.filter(code__in=ids)}


def _source_label(key: str) -> str:
    from pingan.stats.present import source_label

    return source_label(key)
