from django.apps import AppConfig


class FloorConfig(AppConfig):
    name = "floor"
    verbose_name = "Floor"

    def ready(self) -> None:
        from floor.services.pos import pos_handlers_register

        # The inbox (restaurant) knows no domain: the floor tells it which POS events it applies.
        pos_handlers_register()
