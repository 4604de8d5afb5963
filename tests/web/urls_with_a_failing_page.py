"""The site's URLs plus ``/boom/``, a page that fails (for the 500 page in a real browser)."""

from django.urls import path

from pingan.config import urls as site


def boom(request):
    raise RuntimeError("a page that fails, for the 500 page")


urlpatterns = [path("boom/", boom), *site.urlpatterns]
handler400, handler403 = site.handler400, site.handler403
handler404, handler500 = site.handler404, site.handler500
