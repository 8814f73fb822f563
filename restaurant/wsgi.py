"""WSGI entry point (the dashboards' live updates need ASGI: see asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")
application = get_wsgi_application()
