from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """Command centre and dispatch: duty rosters, patrol units and their CAD status, AVL positions, dispatch
    of alerts to units with accept/decline on the officer's terminal, the command-centre console, drones."""

    name = "pingan.dispatch"
    label = "dispatch"
    verbose_name = _("dispatch")

    def ready(self) -> None:
        from pingan.alerts import responders
        from pingan.core import navigation
        from pingan.core.deferred import Deferred
        from pingan.core.models import Role

        # by name: the selectors (the areas' shapely) load at the first call (core.deferred)
        responders.register(Deferred("pingan.dispatch.selectors.dispatched_alert_ids"))
        responders.register(Deferred("pingan.dispatch.selectors.offered_alert_ids"), stream_only=True)

        navigation.register(
            navigation.Section(
                key="dispatch_console",
                label=_("Command centre"),
                url_name="dispatch:console",
                order=14,
                # the operations, roster and template pages are the command centre's too (the phone menu said
                # "Menu" there); an officer's /dispatch/terminal/ is the longer prefix and stays "My unit"
                prefix="/dispatch/",
                roles={Role.DISPATCHER, Role.STATION_CHIEF},
                description=_("Map, open alerts, units and response times of your jurisdiction; dispatch units."),
            )
        )
        navigation.register(
            navigation.Section(
                key="dispatch_terminal",
                label=_("My unit"),
                url_name="dispatch:terminal",
                order=16,
                prefix="/dispatch/terminal/",
                roles={Role.OFFICER},
                description=_("Your patrol unit on this shift: assignments, status, position."),
            )
        )
