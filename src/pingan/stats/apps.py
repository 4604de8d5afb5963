from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Policing statistics (公安数据): incidents in, CompStat-style indicators out."""

    name = "pingan.stats"
    label = "stats"
    verbose_name = _("statistics")

    def ready(self) -> None:
        from pingan.core import audit, jobs, navigation
        from pingan.core.models import POLICE_ROLES
        from pingan.stats.models import ImportBatch

        navigation.register(navigation.Section(
            key="stats", label=_("Statistics"), url_name="stats:index", order=50, prefix="/stats/",
            roles=POLICE_ROLES,
            description=_("CompStat per unit: this week, 28 days and the year against last year; weekly PDF.")))
        audit.register_object_type("stats.Incident", _("incidents"))
        audit.register_object_type("stats.Reclassification", _("reclassifications of incidents"))
        audit.register_object_type("stats.ImportBatch", _("incident import"))
        audit.register_object_type("stats.PublicRelease", _("public release of crime statistics"))
        audit.register_object_type("stats.VehicleCount", _("vehicle count"))
        audit.register_action("import", _("imported"))
        audit.register_action("reclassify", _("reclassified"))
        # an uploaded bureau file is a leased job: `pingan worker` runs it (pingan.core.jobs, docs/jobs.md)
        jobs.register(jobs.JobKind(name="stats-import", model=ImportBatch, run="pingan.stats.services.import_execute",
                                   fair_key="imported_by_id"))
        jobs.register_failure_messages(IMPORT_FAILURES)


#: Why an import job failed (``ImportBatch.error_code``), beside the codes every leased job shares.
IMPORT_FAILURES = {
    "stats_unreadable_file": _("The file could not be read as a bureau template: %(message)s"),
    "stats_upload_missing": _("The uploaded file %(name)s is no longer on the server. Upload it again."),
    # why (``message``) a bureau file's header was not found (importers.bureau.BureauFileError)
    "bureau_no_header": _("No header row in the first %(rows)s rows of %(name)s: it needs at least the columns 案由 "
                          "(charge) and 辖区 (unit), and 发案时间 (occurred) or 接报时间 (reported). Download the "
                          "template, fill it in and upload again."),
    "bureau_no_time_column": _("The header (row %(row)s) of %(name)s has neither 发案时间 (occurred) nor 接报时间 "
                               "(reported)."),
}
