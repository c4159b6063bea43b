from django.conf import settings
from django.db import models

from .files import storage_name


class Heartbeat(models.Model):
    """The last time a beat-scheduled task ran on a worker; /healthz reads it."""

    name = models.CharField("название", max_length=50, unique=True)
    last_seen = models.DateTimeField("последний сигнал")

    class Meta:
        verbose_name = "сигнал планировщика"
        verbose_name_plural = "сигналы планировщика"

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seen:%d.%m.%Y %H:%M:%S}"


class StoredFile(models.Model):
    """An uploaded file: stored under an unguessable name, its type checked by content (rmo_portal.files)."""

    file = models.FileField("файл", upload_to=storage_name, max_length=255)
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип", max_length=120)
    size = models.PositiveBigIntegerField("размер, байт")
    sha256 = models.CharField("контрольная сумма SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="загрузил",
    )  # fmt: skip
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "файл"
        verbose_name_plural = "файлы"

    def __str__(self) -> str:
        return self.original_name


class Lock(models.Model):
    """A named lock row (rmo_portal.locks): held for the length of a transaction."""

    name = models.CharField("название", max_length=100, unique=True)
    held = models.BooleanField(default=False)

    class Meta:
        verbose_name = "блокировка"
        verbose_name_plural = "блокировки"

    def __str__(self) -> str:
        return self.name
