"""Case-property pages under /evidence/."""

from django.urls import path

from pingan.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.home, name="home"),
    path("scan/", views.scan, name="scan"),
    path("count/", views.count, name="count"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/labels.pdf", views.case_labels, name="case_labels"),
    path("checkouts/", views.checkouts, name="checkouts"),
    path("transfers/", views.transfers, name="transfers"),
    path("filings/", views.filings, name="filings"),
    path("transfers/<int:transfer_id>/list.pdf", views.transfer_pdf, name="transfer_pdf"),
    path("lists/<int:list_id>/list.pdf", views.seizure_list_pdf, name="seizure_list_pdf"),
    path("files/<int:file_id>/", views.file_download, name="file"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("items/<str:label>/", views.item, name="item"),
    path("items/<str:label>/chain.pdf", views.item_chain_pdf, name="chain_pdf"),
    path("items/<str:label>/label.pdf", views.item_label_pdf, name="label_pdf"),
    path("items/<str:label>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("items/<str:label>/<slug:action>/", views.item_action, name="item_action"),
]
