from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Batch screening of rosters against risk data (批量比对筛查)."""

    name = "pingan.screening"
    label = "screening"
    verbose_name = "Batch screening"

    def ready(self) -> None:
        from pingan.core import jobs, navigation, texts
        from pingan.core.models import SUBMITTER_ROLES
        from pingan.screening.failures import COLUMN_LABEL_CODES, FAILURE_MESSAGES
        from pingan.screening.models import ScreeningJob, job_reference
        from pingan.screening.texts import COMMAND_LINE_TEXTS, POLICE_REJECTIONS, TEMPLATES

        texts.register(TEMPLATES)
        texts.register({f"police.{code}": text for code, text in POLICE_REJECTIONS.items()})
        texts.register({f"cli.{code}": text for code, text in COMMAND_LINE_TEXTS.items()})
        texts.register_reference("job", job_reference)  # pages name a screening by its upload, not its id

        navigation.register(navigation.Section(
            key="screening", label=_("My premises"), url_name="screening:home", order=10, roles=SUBMITTER_ROLES,
            # the list, a premises' page (core) and its code's page (codes) are the landlord's premises too: the
            # menu says "My premises" there, not "Menu"
            also=("/premises/", "/codes/premises/")))
        # landlords' and enterprises' own sign-ups wait for the station of their premises (issue 11)
        navigation.register(navigation.Section(
            key="signups", label=_("Sign-ups"), url_name="screening:signups", order=35, group="jurisdiction",
            roles={"officer", "station_chief"},
            description=_("Landlords and enterprises who registered themselves: confirm or refuse them.")))
        navigation.register_panel(navigation.Panel(
            key="signups", template="screening/partials/signups_panel.html", order=12,
            roles={"officer", "station_chief"}, context=_signups_panel))
        # screening jobs are leased jobs: `pingan worker` runs them (pingan.core.jobs, docs/jobs.md)
        jobs.register(jobs.JobKind(name="screening", model=ScreeningJob,
                                   run="pingan.screening.services.screening_job_execute",
                                   label=_("screening of a roster")))
        # jobs that failed before these messages named the template's column labels (roster.column_labels)
        jobs.register_failure_messages(FAILURE_MESSAGES, defaults=dict.fromkeys(COLUMN_LABEL_CODES, _column_labels))


def _signups_panel(request) -> dict | None:
    """How many self-registrations wait for the user's station (a count: no audit record); ``None`` for none."""
    from pingan.core.selectors import registrations_pending_count

    n = registrations_pending_count(actor=request.user)
    return {"count": n} if n else None


def _column_labels() -> dict:
    """The roster template's column labels as message parameters (imported when a message needs them: the
    roster reader loads pyarrow)."""
    from pingan.screening.roster import column_labels

    return column_labels()
