from django.contrib.auth import views as auth_views
from django.urls import path

from pingan.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="core:login"), name="logout"),
    path("purpose/", views.purpose, name="purpose"),
    path("premises/", views.premises_list, name="premises_list"),
    path("premises/<int:premises_id>/", views.premises_detail, name="premises_detail"),
    path("audit/", views.audit_search, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
