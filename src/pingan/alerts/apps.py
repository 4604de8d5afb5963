from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Real-time alerts: devices, ingest (MQTT, HTTP, GA/T 1400), rules, alerts, routing, officers' terminals."""

    name = "pingan.alerts"
    label = "alerts"
    verbose_name = "Alerts"
