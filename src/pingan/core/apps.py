from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Accounts, roles, organisation units and jurisdiction (辖区), premises, the audit trail."""

    name = "pingan.core"
    label = "core"
    verbose_name = "pingan core"
