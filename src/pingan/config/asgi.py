"""ASGI entry point: the whole site, including the officers' Server-Sent-Event streams (``pingan serve``
runs it under uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
application = get_asgi_application()
