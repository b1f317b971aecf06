"""Settings of the server `manage.py bench_intel` starts: production's, over plain HTTP.

Everything in settings_production (DEBUG off, the same middleware, caches and
database settings) except what a loopback benchmark cannot or must not have: no
manifest for static files (the bench does not run collectstatic; pages only
build static URLs), and the SSL redirect and second factor turned off by the
environment the bench passes (SECURE_SSL_REDIRECT=False, REQUIRE_2FA=False).
"""

from .settings_production import *  # noqa: F403
from .settings_production import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
