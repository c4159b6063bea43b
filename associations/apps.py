from django.apps import AppConfig


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = "Объединения"

    def ready(self):
        # Registers the «Объединение» filter of the teacher list (members never imports associations).
        from members import services as members_services

        from . import filters  # noqa: F401
        from .services import person_erase_traces

        from .panels import register_panels

        register_panels()  # the associations' panels on the start pages

        # An erased person's name leaves the associations' history too.
        if person_erase_traces not in members_services.ERASURE_HOOKS:
            members_services.ERASURE_HOOKS.append(person_erase_traces)
