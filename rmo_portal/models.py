from django.db import models


class Heartbeat(models.Model):
    """The last time a beat-scheduled task ran on a worker; /healthz reads it."""

    name = models.CharField("название", max_length=50, unique=True)
    last_seen = models.DateTimeField("последний сигнал")

    class Meta:
        verbose_name = "сигнал планировщика"
        verbose_name_plural = "сигналы планировщика"

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seen:%d.%m.%Y %H:%M:%S}"
