from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "rmo_portal"
    verbose_name = "Портал: служебное"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="rmo_fold")

        from .panels import register
        from .services import health_report

        register(
            "admin", key="system_health", template="start/panels/system_health.html", order=20,
            context=lambda request, today: {"health": health_report()},
        )  # fmt: skip
        register(
            "admin", key="failed_mail", template="start/panels/failed_mail.html", order=10,
            permission="portal.resend_mail", context=failed_mail_panel,
        )  # fmt: skip


def failed_mail_panel(request, today) -> dict | None:
    """«Неотправленные письма: N» on the administrator's page, only when there are any (one query)."""
    from .models import Notification

    count = Notification.objects.mail_failed().count()
    return {"failed_mail": count} if count else None
