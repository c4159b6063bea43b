from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Заседания"

    def ready(self):
        from .panels import register_panels

        register_panels()  # the meetings' panels on the start pages (rmo_portal.panels)
