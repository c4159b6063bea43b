from django.apps import AppConfig


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = "Объединения"

    def ready(self):
        # Registers the «Объединение» filter of the teacher list (members never imports associations).
        from members import services as members_services
        from rmo_portal import calendar

        from . import filters  # noqa: F401
        from .services import academic_year_shape, person_erase_traces

        # The academic years and their terms are rows here; the one calendar reads them.
        calendar.register_year_source(academic_year_shape)

        from .panels import register_panels

        register_panels()  # the associations' panels on the start pages

        from rmo_portal import workflow

        from .models import Order
        from .services import order_notify

        workflow.register_notifier(Order, order_notify)  # letters to the drafter (returned, signed)

        from .exports import register_exports

        register_exports()  # the list as PDF, made in the background (rmo_portal.exports)

        # An erased person's name leaves the associations' history too.
        if person_erase_traces not in members_services.ERASURE_HOOKS:
            members_services.ERASURE_HOOKS.append(person_erase_traces)
