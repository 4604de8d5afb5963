"""WSGI entry point (``pingan.config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
application = get_wsgi_application()
