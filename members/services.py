"""Writes of the teacher database: self-service edits, change requests, the annual refresh, consent.

Each function checks what it needs, writes in one transaction and says what it causes.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from rmo_portal import calendar, workflow
from rmo_portal.files import read_bytes, stored_file_create, stored_file_delete
from rmo_portal.locks import lock_hold
from rmo_portal.text import date_ru

from . import importer
from .forms import CHANGE_FORMS
from .models import (
    AccessLog,
    Achievement,
    Category,
    ChangeRequest,
    Consent,
    ConsentDocument,
    DestructionAct,
    Education,
    Employment,
    HistoricalTeacher,
    HistoricalTeacher_subjects,
    HistoricalUser,
    ImportJob,
    ProfileConfirmation,
    Teacher,
    TrainingCourse,
    User,
    academic_year_of,
)

logger = logging.getLogger(__name__)


class ProfileError(workflow.TransitionRefused):
    """A change to the teacher database that the rules do not allow; the message is for the user."""


# --- change requests ------------------------------------------------------------------------


@transaction.atomic
def change_request_submit(*, teacher: Teacher, kind: str, data: dict, evidence=None, by: User) -> ChangeRequest:
    """File a request to change a verified fact; it waits for a reviewer. Nothing in the profile changes yet."""
    # Validate against a fresh copy: a ModelForm writes into its instance while cleaning.
    fresh = Teacher.objects.get(pk=teacher.pk)
    form = CHANGE_FORMS[kind](data=data, instance=_target_instance(fresh, kind))
    if not form.is_valid():
        raise ProfileError("Сведения заполнены с ошибками: " + "; ".join(" ".join(e) for e in form.errors.values()))
    request = ChangeRequest(teacher=teacher, kind=kind, data=form.serialized_data(), created_by=by)
    if evidence:
        request.evidence = stored_file_create(upload=evidence, use="evidence", by=by)
    request.save()
    return request


@transaction.atomic
def change_request_resubmit(*, previous: ChangeRequest, data: dict, evidence=None, by: User) -> ChangeRequest:
    """Send a returned request again, corrected: a new request of the same kind, linked to the one it answers.

    Checks that `previous` was returned, that it is `by`'s own, and that it has not been sent again already
    (a second click or a resent form changes nothing). Without a new scan, the earlier one stays with it.
    The returned request keeps its data and the reviewer's comment: the thread is the history.
    """
    previous = ChangeRequest.objects.select_for_update().select_related("teacher").get(pk=previous.pk)
    if previous.teacher.user_id != by.pk:
        raise ProfileError("Исправить и отправить снова может только сам педагог.")
    if previous.status != ChangeRequest.Status.RETURNED:
        raise ProfileError(f"Этот запрос не возвращался: {previous.get_status_display().lower()}.")
    if ChangeRequest.objects.filter(previous=previous).exists():
        raise ProfileError("Этот запрос уже исправлен и отправлен снова.")
    request = change_request_submit(teacher=previous.teacher, kind=previous.kind, data=data, evidence=evidence, by=by)
    request.previous = previous
    if request.evidence_id is None and previous.evidence_id:
        request.evidence_id = previous.evidence_id
    request.save(update_fields=["previous", "evidence"])
    return request


@transaction.atomic
def change_request_accept(*, change: ChangeRequest, by: User, comment: str = "") -> ChangeRequest:
    """Apply the requested change to the profile (re-validated now) and close the request."""
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    _move(change, ChangeRequest.Status.ACCEPTED, by=by, comment=comment)
    teacher = change.teacher
    form = CHANGE_FORMS[change.kind](data=change.data, instance=_target_instance(teacher, change.kind))
    if not form.is_valid():
        raise ProfileError("Сведения в запросе больше не проходят проверку: " + form.errors.as_text())
    obj = form.save(commit=False)
    if not form.edits_profile:
        obj.teacher = teacher
    file_field = form.evidence_field
    if file_field and change.evidence_id:
        # The accepted scan becomes the row's document: the same stored file, not a copy.
        setattr(obj, f"{file_field}_id", change.evidence_id)
    obj._history_user = by
    obj.save()
    form.save_m2m()
    if form.cleaned_data.get("school"):
        _main_employment_set(teacher, school=form.cleaned_data["school"], position=form.cleaned_data["position"])
    return change


def _main_employment_set(teacher: Teacher, *, school, position: str) -> None:
    """Make `school` the main place of work; the previous main one stays as an additional place."""
    teacher.employments.filter(is_main=True).exclude(school=school, position=position).update(is_main=False)
    employment, created = Employment.objects.get_or_create(
        teacher=teacher, school=school, position=position, defaults={"is_main": True}
    )
    if not created and not employment.is_main:
        employment.is_main = True
        employment.save(update_fields=["is_main"])


@transaction.atomic
def change_request_return(*, change: ChangeRequest, by: User, comment: str) -> ChangeRequest:
    """Return a request with the reason; the profile stays as it was."""
    if not comment.strip():
        raise ProfileError("Напишите, почему запрос возвращается: педагог увидит это объяснение.")
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    _move(change, ChangeRequest.Status.RETURNED, by=by, comment=comment.strip())
    return change


def _move(change: ChangeRequest, to: str, *, by: User, comment: str) -> None:
    """The one transition (rmo_portal.workflow): the decision, who and when saved with it, recorded."""
    workflow.transition(
        change, to, by=by, comment=comment, error=ProfileError,
        refused=lambda c, _: f"Запрос уже рассмотрен: {c.get_status_display().lower()}.",
        extra_fields={"decided_at": timezone.now(), "decided_by": by, "comment": comment},
    )  # fmt: skip


def _target_instance(teacher: Teacher, kind: str):
    # Some kinds edit the profile itself; the others add a row.
    return teacher if CHANGE_FORMS[kind].edits_profile else None


# --- the annual refresh ---------------------------------------------------------------------


@transaction.atomic
def profile_confirm(*, teacher: Teacher, on: datetime.date | None = None) -> ProfileConfirmation:
    """The teacher confirms their profile is current for this academic year."""
    on = on or calendar.today()
    confirmation, _ = ProfileConfirmation.objects.select_for_update().get_or_create(
        teacher=teacher, academic_year=academic_year_of(on)
    )
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    return confirmation


@transaction.atomic
def profile_check(*, teacher: Teacher, by: User, on: datetime.date | None = None) -> ProfileConfirmation:
    """A reviewer marks the profile as checked for this academic year (date and checker)."""
    on = on or calendar.today()
    if teacher.change_requests.filter(status=ChangeRequest.Status.PENDING).exists():
        raise ProfileError("Сначала рассмотрите запросы педагога на изменение профиля.")
    confirmation, _ = ProfileConfirmation.objects.select_for_update().get_or_create(
        teacher=teacher, academic_year=academic_year_of(on)
    )
    confirmation.checked_at = timezone.now()
    confirmation.checked_by = by
    confirmation.save(update_fields=["checked_at", "checked_by"])
    return confirmation


# --- consent and the access log -------------------------------------------------------------


def consent_needed(*, user: User, document: ConsentDocument | None = None) -> bool:
    """A teacher without an active consent to the current document must give it first."""
    document = document or ConsentDocument.current()
    if document is None or not Teacher.objects.filter(user=user).exists():
        return False
    return not Consent.objects.filter(user=user, document=document, withdrawn_at__isnull=True).exists()


@transaction.atomic
def consent_give(*, user: User, document: ConsentDocument, publish_allowed: bool) -> Consent:
    consent, created = Consent.objects.get_or_create(
        user=user,
        document=document,
        withdrawn_at=None,
        defaults={"given_at": timezone.now(), "publish_allowed": publish_allowed},
    )
    if not created and consent.publish_allowed != publish_allowed:
        consent.publish_allowed = publish_allowed
        consent.save(update_fields=["publish_allowed"])
    return consent


@transaction.atomic
def consent_withdraw(*, user: User) -> int:
    """Withdraw every active consent; the portal asks again at the next page."""
    return Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())


def access_log(
    *, teacher: Teacher | None, viewer: User, action: str = AccessLog.Action.PROFILE, detail: str = ""
) -> None:
    """Record that someone other than the teacher read their data (or exported a list: teacher None).

    Repeated loads of the same thing by the same person within ACCESS_LOG_MERGE_MINUTES are one entry.
    """
    if teacher is not None and teacher.user_id == viewer.pk:
        return
    since = timezone.now() - datetime.timedelta(minutes=settings.ACCESS_LOG_MERGE_MINUTES)
    same = AccessLog.objects.filter(teacher=teacher, viewer=viewer, action=action, detail=detail[:500])
    if not same.filter(viewed_at__gte=since).exists():
        AccessLog.objects.create(teacher=teacher, viewer=viewer, action=action, detail=detail[:500])


# --- imports of teacher lists -----------------------------------------------------------------


def _job_move(job: ImportJob, to: str, **fields) -> None:
    # A machine state (queued, reading, ready…): workflow.move(), no history rows nor notifiers (rmo_portal.workflow).
    workflow.move(
        job, to, error=ProfileError,
        refused=lambda j, _: f"Загрузка уже в состоянии «{j.get_status_display().lower()}».",
    )  # fmt: skip
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


@transaction.atomic
def import_job_start(*, upload, by: User) -> ImportJob:
    """Keep an uploaded list (checked by content) and queue its reading; the web request returns at once."""
    from . import tasks

    stored = stored_file_create(upload=upload, use="import", by=by)
    job = ImportJob.objects.create(file=stored, file_name=stored.original_name, created_by=by)
    transaction.on_commit(lambda: tasks.import_read.delay(job.pk))
    return job


def _progress_saver(job_id: int, start: int, span: int):
    def save(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=min(99, start + span * done // max(total, 1)))

    return save


def import_job_read(*, job_id: int) -> str:
    """Read and judge the list (in a worker): the job gets its preview, or the reason it failed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return job.status
        _job_move(job, ImportJob.Status.READING, progress=5)
    try:
        table = importer.read_table(job.file_name, read_bytes(job.file))
        plan = importer.plan_import(table, progress=_progress_saver(job_id, 10, 89))
        if plan.error:
            raise importer.ImportFileError(plan.error)
    except importer.ImportFileError as error:
        return _job_fail(job_id, str(error))
    except Exception:
        logger.exception("Import %s could not be read", job_id)
        return _job_fail(job_id, "Файл не удалось прочитать. Проверьте его и загрузите снова.")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        _job_move(job, ImportJob.Status.PREVIEW, progress=100, preview=importer.plan_to_json(plan))
    return job.status


def _job_fail(job_id: int, message: str) -> str:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return job.status
        _job_move(job, ImportJob.Status.FAILED, error=message, finished_at=timezone.now())
        stored, job.file = job.file, None
        job.save(update_fields=["file"])
        stored_file_delete(stored)
    return job.status


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by: User, overwrite_dates: bool = False) -> ImportJob:
    """Confirm a previewed list once: a second click, a second tab or a resent form changes nothing.

    `overwrite_dates` (a checkbox on the preview) lets older attestation dates in the file replace newer ones.
    """
    from . import tasks

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.PREVIEW:
        raise ProfileError(
            "Этот список уже подтверждён — загружать его второй раз не нужно."
            if job.status in (ImportJob.Status.APPLYING, ImportJob.Status.DONE)
            else f"Этот список нельзя подтвердить: {job.get_status_display().lower()}."
        )
    if job.file_id is None:
        raise ProfileError("Файл уже удалён: загрузите его снова.")
    _job_move(
        job, ImportJob.Status.APPLYING, progress=0, confirmed_by=by, confirmed_at=timezone.now(),
        overwrite_dates=overwrite_dates,
    )  # fmt: skip
    transaction.on_commit(lambda: tasks.import_apply.delay(job.pk))
    return job


def import_job_apply(*, job_id: int) -> str:
    """Write the confirmed list (in a worker), then delete the uploaded file: it holds a whole list of people."""
    job = ImportJob.objects.select_related("confirmed_by", "file").get(pk=job_id)
    if job.status != ImportJob.Status.APPLYING or job.file_id is None:
        return job.status  # a task delivered twice: the first one did the work
    try:
        table = importer.read_table(job.file_name, read_bytes(job.file))
        plan, counts = importer.import_run(
            table, by=job.confirmed_by, progress=_progress_saver(job_id, 0, 99), overwrite_dates=job.overwrite_dates
        )
    except importer.ImportFileError as error:
        return _job_fail(job_id, str(error))
    except Exception:
        logger.exception("Import %s could not be applied", job_id)
        return _job_fail(job_id, "Список не записан: произошла ошибка, ничего не изменилось. Загрузите файл снова.")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.APPLYING:
            return job.status
        stored = job.file
        _job_move(
            job, ImportJob.Status.DONE, progress=100, result=counts, preview=importer.plan_to_json(plan),
            finished_at=timezone.now(), file=None,
        )  # fmt: skip
        stored_file_delete(stored)
    return job.status


def import_files_purge(*, now: datetime.datetime | None = None) -> int:
    """After IMPORT_FILE_KEEP_HOURS, delete an uploaded list and its preview (names, schools, rejected cells).

    An unconfirmed job ends as failed; a finished one keeps only its counts.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_FILE_KEEP_HOURS)
    stale = ImportJob.objects.filter(created_at__lte=cutoff).exclude(status=ImportJob.Status.APPLYING)
    stale = stale.filter(models.Q(file__isnull=False) | models.Q(preview__isnull=False))
    purged = 0
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status == ImportJob.Status.APPLYING:
                continue
            # The preview holds names, schools and the rejected rows' cells: it goes with the file.
            stored, job.file, job.preview = job.file, None, None
            job.save(update_fields=["file", "preview"])
            if job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
                _job_move(
                    job, ImportJob.Status.FAILED, finished_at=now,
                    error=f"Файл удалён: список не подтвердили за {settings.IMPORT_FILE_KEEP_HOURS} ч.",
                )  # fmt: skip
            stored_file_delete(stored)
            purged += 1
    return purged


# --- erasure after the consent is withdrawn (152-ФЗ, ст. 21 ч. 5) ----------------------------

# What higher apps keep about a person (associations: history lines with the name), registered in their
# AppConfig.ready(): each is called as hook(user=..., full_name=...) inside the erasure's transaction and
# returns {what: how many records it changed}.
ERASURE_HOOKS: list = []


def erase_due_on(withdrawn_at: datetime.datetime) -> datetime.date:
    """The day a withdrawn person's data are erased (unless they give consent again before it)."""
    return timezone.localdate(withdrawn_at) + datetime.timedelta(days=settings.CONSENT_WITHDRAWAL_ERASE_DAYS)


def personal_data_erase_due(*, now: datetime.datetime | None = None) -> list[DestructionAct]:
    """Erase everyone whose consent has been withdrawn for CONSENT_WITHDRAWAL_ERASE_DAYS and not given again."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CONSENT_WITHDRAWAL_ERASE_DAYS)
    active = Consent.objects.filter(withdrawn_at__isnull=True).values("user")
    due = (
        User.objects.filter(teacher__isnull=False, erased_at__isnull=True)
        .exclude(pk__in=active)
        .annotate(last_withdrawn=models.Max("consents__withdrawn_at"))
        .filter(last_withdrawn__lte=cutoff)  # the last withdrawal counts, not an earlier one
        .values_list("pk", flat=True)
    )
    return [act for pk in due if (act := personal_data_erase(user=User.objects.get(pk=pk), now=now))]


@transaction.atomic
def personal_data_erase(*, user: User, now: datetime.datetime | None = None) -> DestructionAct | None:
    """Destroy a teacher's personal data and depersonalise the account; keep an act that names no one.

    The rows of the profile (places of work, education, courses, achievements, requests, confirmations),
    their scans and every history row go; the account stays, as «Педагог (данные уничтожены)», so that
    protocols and orders that mention the person keep their shape. The person is told by e-mail.
    """
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return None
    if Consent.objects.filter(user=user, withdrawn_at__isnull=True).exists():
        return None  # consent given again: nothing to erase
    withdrawn = Consent.objects.filter(user=user).aggregate(last=models.Max("withdrawn_at"))["last"]
    if withdrawn is None or withdrawn > now - datetime.timedelta(days=settings.CONSENT_WITHDRAWAL_ERASE_DAYS):
        return None  # never withdrawn, or not long enough ago
    full_name = user.full_name
    teacher = Teacher.objects.filter(user=user).first()
    email = user.email
    counts = {}
    files = []
    if teacher is not None:
        files += [c.certificate for c in teacher.courses.select_related("certificate") if c.certificate_id]
        files += [a.document for a in teacher.achievements.select_related("document") if a.document_id]
        files += [r.evidence for r in teacher.change_requests.select_related("evidence") if r.evidence_id]
        for label, related in (
            ("места работы", teacher.employments),
            ("образование", teacher.educations),
            ("курсы повышения квалификации", teacher.courses),
            ("достижения", teacher.achievements),
            ("запросы на изменение профиля", teacher.change_requests),
            ("ежегодные подтверждения", teacher.confirmations),
        ):
            counts[label] = related.count()
            related.all().delete()
        teacher.subjects.clear()
        for field in ("phone", "self_education_topic", "category_order"):
            setattr(teacher, field, "")
        for field in ("pedagogical_since", "total_since", "category_assigned_on", "last_attestation_on",
                      "next_attestation_year_set"):  # fmt: skip
            setattr(teacher, field, None)
        teacher.category = Category.NONE
        teacher.save()
        counts["файлы (сканы)"] = len({f.pk for f in files})
    user.first_name, user.last_name, user.patronymic = "", "Педагог (данные уничтожены)", ""
    user.refresh_sort_key()
    old_username = user.username
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.erased_at = now
    user.save()
    # History rows hold the old values: they go too.
    history_rows = HistoricalUser.objects.filter(id=user.pk).delete()[0]
    if teacher is not None:
        history_rows += HistoricalTeacher.objects.filter(id=teacher.pk).delete()[0]
        history_rows += HistoricalTeacher_subjects.objects.filter(history__id=teacher.pk).delete()[0]
        for model in (Employment, Education, TrainingCourse, Achievement):
            history_rows += model.history.model.objects.filter(teacher_id=teacher.pk).delete()[0]
    counts["записи истории изменений"] = history_rows
    if teacher is not None:
        AccessLog.objects.filter(teacher=teacher).update(detail="")
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as AxesAccessLog
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for model in (AccessAttempt, AccessFailureLog, AxesAccessLog):
        model.objects.filter(username__in=[old_username, email]).delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=user.last_name, change_message=""
    )
    for hook in ERASURE_HOOKS:
        for label, number in hook(user=user, full_name=full_name).items():
            counts[label] = number
    for stored in {f.pk: f for f in files}.values():
        stored_file_delete(stored)
    lock_hold("members.destruction_act")
    last = DestructionAct.objects.aggregate(n=models.Max("number"))["n"] or 0
    act = DestructionAct.objects.create(
        number=last + 1,
        done_at=now,
        reason="Отзыв согласия на обработку персональных данных (152-ФЗ, ст. 21 ч. 5)",
        consent_withdrawn_on=timezone.localdate(withdrawn) if withdrawn else timezone.localdate(now),
        categories="ФИО, контакты, места работы, предметы, образование, стаж, квалификационная категория и "
        "аттестация, курсы, достижения, запросы на изменение профиля, сканы документов, история изменений",
        counts=counts,
        method="Удаление записей из базы данных и файлов из хранилища; учётная запись обезличена и отключена",
    )
    if email:
        transaction.on_commit(
            lambda: send_mail(
                "Ваши персональные данные уничтожены",
                f"Здравствуйте!\n\nВы отозвали согласие на обработку персональных данных. Сведения о вас в "
                f"методическом портале уничтожены {date_ru(timezone.localdate(now))}, составлен акт № {act.number}. "
                "Учётная запись отключена.\n\nЕсли вы захотите снова пользоваться порталом, обратитесь к методисту.",
                None,
                [email],
                fail_silently=True,
            )
        )
    return act
