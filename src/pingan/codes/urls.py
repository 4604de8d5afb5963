"""Safety-code URLs: well-known key sets, the offline verification page, owner and police pages."""

from django.urls import path

from pingan.codes import views
from pingan.core import navigation

app_name = "codes"
urlpatterns = [
    path(".well-known/pingan/cose-keys", views.cose_key_set, name="cose_keys"),
    path(".well-known/pingan/jwks.json", views.jwks, name="jwks"),
    path("verify/", views.verify_page, name="verify"),
    path("verify/verify.js", views.verify_script, name="verify_js"),
    path("verify/sw.js", views.service_worker, name="service_worker"),
    path("verify/vendor/<path:name>", views.verify_vendor, name="verify_vendor"),
    path("verify/manifest.webmanifest", views.manifest, name="manifest"),
    path("codes/", navigation.app_root("/codes/"), name="root"),  # the police's queue; others go home
    path("codes/premises/<int:premises_id>/", views.premises_code, name="premises"),
    path("codes/premises/<int:premises_id>/issue/", views.premises_code_issue, name="issue"),
    path("codes/premises/<int:premises_id>/qr.svg", views.premises_qr, {"kind": "svg"}, name="qr_svg"),
    path("codes/premises/<int:premises_id>/qr.png", views.premises_qr, {"kind": "png"}, name="qr_png"),
    path("codes/premises/<int:premises_id>/poster.pdf", views.premises_poster, name="poster"),
    path("codes/premises/<int:premises_id>/dispute/", views.premises_dispute, name="dispute"),
    path("codes/premises/<int:premises_id>/override/", views.premises_override, name="override"),
    path("codes/premises/<int:premises_id>/revoke/", views.premises_code_revoke, name="revoke"),
    path("codes/police/", views.police_queue, name="police"),
    path("codes/disputes/<int:dispute_id>/resolve/", views.dispute_resolve, name="dispute_resolve"),
    path("codes/overrides/<int:override_id>/approve/", views.override_decide, {"decision": "approve"},
         name="override_approve"),
    path("codes/reviews/<int:review_id>/release/", views.review_release, name="review_release"),
    path("codes/reviews/<int:review_id>/confirm-left/", views.review_confirm_left, name="review_confirm_left"),
    path("codes/overrides/<int:override_id>/reject/", views.override_decide, {"decision": "reject"},
         name="override_reject"),
]
