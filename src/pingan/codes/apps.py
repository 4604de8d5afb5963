from django.apps import AppConfig


class CodesConfig(AppConfig):
    """Safety codes (平安码) for premises: issuance, keys, revocation, verification."""

    name = "pingan.codes"
    label = "codes"
    verbose_name = "Safety codes"
