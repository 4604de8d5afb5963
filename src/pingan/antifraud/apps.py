from django.apps import AppConfig


class AntifraudConfig(AppConfig):
    name = "pingan.antifraud"
    label = "antifraud"
    verbose_name = "Anti-fraud centre (反诈中心)"
    default_auto_field = "django.db.models.BigAutoField"
