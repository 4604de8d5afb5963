from django.urls import path

from pingan.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.home, name="home"),
    path("premises/new/", views.premises_new, name="premises_new"),
    path("premises/<int:premises_id>/edit/", views.premises_edit, name="premises_edit"),
    path("signup/", views.signup, name="signup"),
    path("signups/", views.signups, name="signups"),
    path("upload/", views.upload, name="upload"),
    path("template.xlsx", views.roster_template, name="template"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/results.<str:fmt>", views.job_download, name="download"),
]
