"""Invitations of teachers who have an account but no password yet (most of them came in by an import).

A teacher with an e-mail address gets a letter with a personal link; one without gets a sheet of paper with her
user name and a one-time code (members/templates: pdf/invitation_codes.html). Either leads to the same page that
sets a password, logs her in and sends her to the start page, where the consent is asked first (middleware).

The secret (the link's token or the code) is never stored: the row keeps its SHA-256. A letter's token is made by
the worker that sends the letter, so it exists only in the letter; sending again makes a new one, and the old one
stops working at once. Letters go in Celery tasks of INVITATION_BATCH_SIZE; a letter the mail server refuses is
recorded on its row and the others go on.
"""

import datetime
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rmo_portal.text import date_ru

from .models import HistoricalUser, ImportJob, Invitation, Role, Teacher, User
from .services import ProfileError

logger = logging.getLogger(__name__)

# A code is typed from paper: no letters that look alike (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def secret_hash(secret: str) -> str:
    """A keyed hash (HMAC-SHA-256 with SECRET_KEY) of a link's token or a code's `code_key()`: a backup archive's
    copy of the table does not let anyone try the short paper codes offline."""
    return salted_hmac("invitation", secret, algorithm="sha256").hexdigest()


def code_key(user: User, code: str) -> str:
    """What a code's hash is made of: the account and the code as typed, without case, spaces or dashes."""
    return f"{user.pk}:{code.strip().upper().replace(' ', '').replace('-', '')}"


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def invitation_candidates(teachers=None):
    """Teachers' accounts that cannot log in yet: active, no usable password, never logged in, not joined."""
    teachers = Teacher.objects.all() if teachers is None else teachers
    return (
        User.objects.filter(pk__in=teachers.values("user_id"), is_active=True, last_login__isnull=True)
        .filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)  # set_unusable_password()
        # Teachers only: never a methodist's, the head's or an administrator's account, even with a profile.
        .filter(role=Role.TEACHER, is_staff=False, is_superuser=False)
        .exclude(invitation__accepted_at__isnull=False)
    )


def import_job_candidates(job: ImportJob):
    """The accounts an import created (their history rows say so), of those not yet able to log in."""
    if job.status != ImportJob.Status.DONE or job.confirmed_at is None:
        return User.objects.none()
    created = HistoricalUser.objects.filter(
        history_type="+",
        history_user=job.confirmed_by,
        history_date__gte=job.confirmed_at,
        history_date__lte=job.finished_at,
    ).values("id")
    return invitation_candidates().filter(pk__in=created)


def _renew(invitation: Invitation, *, kind: str, by: User) -> Invitation:
    invitation.kind = kind
    invitation.secret_hash = ""  # whatever was sent before stops working now
    invitation.created_by = by
    invitation.sent_at = invitation.expires_at = invitation.failed_at = None
    invitation.error = ""
    return invitation


@transaction.atomic
def invitations_queue(*, users: Iterable[User] | models.QuerySet, by: User, again: bool = False) -> int:
    """Invite by mail every given account that has an e-mail address and cannot log in yet: one row each (made or
    renewed: an earlier link stops working), letters queued after the commit in tasks of INVITATION_BATCH_SIZE.
    Without `again`, those with a letter queued or a link still valid are left alone (a second click sends
    nothing twice). Returns how many letters were queued."""
    from . import tasks

    pks = [u.pk for u in users] if not isinstance(users, models.QuerySet) else list(users.values_list("pk", flat=True))
    people = invitation_candidates().filter(pk__in=pks).exclude(email="")
    if not again:
        pending = Invitation.objects.filter(kind=Invitation.Kind.LINK, failed_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )
        people = people.exclude(pk__in=pending.values("user_id"))
    people = list(people)
    existing = {i.user_id: i for i in Invitation.objects.select_for_update().filter(user__in=people)}
    renewed = [_renew(existing[u.pk], kind=Invitation.Kind.LINK, by=by) for u in people if u.pk in existing]
    Invitation.objects.bulk_update(
        renewed, ["kind", "secret_hash", "created_by", "sent_at", "expires_at", "failed_at", "error"]
    )
    made = Invitation.objects.bulk_create(
        [Invitation(user=u, kind=Invitation.Kind.LINK, created_by=by) for u in people if u.pk not in existing]
    )
    ids = sorted([i.pk for i in renewed] + [i.pk for i in made])
    size = settings.INVITATION_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        transaction.on_commit(lambda batch=batch: tasks.invitations_send.delay(batch), robust=True)
    return len(ids)


def invitation_resend(*, invitation: Invitation, by: User) -> None:
    """«Отправить ещё раз»: a new link (the old one stops working now) in a letter queued alone."""
    if invitation.accepted_at:
        raise ProfileError("Педагог уже вошла в портал: приглашение больше не нужно.")
    if not invitation.user.email:
        raise ProfileError("У педагога нет адреса электронной почты: распечатайте для неё лист с кодом.")
    if not invitations_queue(users=[invitation.user], by=by, again=True):
        raise ProfileError("Этого педагога пригласить нельзя: учётная запись отключена или уже с паролем.")


def _letter(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    context = {
        "user": invitation.user,
        "link": settings.SITE_URL + reverse("members:invitation_open", args=[token]),
        "site_url": settings.SITE_URL,
        "expires_on": date_ru(invitation.expires_at),
        "portal_name": settings.PORTAL_NAME,
    }
    message = EmailMultiAlternatives(
        subject="Приглашение в методический портал",
        body=render_to_string("members/invitation_email.txt", context),
        to=[invitation.user.email],
    )
    message.attach_alternative(render_to_string("members/invitation_email.html", context), "text/html")
    return message


def invitations_send(*, invitation_ids: list[int], now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the queued letters of these rows, each on its own: a refused letter is recorded on its row (time,
    error, attempts) and the rest go on. A row already sent, accepted or renewed since is skipped."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for pk in invitation_ids:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update().select_related("user").filter(pk=pk, sent_at__isnull=True,
                                                                                     accepted_at__isnull=True).first()
            )  # fmt: skip
            if invitation is None or invitation.kind != Invitation.Kind.LINK or not invitation.user.email:
                counts["skipped"] += 1
                continue
            moment = now or timezone.now()
            token = secrets.token_urlsafe(32)
            invitation.secret_hash = secret_hash(token)
            invitation.expires_at = moment + datetime.timedelta(days=settings.INVITATION_DAYS)
            invitation.attempts += 1
            try:
                _letter(invitation, token).send()
            except Exception as error:  # the mail server's refusal, whatever its class
                logger.warning("Invitation %s: letter refused: %s", pk, error)
                invitation.secret_hash = ""  # nobody received this token
                invitation.failed_at, invitation.error = moment, f"{type(error).__name__}: {error}"[:2000]
                counts["failed"] += 1
            else:
                invitation.sent_at = moment
                counts["sent"] += 1
            invitation.save(update_fields=["secret_hash", "expires_at", "attempts", "failed_at", "error", "sent_at"])
    return counts


@transaction.atomic
def invitation_codes_issue(
    *, users: Iterable[User] | models.QuerySet, by: User, now: datetime.datetime | None = None
) -> list[tuple[User, str]]:
    """New one-time codes for the given accounts without an e-mail address that cannot log in yet (earlier codes
    stop working). Returns (user, code) pairs for the sheets to print; only the codes' hashes are kept."""
    now = now or timezone.now()
    pks = [u.pk for u in users] if not isinstance(users, models.QuerySet) else list(users.values_list("pk", flat=True))
    people = list(invitation_candidates().filter(pk__in=pks, email="").order_by("sort_key", "pk"))
    existing = {i.user_id: i for i in Invitation.objects.select_for_update().filter(user__in=people)}
    issued, rows = [], []
    for user in people:
        code = code_new()
        row = _renew(existing.get(user.pk) or Invitation(user=user), kind=Invitation.Kind.CODE, by=by)
        row.secret_hash = secret_hash(code_key(user, code))
        row.sent_at, row.expires_at = now, now + datetime.timedelta(days=settings.INVITATION_DAYS)
        rows.append(row)
        issued.append((user, code))
    fields = ["kind", "secret_hash", "created_by", "sent_at", "expires_at", "failed_at", "error"]
    Invitation.objects.bulk_update([r for r in rows if r.pk], fields)
    Invitation.objects.bulk_create([r for r in rows if not r.pk])
    return issued


def _still_invited(invitation: Invitation | None) -> Invitation | None:
    """The invitation, if its account still cannot log in (no password set since, never logged in, active, a
    teacher's); otherwise None: an old letter or sheet must never reset the password of an account in use."""
    if invitation is None or not invitation_candidates().filter(pk=invitation.user_id).exists():
        return None
    return invitation


def invitation_by_token(token: str, *, now: datetime.datetime | None = None) -> Invitation | None:
    """The valid invitation of a link's token, or None (unknown, used, renewed, expired, or the account joined
    meanwhile)."""
    return _still_invited(
        Invitation.objects.valid(now=now or timezone.now())
        .filter(kind=Invitation.Kind.LINK, secret_hash=secret_hash(token))
        .select_related("user")
        .first()
    )


def invitation_by_code(username: str, code: str, *, now: datetime.datetime | None = None) -> Invitation | None:
    """The valid invitation of a user name and its code, or None."""
    user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if user is None:
        return None
    return _still_invited(
        Invitation.objects.valid(now=now or timezone.now())
        .filter(kind=Invitation.Kind.CODE, user=user, secret_hash=secret_hash(code_key(user, code)))
        .select_related("user")
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, now: datetime.datetime | None = None) -> User:
    """Set the invited teacher's password and close the invitation (its link or code works no more)."""
    now = now or timezone.now()
    row = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if row.secret_hash != invitation.secret_hash or not row.is_valid(now) or _still_invited(row) is None:
        raise ProfileError("Приглашение уже использовано или устарело.")
    user = row.user
    user.set_password(password)
    user.save(update_fields=["password"])
    row.accepted_at, row.secret_hash = now, ""
    row.save(update_fields=["accepted_at", "secret_hash"])
    return user
