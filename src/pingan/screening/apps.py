from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Batch screening of rosters against risk data (批量比对筛查)."""

    name = "pingan.screening"
    label = "screening"
    verbose_name = "Batch screening"
