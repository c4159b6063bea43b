"""Writes of the teacher database: self-service edits, change requests, the annual refresh, consent.

Each function checks what it needs, writes in one transaction and says what it causes.
"""

import datetime
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .forms import CHANGE_FORMS
from .models import (
    ChangeRequest,
    Consent,
    ConsentDocument,
    Employment,
    ProfileConfirmation,
    ProfileView,
    Teacher,
    User,
    academic_year_of,
)


class ProfileError(Exception):
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
        request.evidence.save(evidence.name, evidence, save=False)
    request.save()
    return request


@transaction.atomic
def change_request_accept(*, change: ChangeRequest, by: User, comment: str = "") -> ChangeRequest:
    """Apply the requested change to the profile (re-validated now) and close the request."""
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    _move(change, ChangeRequest.Status.ACCEPTED)
    teacher = change.teacher
    form = CHANGE_FORMS[change.kind](data=change.data, instance=_target_instance(teacher, change.kind))
    if not form.is_valid():
        raise ProfileError("Сведения в запросе больше не проходят проверку: " + form.errors.as_text())
    obj = form.save(commit=False)
    if not form.edits_profile:
        obj.teacher = teacher
    file_field = form.evidence_field
    if file_field and change.evidence:
        change.evidence.open("rb")
        getattr(obj, file_field).save(
            change.evidence.name.rsplit("/", 1)[-1], ContentFile(change.evidence.read()), save=False
        )
        change.evidence.close()
    obj._history_user = by
    obj.save()
    form.save_m2m()
    if form.cleaned_data.get("school"):
        _main_employment_set(teacher, school=form.cleaned_data["school"], position=form.cleaned_data["position"])
    change.decided_at = timezone.now()
    change.decided_by = by
    change.comment = comment
    change.save(update_fields=["status", "decided_at", "decided_by", "comment"])
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
    _move(change, ChangeRequest.Status.RETURNED)
    change.decided_at = timezone.now()
    change.decided_by = by
    change.comment = comment.strip()
    change.save(update_fields=["status", "decided_at", "decided_by", "comment"])
    return change


def _move(change: ChangeRequest, to: str) -> None:
    if to not in ChangeRequest.TRANSITIONS[change.status]:
        raise ProfileError(f"Запрос уже рассмотрен: {change.get_status_display().lower()}.")
    change.status = to


def _target_instance(teacher: Teacher, kind: str):
    # Some kinds edit the profile itself; the others add a row.
    return teacher if CHANGE_FORMS[kind].edits_profile else None


# --- the annual refresh ---------------------------------------------------------------------


@transaction.atomic
def profile_confirm(*, teacher: Teacher, on: datetime.date | None = None) -> ProfileConfirmation:
    """The teacher confirms their profile is current for this academic year."""
    on = on or timezone.localdate()
    confirmation, _ = ProfileConfirmation.objects.select_for_update().get_or_create(
        teacher=teacher, academic_year=academic_year_of(on)
    )
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    return confirmation


@transaction.atomic
def profile_check(*, teacher: Teacher, by: User, on: datetime.date | None = None) -> ProfileConfirmation:
    """A reviewer marks the profile as checked for this academic year (date and checker)."""
    on = on or timezone.localdate()
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


def profile_view_log(*, teacher: Teacher, viewer: User) -> None:
    """Record that someone other than the teacher opened the full profile."""
    if teacher.user_id != viewer.pk:
        ProfileView.objects.create(teacher=teacher, viewer=viewer)


# --- uploaded import files ------------------------------------------------------------------


def import_file_store(*, name: str, content: bytes) -> str:
    """Keep an uploaded list between the preview and the confirmation; returns its token."""
    token = uuid.uuid4().hex
    default_storage.save(f"imports/{token}{Path(name).suffix.lower()}", ContentFile(content))
    return token


def import_file_read(*, token: str) -> bytes:
    if not token.isalnum():
        raise ProfileError("Неверная ссылка на загруженный файл.")
    for suffix in (".xlsx", ".csv"):
        path = f"imports/{token}{suffix}"
        if default_storage.exists(path):
            with default_storage.open(path, "rb") as file:
                return file.read()
    raise ProfileError("Загруженный файл не найден: загрузите его снова.")
