from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EvidenceConfig(AppConfig):
    """Case property and evidence (涉案财物): one central store across police, procuratorate and court, with a
    hash-chained chain of custody per item."""

    name = "pingan.evidence"
    label = "evidence"
    verbose_name = "Case property and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pingan.core import audit, error_messages, navigation
        from pingan.evidence import access, messages

        clash = set(messages.PAGE_MESSAGES) & set(error_messages.PAGE_MESSAGES)
        if clash:  # one message id, two meanings: rename ours
            raise RuntimeError(f"evidence page messages clash with others: {sorted(clash)}")
        error_messages.PAGE_MESSAGES.update(messages.PAGE_MESSAGES)
        from pingan.core.deferred import Deferred

        navigation.register(navigation.Section(
            key="evidence", label=_("Case property"), url_name="evidence:home", order=45, roles=access.READERS,
            prefix="/evidence/", description=_("Seized items, the central store, scans, transfers to the "
                                               "procuratorate and the court, disposal")))
        navigation.register_panel(navigation.Panel(
            key="evidence", template="evidence/partials/home_panel.html", order=20, roles=access.READERS,
            context=Deferred("pingan.evidence.home.home_panel")))  # core.deferred: loaded at the first call
        audit.fix_purpose("evidence", "case_investigation")  # case property is handled for a case, always
        for name, label in (("EvidenceItem", _("case property item")), ("EvidenceCase", _("case (property)")),
                            ("EvidenceLocation", _("store location")), ("EvidenceCheckOut", _("check-out")),
                            # the names the records carry (the audit page showed "EvidenceSeizureList" as it was)
                            ("EvidenceSeizureList", _("seizure list")), ("DigitalFile", _("electronic evidence file")),
                            ("EvidenceDisposal", _("disposal of case property")),
                            ("EvidenceAttachment", _("photograph or signature"))):
            audit.register_object_type(name, label)
        for code, label in (("seized", _("listed as seized")), ("valued", _("valued")),
                            ("intake", pgettext_lazy("evidence audit", "checked in")),
                            ("move", _("moved")), ("check_out", _("checked out")), ("return", _("took back")),
                            ("transfer_sent", _("sent on transfer")), ("transfer", _("took legal custody")),
                            ("sample", _("took a sample")), ("hold", _("placed a legal hold")),
                            ("hold_released", _("released a legal hold")), ("unrelated", _("found unrelated")),
                            ("notice", _("published an owner notice")), ("ruling", _("recorded a ruling")),
                            ("disposal", _("disposed of")), ("return_to_owner", _("returned to owner")),
                            ("acquire", _("acquired electronic data")),
                            ("integrity_failure", _("found a file altered")),
                            ("checkout_request", _("requested a check-out")),
                            ("checkout_approve", _("approved a check-out")), ("inventory", _("counted")),
                            ("overdue_alert", _("alerted overdue check-outs")), ("verify", _("verified a chain"))):
            audit.register_action(code, label)
