"""Citizen-service URLs (under ``/citizen/``): public catalogue and call display, citizen pages, station pages."""

from django.urls import path

from pingan.citizen import views

app_name = "citizen"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("services/<slug:code>/", views.service, name="service"),
    path("register/", views.register, name="register"),
    path("transit/", views.transit_check, name="transit"),
    path("places/", views.place_options, name="place_options"),
    path("me/", views.me, name="me"),
    path("counters/<int:counter_id>/book/", views.book, name="book"),
    path("counters/<int:counter_id>/display/", views.display, name="display"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("permits/new/", views.permit_new, name="permit_new"),
    path("permits/<int:application_id>/", views.permit, name="permit"),
    path("station/", views.station, name="station"),
    path("station/counters/<int:counter_id>/", views.desk, name="desk"),
    path("kiosk/", views.kiosk_home, name="kiosk"),
    path("kiosk/start/", views.kiosk_start, name="kiosk_start"),
    path("kiosk/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("kiosk/walk-in/", views.kiosk_walk_in, name="kiosk_walk_in"),
    path("kiosk/tickets/<int:ticket_id>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("kiosk/services/", views.kiosk_services, name="kiosk_services"),
    path("kiosk/end/", views.kiosk_end, name="kiosk_end"),
]
