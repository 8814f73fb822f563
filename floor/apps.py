from django.apps import AppConfig


class FloorConfig(AppConfig):
    name = "floor"
    verbose_name = "Floor"

    def ready(self) -> None:
        # Imported here, not at the top: services import models, which cannot load before the app
        # registry is ready (Django's rule for AppConfig modules; not a loop between layers).
        from floor.services.pos import pos_handlers_register

        # The inbox (restaurant) knows no domain: the floor tells it which POS events it applies.
        pos_handlers_register()
