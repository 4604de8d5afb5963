from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CodesConfig(AppConfig):
    """Safety codes (平安码) for premises: issuance, keys, revocation, verification."""

    name = "pingan.codes"
    label = "codes"
    verbose_name = "Safety codes"

    def ready(self) -> None:
        from pingan.codes.texts import TEMPLATES, references
        from pingan.core import navigation, texts
        from pingan.core.deferred import Deferred
        from pingan.core.models import POLICE_ROLES
        from pingan.screening import hooks

        texts.register(TEMPLATES)
        for name, describe in references().items():  # pages name a level change, a check… by date, not id
            texts.register_reference(name, describe)
        # the code is derived: each finished screening of a premises re-derives its code (docs/codes.md); the
        # police confirming that people left close the premises' left-out review; each re-evaluation after new
        # risk data that changed its people's results re-derives their codes (signed ahead while the results are
        # stored; the signing process started while the engine runs, when many codes may change:
        # pingan.codes.signing). Registered by name: the services are loaded at the first call, not whenever
        # Django starts (pingan.core.deferred)
        for hook_list, name in ((hooks.LATEST_JOB_HOOKS, "on_latest_job_changed"),
                                (hooks.OFF_ROSTER_RESOLVED_HOOKS, "on_off_roster_resolved"),
                                (hooks.RESULTS_CHANGED_HOOKS, "on_results_changed"),
                                (hooks.RESULTS_CHANGING_HOOKS, "on_results_changing"),
                                (hooks.RUN_STARTED_HOOKS, "on_reevaluation_started")):
            hook = Deferred(f"pingan.codes.services.{name}")
            if hook not in hook_list:
                hook_list.append(hook)

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
                context=Deferred("pingan.codes.home.queue_panel"),
            )
        )
