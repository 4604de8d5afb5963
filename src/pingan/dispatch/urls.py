from django.urls import path

from pingan.core import navigation
from pingan.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", navigation.app_root("/dispatch/"), name="root"),  # the console or an officer's unit
    path("console/", views.console, name="console"),
    path("console/state/", views.console_state, name="console_state"),
    path("console/figures/", views.console_figures, name="console_figures"),
    path("console/alerts/<int:alert_id>/", views.console_alert, name="console_alert"),
    path("terminal/", views.terminal, name="terminal"),
    path("terminal/status/", views.terminal_status, name="terminal_status"),
    path("terminal/position/", views.terminal_position, name="terminal_position"),
    path("terminal/assignments/<int:assignment_id>/", views.terminal_answer, name="terminal_answer"),
    path("roster/", views.roster, name="roster"),
    path("operations/", views.operations, name="operations"),
    path("operations/templates/", views.operation_templates, name="operation_templates"),
    path("operations/templates/new/", views.operation_template_new, name="operation_template_new"),
    path("operations/templates/<slug:key>/", views.operation_template, name="operation_template"),
    path("operations/from-template/", views.operation_from_template, name="operation_from_template"),
    path("operations/<int:operation_id>/", views.operation, name="operation"),
    path("operations/<int:operation_id>/review/", views.operation_review, name="operation_review"),
    path("operations/<int:operation_id>/review.pdf", views.operation_review_pdf, name="operation_review_pdf"),
    path("operations/<int:operation_id>/posts/", views.operation_post, name="operation_post"),
    path("operations/<int:operation_id>/units/", views.operation_deploy, name="operation_deploy"),
]
