from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """Command centre and dispatch: duty rosters, patrol units and their CAD status, AVL positions, dispatch
    of alerts to units with accept/decline on the officer's terminal, the command-centre console, drones."""

    name = "pingan.dispatch"
    label = "dispatch"
    verbose_name = _("dispatch")
