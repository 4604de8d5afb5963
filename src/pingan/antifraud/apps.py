from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AntifraudConfig(AppConfig):
    """The anti-fraud centre (反诈中心): reports, tracing, stop-payment and freezing, blocking, warnings."""

    name = "pingan.antifraud"
    label = "antifraud"
    verbose_name = "Anti-fraud centre"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pingan.antifraud.home import deadlines_panel
        from pingan.core import navigation
        from pingan.core.models import POLICE_ROLES

        navigation.register(navigation.Section(
            key="antifraud", label=_("Anti-fraud"), url_name="antifraud:home", order=40, roles=POLICE_ROLES,
            prefix="/antifraud/", description=_("Fraud reports, fund tracing, stop-payment and freezing, blocks, "
                                                 "warnings")))
        navigation.register_panel(navigation.Panel(
            key="antifraud", template="antifraud/partials/home_panel.html", order=15, roles=POLICE_ROLES,
            context=deadlines_panel))
