from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .district import TIME_ZONES
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


class ExportJob(models.Model):
    """A file the portal makes in the background (rmo_portal.exports): an export, a schedule, a long PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Готовится"
        DONE = "done", "Готов"
        FAILED = "failed", "Не удалось"
        EXPIRED = "expired", "Удалён по сроку хранения"

    # The allowed moves; only rmo_portal.exports changes `status`.
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED, Status.EXPIRED},
        Status.RUNNING: {Status.DONE, Status.FAILED, Status.EXPIRED},
        Status.DONE: {Status.EXPIRED},
        Status.FAILED: {Status.EXPIRED},
        Status.EXPIRED: set(),
    }

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name="кто заказал"
    )
    kind = models.CharField("вид", max_length=50)
    title = models.CharField("название", max_length=300)
    params = models.JSONField("параметры", default=dict, blank=True)
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    error = models.CharField("ошибка", max_length=500, blank=True)
    result = models.ForeignKey(
        StoredFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="файл"
    )
    created_at = models.DateTimeField("заказан", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)
    expires_at = models.DateTimeField("хранится до", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "выгрузка"
        verbose_name_plural = "выгрузки"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed", "expired"]),
                name="export_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("export_job", args=[self.pk])

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Signature(models.Model):
    """A simple electronic signature (63-ФЗ) under one version of a document, with its verification code."""

    code = models.CharField("код проверки", max_length=20, unique=True)
    # Which document: «meetings.protocol:17» — the kernel knows no app; the app finds its signatures by the key.
    document_key = models.CharField("документ (ключ)", max_length=100, db_index=True)
    document_version = models.PositiveIntegerField("версия документа", default=1)
    document_title = models.CharField("документ", max_length=500)
    document_url = models.CharField("адрес документа", max_length=300, blank=True)
    document_hash = models.CharField("SHA-256 текста документа", max_length=64)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures", verbose_name="подписал"
    )
    signer_name = models.CharField("ФИО подписавшего", max_length=300)
    role_label = models.CharField("в качестве", max_length=200)
    signed_at = models.DateTimeField("подписано")

    class Meta:
        verbose_name = "электронная подпись"
        verbose_name_plural = "электронные подписи"
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_key", "document_version", "signer", "role_label"], name="signature_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name}, {self.role_label}: {self.document_title}"

    @property
    def short_hash(self) -> str:
        """The first 16 hexadecimal digits, printed on the stamp (enough to tell two texts apart by eye)."""
        return self.document_hash[:16]

    @property
    def code_label(self) -> str:
        """«ABCD-EFGH-JK», as the stamp prints it."""
        from .signatures import code_label

        return code_label(self.code)

    @property
    def signed_at_label(self) -> str:
        """«20 июня 2027 г., 14:05», in the district's time."""
        from .text import date_ru

        return f"{date_ru(self.signed_at)}, {timezone.localtime(self.signed_at):%H:%M}"

    def hash_matches(self, entered: str) -> bool:
        """The hash a reader typed from the paper: its beginning (16 digits or more), any case, spaces ignored."""
        entered = "".join(entered.split()).lower()
        return len(entered) >= 16 and self.document_hash.lower().startswith(entered)


class StatusChange(models.Model):
    """One move of a document along its workflow (rmo_portal.workflow): who, when, from, to, with what comment."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", verbose_name="вид")
    object_id = models.PositiveBigIntegerField("номер записи")
    content_object = GenericForeignKey("content_type", "object_id")
    # A default, not auto_now_add: the history moved here from the apps' own tables keeps its times.
    at = models.DateTimeField("когда", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="кто",
    )  # fmt: skip
    from_status = models.CharField("было", max_length=20, blank=True)
    to_status = models.CharField("стало", max_length=20)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        verbose_name = "смена состояния"
        verbose_name_plural = "история состояний"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="status_change_object_at")]

    def __str__(self) -> str:
        return f"{self.content_object}: {self.from_status_label or '—'} → {self.to_status_label}"

    def _model(self):
        # history_of() sets it; otherwise the content type (cached by Django) knows the model.
        return getattr(self, "status_model", None) or self.content_type.model_class()

    # What a person reads: the status labels, never the stored codes (STYLE.md §17).
    @property
    def from_status_label(self) -> str:
        if not self.from_status:
            return ""
        from .workflow import status_label

        return status_label(self._model(), self.from_status)

    @property
    def to_status_label(self) -> str:
        from .workflow import status_label

        return status_label(self._model(), self.to_status)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def mail_failed(self):
        """Letters that failed and were not sent since: the administrator's «Неотправленные письма»."""
        return self.filter(by_mail=True, emailed_at__isnull=True, mail_failed_at__isnull=False)

    def held_for_digest(self):
        """Letters waiting for the daily digest."""
        return self.filter(by_mail=True, digest=True, emailed_at__isnull=True)


class Notification(models.Model):
    """One message to one person: always shown under the bell, mailed at once, in the digest or not at all."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="кому"
    )
    # "reminder", "escalation", "workflow", "invitation", "meeting": rmo_portal.notifications.KIND_LABELS.
    kind = models.CharField("вид", max_length=20)
    subject = models.CharField("тема", max_length=300)
    text = models.TextField("текст", blank=True)
    # A path inside the portal (the page that acts on it); letters make it absolute with SITE_URL.
    link = models.CharField("ссылка", max_length=500, blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    # Whether a letter is owed at all (the person has an address and wants mail), and if so, whether it waits for
    # the daily digest; then when it went, or when and why the last attempt failed.
    by_mail = models.BooleanField("письмо", default=False)
    digest = models.BooleanField("в ежедневной сводке", default=False)
    emailed_at = models.DateTimeField("письмо отправлено", null=True, blank=True)
    mail_failed_at = models.DateTimeField("ошибка отправки", null=True, blank=True)
    mail_error = models.TextField("текст ошибки", blank=True)
    attempts = models.PositiveSmallIntegerField("попыток отправки", default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def kind_label(self) -> str:
        from .notifications import KIND_LABELS

        return KIND_LABELS.get(self.kind, "Уведомление")

    @property
    def mail_pending(self) -> bool:
        """A letter of its own is owed and not yet sent."""
        return self.by_mail and not self.digest and self.emailed_at is None


class District(models.Model):
    """The district this installation serves (one row): its names for pages and documents, set in the first-run
    setup and editable in the admin; until it exists the environment's defaults (PORTAL_NAME, DISTRICT_NAME,
    ORGANISATION_NAME) are shown. rmo_portal.district reads it through the cache."""

    portal_name = models.CharField("название портала", max_length=200)
    name = models.CharField("район", max_length=200, help_text="Как в шапке страниц: «Печорский район».")
    name_genitive = models.CharField(
        "район в родительном падеже", max_length=200, help_text="Для документов: «Печорского района»."
    )
    organisation_name = models.CharField(
        "официальное название органа управления образованием", max_length=300,
        help_text="Как в приказах: «Управление образования администрации Печорского района».",
    )  # fmt: skip
    time_zone = models.CharField("часовой пояс", max_length=64, default="Europe/Moscow", choices=TIME_ZONES)
    # The setup's steps done so far (it can be left and resumed), and when it was finished.
    setup_steps = models.JSONField("пройденные шаги настройки", default=list, blank=True)
    setup_done_at = models.DateTimeField("настройка завершена", null=True, blank=True)

    class Meta:
        verbose_name = "район"
        verbose_name_plural = "район"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1  # one district per installation
        super().save(*args, **kwargs)
        from .district import district_forget

        district_forget()
