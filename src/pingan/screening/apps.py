from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Batch screening of rosters against risk data (批量比对筛查)."""

    name = "pingan.screening"
    label = "screening"
    verbose_name = "Batch screening"

    def ready(self) -> None:
        from pingan.core import navigation
        from pingan.core.models import SUBMITTER_ROLES

        navigation.register(navigation.Section(
            key="screening", label=_("My premises"), url_name="screening:home", order=10, roles=SUBMITTER_ROLES))
