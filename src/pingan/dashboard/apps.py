from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "pingan.dashboard"
    label = "dashboard"
    verbose_name = _("dashboard")

    def ready(self) -> None:
        from pingan.core import navigation
        from pingan.core.models import POLICE_ROLES, Role
        from pingan.dashboard.home import jurisdiction_panel

        navigation.register(navigation.Section(
            key="jurisdiction", label=_("Jurisdiction"), url_name="dashboard:jurisdiction", order=20,
            roles=POLICE_ROLES, prefix="/police/"))
        navigation.register(navigation.Section(
            key="overview", label=_("Counts and map"), url_name="dashboard:overview", order=60,
            roles={Role.STATION_CHIEF, Role.ANALYST}))
        navigation.register_panel(navigation.Panel(
            key="jurisdiction", template="dashboard/partials/home_panel.html", order=20, roles=POLICE_ROLES,
            context=jurisdiction_panel))
