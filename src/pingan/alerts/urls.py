from django.urls import path

from pingan.alerts import views, viid

app_name = "alerts"
urlpatterns = [
    path("", views.terminal, name="terminal"),
    path("duty/", views.duty_toggle, name="duty"),
    path("stream/", views.stream, name="stream"),
    path("<int:alert_id>/", views.alert_detail, name="alert"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("silences/", views.silences, name="silences"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("viid-subscriptions/", views.viid_subscriptions, name="viid_subscriptions"),
]

#: GA/T 1400 paths, mounted at the site root (platforms expect /VIID/...).
viid_urlpatterns = [
    path("VIID/System/Register", viid.register, name="viid_register"),
    path("VIID/System/Keepalive", viid.keepalive, name="viid_keepalive"),
    path("VIID/System/UnRegister", viid.unregister, name="viid_unregister"),
    path("VIID/System/Time", viid.system_time, name="viid_time"),
    path("VIID/MotorVehicles", viid.motor_vehicles, name="viid_motor_vehicles"),
    path("VIID/Faces", viid.faces, name="viid_faces"),
    path("VIID/Persons", viid.persons, name="viid_persons"),
    path("VIID/SubscribeNotifications", viid.subscribe_notifications, name="viid_subscribe_notifications"),
]
