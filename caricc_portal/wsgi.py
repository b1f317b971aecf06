"""WSGI entry point (gunicorn caricc_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caricc_portal.settings")
application = get_wsgi_application()
