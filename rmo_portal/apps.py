from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "rmo_portal"
    verbose_name = "Портал: служебное"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="rmo_fold")
