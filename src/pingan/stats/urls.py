from django.urls import path

from pingan.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template_xlsx, name="template"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:batch_id>/", views.import_detail, name="import"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("u/<str:code>/weekly.pdf", views.unit_pdf, name="unit_pdf"),
    path("u/<str:code>/compstat.<str:fmt>", views.unit_export, name="unit_export"),
    path("u/<str:code>/incidents/", views.incidents, name="incidents"),
    path("u/<str:code>/incidents.<str:fmt>", views.incidents_export, name="incidents_export"),
    path("u/<str:code>/downgrades/", views.downgrades, name="downgrades"),
    path("u/<str:code>/public.<str:fmt>", views.public_release, name="public"),
]
