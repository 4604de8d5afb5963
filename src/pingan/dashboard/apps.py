from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DashboardConfig(AppConfig):
    name = "pingan.dashboard"
    label = "dashboard"
    verbose_name = _("dashboard")

    def ready(self) -> None:
        from pingan.core import navigation
        from pingan.core.deferred import Deferred
        from pingan.core.models import POLICE_ROLES, Role

        navigation.register(
            navigation.Section(
                key="jurisdiction",
                label=pgettext_lazy("section", "Jurisdiction"),
                url_name="dashboard:jurisdiction",
                order=20,
                roles=POLICE_ROLES,
                prefix="/police/",
                # a premises' code page, a screening's page and the premises pages an officer opens from the
                # jurisdiction view are the jurisdiction's too (issue 11: the code page's phone menu read "菜单")
                also=("/codes/premises/", "/screening/jobs/", "/premises/"),
                description=_(
                    "Flagged people, premises and screenings of your area; search by name, ID number or phone."
                ),
            )
        )
        navigation.register(
            navigation.Section(
                key="overview",
                label=_("Screening overview"),
                url_name="dashboard:overview",
                order=60,
                group="jurisdiction",
                roles={Role.STATION_CHIEF, Role.ANALYST},
                description=_("Red and yellow people by district and station, the last 30 days, the map."),
            )
        )
        navigation.register_panel(
            navigation.Panel(
                key="jurisdiction",
                template="dashboard/partials/home_panel.html",
                order=20,
                roles=POLICE_ROLES,
                context=Deferred("pingan.dashboard.home.jurisdiction_panel"),  # loaded at its first call
            )
        )
