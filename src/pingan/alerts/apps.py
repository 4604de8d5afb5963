from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Real-time alerts: devices, ingest (MQTT, HTTP, GA/T 1400), rules, alerts, routing, officers' terminals."""

    name = "pingan.alerts"
    label = "alerts"
    verbose_name = _("alerts")

    def ready(self) -> None:
        from pingan.core import navigation
        from pingan.core.deferred import Deferred
        from pingan.core.models import Role
        from pingan.screening.hooks import HITS_RAISED_HOOKS

        # new police hits from a re-evaluation reach the responsible unit's terminals (docs/alerts.md); by name:
        # the services (routing, shapely) load at the first call, not whenever Django starts (core.deferred)
        notify = Deferred("pingan.alerts.services.screening_hits_notify")
        if notify not in HITS_RAISED_HOOKS:
            HITS_RAISED_HOOKS.append(notify)

        navigation.register(navigation.Section(
            key="alerts", label=_("Alerts"), url_name="alerts:terminal", order=15, prefix="/alerts/",
            roles={Role.OFFICER, Role.STATION_CHIEF, Role.DISPATCHER, Role.ANALYST},
            description=_("Live alerts of your unit while on duty: acknowledge, go, close.")))
        navigation.register(navigation.Section(
            key="dead_letters", label=_("Dead letters"), url_name="alerts:dead_letters", order=90, group="alerts",
            prefix="/alerts/dead-letters/", roles={Role.ADMIN, Role.ANALYST},
            description=_("Device inputs that were refused, with the reason; replay them after a fix.")))
        navigation.register(navigation.Section(
            key="alert_silences", label=_("Silences"), url_name="alerts:silences", order=16, group="alerts",
            prefix="/alerts/silences/", roles={Role.OFFICER, Role.STATION_CHIEF, Role.DISPATCHER, Role.ANALYST},
            description=_("Mute matching alerts of your line for a while, with a comment; end a silence early.")))
        navigation.register(navigation.Section(
            key="alert_watchlist", label=_("Watch list"), url_name="alerts:watchlist", order=17, group="alerts",
            prefix="/alerts/watchlist/", roles={Role.OFFICER, Role.STATION_CHIEF, Role.ANALYST},
            description=_("Plates and person references that raise an alert when a device reports them.")))
        navigation.register(navigation.Section(
            key="viid_subscriptions", label=_("GA/T 1400 subscriptions"), url_name="alerts:viid_subscriptions",
            order=91, group="alerts", prefix="/alerts/viid-subscriptions/", roles={Role.ADMIN, Role.ANALYST},
            description=_("Have a checkpoint platform push its pass records to pingan (视图库订阅).")))
