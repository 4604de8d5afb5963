from django.urls import path

from pingan.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.jurisdiction, name="jurisdiction"),
    path("premises/<int:premises_id>/", views.premises, name="premises"),
    path("premises/<int:premises_id>/off-roster/", views.off_roster_resolve, name="off_roster_resolve"),
    path("persons/<int:person_id>/", views.person, name="person"),
    path("overview/", views.overview, name="overview"),
]
