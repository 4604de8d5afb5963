"""ASGI entry points: the whole site, including the officers' Server-Sent-Event streams.

``application`` is for production (static files served by the web server in front); ``demo_application``
also serves the static files itself, as ``pingan serve`` does for a demo on one machine.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
application = get_asgi_application()


def _demo():
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return ASGIStaticFilesHandler(application)


demo_application = _demo()
