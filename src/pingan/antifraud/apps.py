from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AntifraudConfig(AppConfig):
    """The anti-fraud centre (反诈中心): reports, tracing, stop-payment and freezing, blocking, warnings."""

    name = "pingan.antifraud"
    label = "antifraud"
    verbose_name = "Anti-fraud centre"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pingan.core import audit, jobs, navigation
        from pingan.core.deferred import Deferred
        from pingan.core.models import POLICE_ROLES

        # why a statement cannot be read (statements.StatementError), in the reader's language
        jobs.register_failure_messages(STATEMENT_FAILURES)

        navigation.register(
            navigation.Section(
                key="antifraud",
                label=pgettext_lazy("section", "Anti-fraud"),
                url_name="antifraud:home",
                order=40,
                roles=POLICE_ROLES,
                prefix="/antifraud/",
                description=_("Fraud reports, fund tracing, stop-payment and freezing, blocks, warnings"),
            )
        )
        navigation.register_panel(
            navigation.Panel(
                key="antifraud",
                template="antifraud/partials/home_panel.html",
                order=15,
                roles=POLICE_ROLES,
                context=Deferred("pingan.antifraud.home.deadlines_panel"),  # loaded at its first call
            )
        )
        audit.register_purpose("fraud_prevention", _("fraud prevention and warnings"), app="antifraud")
        for name, label in (
            ("FraudReport", _("fraud report")),
            ("FraudReport.series", _("fraud report series")),
            ("Order", _("stop-payment or freeze order")),
            ("TraceRun", _("fund-flow trace")),
            ("Warning", _("fraud warnings")),
            ("Statement", _("bank statement")),
            ("Block", _("block")),
            ("VictimTransfer", _("victim's transfer")),
            ("SuspectIdentifier", _("suspect identifier")),
            ("ContactImport", _("contact records")),
        ):
            audit.register_object_type(name, label)
        for code, label in (
            ("trace", _("money traced")),
            ("import", _("imported")),
            ("block", _("blocked")),
            ("unblock", _("unblocked")),
            ("appeal", _("appeal recorded")),
            ("appeal_decide", _("appeal decided")),
            ("warn", _("warned")),
            ("warning_outcome", _("warning outcome recorded")),
            ("draft", _("order drafted")),
            ("approve", _("order approved")),
            ("send", _("order sent")),
            ("feedback", _("bank feedback")),
            ("renewed", _("order renewed")),
            ("lift", _("order lifted")),
            ("expire", _("order expired")),
            ("remind", _("reminded")),
            ("promoted", _("took effect (queued)")),
            ("return_plan", _("return planned")),
        ):
            audit.register_action(code, label)


#: Why a bank statement cannot be read at all (``statements.StatementError``; the English is its ``MESSAGES``).
STATEMENT_FAILURES = {
    "statement_no_header": _(
        "%(name)s: no header row in the first %(rows)s rows with a transaction time (or date) "
        "column and an amount (or debit/credit) column; is this a bank statement?"
    ),
}
