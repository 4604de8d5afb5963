from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Policing statistics (公安数据): incidents in, CompStat-style indicators out."""

    name = "pingan.stats"
    label = "stats"
    verbose_name = _("statistics")

    def ready(self) -> None:
        from pingan.core import audit, navigation
        from pingan.core.models import POLICE_ROLES

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
