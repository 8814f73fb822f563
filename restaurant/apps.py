import os

from django.apps import AppConfig
from django.conf import settings


class RestaurantConfig(AppConfig):
    name = "restaurant"
    verbose_name = "Restaurants and access"

    def ready(self) -> None:
        from restaurant import login_guard  # noqa: F401  (connects its user_login_failed receiver)

        # kombu's filesystem transport (the no-server default) does not create its folders, and the web
        # process may queue a task before any worker has started.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)
