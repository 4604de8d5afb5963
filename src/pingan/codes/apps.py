from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesConfig(AppConfig):
    """Safety codes (平安码) for premises: issuance, keys, revocation, verification."""

    name = "pingan.codes"
    label = "codes"
    verbose_name = "Safety codes"

    def ready(self) -> None:
        from pingan.codes.home import queue_panel
        from pingan.core import navigation
        from pingan.core.models import POLICE_ROLES

        navigation.register(navigation.Section(
            key="codes_queue", label=_("Requests"), url_name="codes:police", order=30, roles=POLICE_ROLES,
            description=_("Owners' correction requests, and level changes that need a second approver.")))
        navigation.register_panel(navigation.Panel(
            key="codes_queue", template="codes/partials/home_panel.html", order=10, roles=POLICE_ROLES,
            context=queue_panel))
