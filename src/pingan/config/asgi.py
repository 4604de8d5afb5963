"""ASGI entry points: the whole site, including the officers' Server-Sent-Event streams.

``application`` is for production (static files served by the web server in front); ``demo_application``
also serves the static files itself, as ``pingan serve`` does for a demo on one machine.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
_django = get_asgi_application()

from pingan.alerts.stream import StreamOpeningGate  # noqa: E402
from pingan.core.uploads import ASGIBodyLimit  # noqa: E402 - needs the settings configured above

# Django's ASGI handler reads a whole request body before any middleware: the upload limit goes in front
application = StreamOpeningGate(ASGIBodyLimit(_django))


def _demo():
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return StreamOpeningGate(ASGIBodyLimit(ASGIStaticFilesHandler(_django)))


demo_application = _demo()
