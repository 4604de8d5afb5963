from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CitizenConfig(AppConfig):
    """Citizen services (便民): the service catalogue, appointments and queue tickets, residence permits."""

    name = "pingan.citizen"
    label = "citizen"
    verbose_name = "Citizen services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pingan.citizen import texts
        from pingan.core import audit, navigation
        from pingan.core.deferred import Deferred
        from pingan.core.models import POLICE_ROLES, Role

        texts.register()
        navigation.register(navigation.Section(
            key="citizen_me", label=_("My services"), url_name="citizen:me", order=5, roles={Role.CITIZEN},
            prefix="/citizen/", description=_("Your appointments, residence-permit applications and notices")))
        navigation.register(navigation.Section(
            key="citizen_station", label=_("Citizen services"), url_name="citizen:station", order=45,
            roles=POLICE_ROLES, prefix="/citizen/station/",
            description=_("Residence-permit applications to review, the overdue list, the counters' queues")))
        navigation.register_panel(navigation.Panel(
            key="citizen_me", template="citizen/partials/home_panel.html", order=5, roles={Role.CITIZEN},
            context=Deferred("pingan.citizen.home.citizen_panel"), replaces="citizen_me"))
        navigation.register_panel(navigation.Panel(
            key="citizen_station", template="citizen/partials/station_panel.html", order=20, roles=POLICE_ROLES,
            context=Deferred("pingan.citizen.home.station_panel")))  # core.deferred: loaded at the first call
        audit.register_purpose("citizen_services", _("citizen services (residence permits, appointments)"),
                               app="citizen")
        for name, label in (("PermitApplication", _("residence-permit application")),
                            ("PermitApplication.list", _("residence-permit applications")),
                            ("Booking", _("appointment")), ("Booking.list", _("appointments")),
                            ("Ticket", _("queue ticket")), ("Identity", _("citizen identity")),
                            ("Terminal", _("self-service terminal")),
                            ("PermitDocument", _("residence-permit documents")),
                            ("SmsMessage", _("text messages"))):
            audit.register_object_type(name, label)
        for code, label in (("book", _("booked")), ("cancel", _("cancelled")), ("check_in", _("checked in")),
                            ("walk_in", _("issued a walk-in ticket")), ("call", _("called a ticket")),
                            ("no_show", _("marked as no-show")), ("apply", _("applied")),
                            ("documents_add", _("added documents")),
                            ("accept", pgettext_lazy("citizen application", "accepted")),
                            ("issue", pgettext_lazy("citizen application", "issued")),
                            ("reject", pgettext_lazy("citizen application", "rejected")), ("endorse", _("endorsed"))):
            audit.register_action(code, label)
