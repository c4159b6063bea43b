from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Планы и отчёты"

    def ready(self):
        from .panels import register_panels

        register_panels()  # the documents' panels on the start pages (rmo_portal.panels)
