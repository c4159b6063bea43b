from django.apps import AppConfig


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = "Объединения"

    def ready(self):
        # Registers the «Объединение» filter of the teacher list (members never imports associations).
        from . import filters  # noqa: F401
