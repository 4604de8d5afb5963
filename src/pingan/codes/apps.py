from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CodesConfig(AppConfig):
    """Safety codes (平安码) for premises: issuance, keys, revocation, verification."""

    name = "pingan.codes"
    label = "codes"
    verbose_name = "Safety codes"

    def ready(self) -> None:
        from pingan.codes import services
        from pingan.codes.home import queue_panel
        from pingan.codes.texts import TEMPLATES, references
        from pingan.core import navigation, texts
        from pingan.core.models import POLICE_ROLES
        from pingan.screening.services import LATEST_JOB_HOOKS

        texts.register(TEMPLATES)
        for name, describe in references().items():  # pages name a level change, a check… by date, not id
            texts.register_reference(name, describe)
        # the code is derived: each finished screening of a premises re-derives its code (docs/codes.md)
        if services.on_latest_job_changed not in LATEST_JOB_HOOKS:
            LATEST_JOB_HOOKS.append(services.on_latest_job_changed)
        from pingan.screening.services import OFF_ROSTER_RESOLVED_HOOKS

        if services.on_off_roster_resolved not in OFF_ROSTER_RESOLVED_HOOKS:
            OFF_ROSTER_RESOLVED_HOOKS.append(services.on_off_roster_resolved)
        # ... and each re-evaluation after new risk data that changed its people's results
        from pingan.screening.reevaluate import RESULTS_CHANGED_HOOKS, RESULTS_CHANGING_HOOKS, RUN_STARTED_HOOKS

        if services.on_results_changed not in RESULTS_CHANGED_HOOKS:
            RESULTS_CHANGED_HOOKS.append(services.on_results_changed)
        # (their codes signed ahead while the results are stored)
        if services.on_results_changing not in RESULTS_CHANGING_HOOKS:
            RESULTS_CHANGING_HOOKS.append(services.on_results_changing)
        # (its signing process started while the engine runs, when many codes may change: pingan.codes.signing)
        if services.on_reevaluation_started not in RUN_STARTED_HOOKS:
            RUN_STARTED_HOOKS.append(services.on_reevaluation_started)

        navigation.register(
            navigation.Section(
                key="codes_queue",
                label=pgettext_lazy("section", "Requests"),
                url_name="codes:police",
                order=30,
                group="jurisdiction",
                roles=POLICE_ROLES,
                description=_("Owners' correction requests, and level changes that need a second approver."),
            )
        )
        navigation.register_panel(
            navigation.Panel(
                key="codes_queue",
                template="codes/partials/home_panel.html",
                order=10,
                roles=POLICE_ROLES,
                context=queue_panel,
            )
        )
