"""The one notifications kernel: every letter the portal sends about its work goes through `notify()`.

`notify()` writes one `Notification` per active recipient (shown under the bell in the navbar, always) and decides
the mail by the recipient's preferences (`email_notifications`, `email_digest` on the user): none, a letter of its
own (the task `rmo_portal.tasks.notification_mail`, queued after the commit), or a line in the daily digest
(`notifications_digest_send`, run by beat at NOTIFICATIONS_DIGEST_HOUR). Letters are HTML with a plain-text
alternative, rendered from `templates/notifications/`. A letter that fails is recorded on its row (retried by
Celery with back-off) and listed for the administrator at /notifications/failed/, where it can be sent again.

Letters to people who may not be able to log in (password reset, the act of destroying personal data) stay plain
`send_mail` in members/. The kernel knows no app: callers pass users, texts and paths.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from .district import district
from .models import Notification

# What a person reads for each kind of notification (STYLE.md §17: never the code).
KIND_LABELS = {
    "reminder": "Напоминание о сроке",
    "escalation": "Просроченное обязательство",
    "workflow": "Документы",
    "invitation": "Приглашение",
    "meeting": "Заседание",
}


class NotificationError(Exception):
    """A refused change of notifications or their preferences, with a Russian message."""


def _link_checked(link: str) -> str:
    """A path inside the portal, or nothing: `/notifications/<pk>/open/` redirects there, so never another site."""
    if link and (not link.startswith("/") or link.startswith("//") or any(c in link for c in "\\\r\n\t")):
        raise ValueError(f"A notification's link is a path inside the portal, not {link!r}")
    return link


def notify(
    *, recipients: Iterable, subject: str, text: str, link: str = "", kind: str, digest_only: bool = False
) -> list[Notification]:
    """Notify each active recipient once (duplicates and inactive accounts are skipped), in the portal always.

    Mail per recipient: no address or mail turned off → none; the digest chosen, or `digest_only` (the district
    head's escalations) → held for the daily digest; otherwise one letter, queued after the commit (so a rolled
    back change sends nothing). Returns the rows made.
    """
    from .tasks import notification_mail

    link = _link_checked(link)
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = []
    for user in people.values():
        by_mail = bool(user.email) and user.email_notifications
        digest = by_mail and (digest_only or user.email_digest)
        rows.append(
            Notification(
                recipient=user, kind=kind, subject=subject[:300], text=text, link=link, by_mail=by_mail, digest=digest
            )
        )
    with transaction.atomic():
        for row in rows:
            row.save()
            if row.mail_pending:
                transaction.on_commit(lambda pk=row.pk: notification_mail.delay(pk), robust=True)
    return rows


# --- letters -------------------------------------------------------------------------------------------------------


def absolute(link: str) -> str:
    return settings.SITE_URL + link if link else settings.SITE_URL + "/"


def _letter(*, to, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = {"user": to, "PORTAL_NAME": district().portal_name, "SITE_URL": settings.SITE_URL, **context}
    letter = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"notifications/{template}.txt", context), to=[to.email]
    )
    letter.attach_alternative(render_to_string(f"notifications/{template}.html", context), "text/html")
    return letter


def notification_letter(notification: Notification) -> EmailMultiAlternatives:
    """The letter of one notification: greeting, text, «Открыть в портале» with the absolute link."""
    return _letter(
        to=notification.recipient, subject=notification.subject, template="letter",
        context={"notification": notification, "url": absolute(notification.link) if notification.link else ""},
    )  # fmt: skip


def _fail(pks: list[int], error: Exception) -> None:
    """Record a failed attempt on the rows: they stay unsent and visible to an administrator."""
    Notification.objects.filter(pk__in=pks, emailed_at__isnull=True).update(
        mail_failed_at=timezone.now(), mail_error=f"{type(error).__name__}: {error}"[:2000], attempts=F("attempts") + 1
    )


def notification_mail_send(*, notification_id: int) -> bool:
    """Send the letter of one notification and mark it sent; False when there is nothing to send (sent already,
    held for the digest, mail not wanted, the row gone). Re-checked under a row lock, so that a task delivered
    twice sends once. A failure is recorded on the row, then raised (the task retries it with back-off)."""
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id)
                .first()
            )
            if notification is None or not notification.mail_pending or not notification.recipient.email:
                return False
            notification_letter(notification).send(fail_silently=False)
            notification.emailed_at, notification.mail_failed_at, notification.mail_error = timezone.now(), None, ""
            notification.attempts += 1
            notification.save(update_fields=["emailed_at", "mail_failed_at", "mail_error", "attempts"])
    except Exception as error:
        _fail([notification_id], error)
        raise
    return True


def notification_resend(*, notification: Notification) -> Notification:
    """An administrator sends a failed letter again: it goes alone (out of the digest, if it was held), at once."""
    from .tasks import notification_mail

    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.emailed_at is not None:
            raise NotificationError("Письмо уже отправлено.")
        if not notification.by_mail:
            raise NotificationError("Этому получателю письма не отправляются.")
        notification.digest = False
        notification.save(update_fields=["digest"])
        transaction.on_commit(lambda: notification_mail.delay(notification.pk), robust=True)
    return notification


def notifications_digest_send(*, now: datetime.datetime | None = None) -> int:
    """The daily digest: one letter per person with every notification held for it and not yet mailed (grouped by
    kind, each with its link), then marks them mailed. Idempotent: a second run sends nothing new. A person's
    failed letter is recorded on her rows (they wait for the next digest, or a resend); the others still go.
    Returns how many letters were sent."""
    now = now or timezone.now()
    pending = Notification.objects.held_for_digest().filter(created_at__lte=now)
    sent = 0
    for recipient_id in sorted(set(pending.values_list("recipient", flat=True))):
        pks: list[int] = []
        try:
            with transaction.atomic():
                rows = list(
                    pending.filter(recipient=recipient_id)
                    .select_related("recipient")
                    .select_for_update(of=("self",))
                    .order_by("created_at", "pk")
                )
                pks = [row.pk for row in rows]
                if not rows or not rows[0].recipient.email:
                    continue
                groups = defaultdict(list)
                for row in rows:
                    row.url = absolute(row.link) if row.link else ""
                    groups[row.kind_label].append(row)
                _letter(
                    to=rows[0].recipient, template="digest", subject=f"{district().portal_name}: сводка за день",
                    context={"groups": sorted(groups.items()), "count": len(rows), "day": timezone.localdate(now)},
                ).send(fail_silently=False)  # fmt: skip
                Notification.objects.filter(pk__in=pks).update(
                    emailed_at=now, mail_failed_at=None, mail_error="", attempts=F("attempts") + 1
                )
                sent += 1
        except Exception as error:  # one person's broken address must not stop the others' digests
            _fail(pks, error)
    return sent


# --- reading -------------------------------------------------------------------------------------------------------


def notifications_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; returns how many changed."""
    rows = Notification.objects.filter(recipient=user).unread()
    if notification is not None:
        rows = rows.filter(pk=notification.pk)
    return rows.update(read_at=timezone.now())


def unread_count(user) -> int:
    """The number under the bell (one query)."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user).unread().count()


def preferences_save(*, user, email_notifications: bool, email_digest: bool) -> None:
    """Save how the notifications reach the user by mail. The digest needs mail turned on."""
    if email_digest and not email_notifications:
        raise NotificationError("Чтобы получать письмо раз в день, включите уведомления на почту.")
    user.email_notifications, user.email_digest = email_notifications, email_digest
    user.save(update_fields=["email_notifications", "email_digest"])
