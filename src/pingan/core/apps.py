from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Accounts, roles, organisation units and jurisdiction (辖区), premises, the audit trail."""

    name = "pingan.core"
    label = "core"
    verbose_name = "pingan core"

    def ready(self) -> None:
        from pingan.core import lookups, navigation  # noqa: F401 - lookups registers itself
        from pingan.core.models import SUBMITTER_ROLES, Role

        # Submitters' home is their screening page (the screening app's section); everyone else has one.
        navigation.register(navigation.Section(
            key="home", label=_("Home"), url_name="core:home", order=0,
            roles={r for r in Role.values if r not in SUBMITTER_ROLES}))
        navigation.register(navigation.Section(
            key="audit", label=_("Audit trail"), url_name="core:audit", order=90, roles={Role.AUDITOR, Role.ADMIN},
            description=_("Who read or changed personal data, when and why.")))
        navigation.register_panel(navigation.Panel(
            key="audit", template="core/partials/home_audit.html", order=90, roles={Role.AUDITOR, Role.ADMIN},
            replaces="audit"))
