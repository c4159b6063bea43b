"""WSGI entry point (gunicorn rmo_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmo_portal.settings")
application = get_wsgi_application()
