from django.urls import path

from pingan.antifraud import views

app_name = "antifraud"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:report_id>/", views.report, name="report"),
    path("reports/<int:report_id>/identifiers/", views.identifier_add, name="identifier_add"),
    path("reports/<int:report_id>/statements/", views.statement_upload, name="statement_upload"),
    path("reports/<int:report_id>/trace/", views.trace, name="trace"),
    path("traces/<int:trace_id>/orders/", views.orders_draft, name="orders_draft"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/<str:step>/", views.order_step, name="order_step"),
    path("orders/<int:order_id>/notice.pdf", views.order_notice, name="order_notice"),
    path("blocks/", views.blocks, name="blocks"),
    path("blocks/export.rpz", views.blocks_rpz, name="blocks_rpz"),
    path("blocks/numbers.csv", views.blocks_numbers, name="blocks_numbers"),
    path("blocks/<int:block_id>/", views.block, name="block"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:warning_id>/outcome/", views.warning_outcome, name="warning_outcome"),
]
