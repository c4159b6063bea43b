"""The notifications kernel: a row under the bell for everyone, a letter at once, in the daily digest or none by the
person's preferences; each letter once; a failed letter visible to the administrator and sent again from her page."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.tests.factories import UserFactory, district_head, give_consent, portal_admin
from rmo_portal.models import Notification
from rmo_portal.notifications import notifications_digest_send, notify
from rmo_portal.tasks import notification_mail

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 6, 20, 9, 30, tzinfo=datetime.UTC)
BROKEN = "rmo_portal.tests.mail_backends.BrokenBackend"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def teacher():
    user = UserFactory(username="elkina", last_name="Ёлкина", first_name="Анна", patronymic="Петровна",
                       email="elkina@example.org")  # fmt: skip
    give_consent(user)
    return user


def _notify(users, *, subject="Принят: план работы", link="/documents/7/", kind="workflow", **kwargs):
    return notify(recipients=users, subject=subject, text="«План работы» принят.", link=link, kind=kind, **kwargs)


def _sent(capture, users, **kwargs):
    """notify() inside a committed transaction: the letters queued after the commit go (eager Celery)."""
    with capture(execute=True):
        return _notify(users, **kwargs)


# --- mail by preference --------------------------------------------------------------------------------------------


def test_notify_mails_at_once_html_and_text_with_the_absolute_link(teacher, django_capture_on_commit_callbacks):
    [row] = _sent(django_capture_on_commit_callbacks, [teacher])
    assert (row.recipient, row.kind, row.read_at) == (teacher, "workflow", None)
    [letter] = mail.outbox
    assert letter.to == ["elkina@example.org"] and letter.subject == "Принят: план работы"
    url = settings.SITE_URL + "/documents/7/"
    assert "Здравствуйте, Ёлкина Анна Петровна!" in letter.body and "«План работы» принят." in letter.body
    assert f"Открыть в портале: {url}" in letter.body
    [(html, mimetype)] = letter.alternatives
    assert mimetype == "text/html"
    assert "Здравствуйте, Ёлкина Анна Петровна!" in html and f'href="{url}"' in html and "Открыть в портале" in html
    assert "<link" not in html and "<script" not in html and "https://cdn" not in html  # inline CSS only
    row.refresh_from_db()
    assert row.emailed_at == NOW and row.attempts == 1


def test_nothing_is_mailed_before_the_commit(teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([teacher])
    assert mail.outbox == [] and len(callbacks) == 1


def test_mail_turned_off_keeps_the_row_in_the_portal_and_sends_nothing(teacher, django_capture_on_commit_callbacks):
    teacher.email_notifications = False
    teacher.save()
    [row] = _sent(django_capture_on_commit_callbacks, [teacher])
    assert mail.outbox == []
    assert Notification.objects.get() == row and not row.by_mail


def test_a_recipient_without_an_address_gets_the_row_only(django_capture_on_commit_callbacks):
    nobody = UserFactory(email="")
    inactive = UserFactory(is_active=False)
    rows = _sent(django_capture_on_commit_callbacks, [nobody, nobody, inactive])
    assert [r.recipient for r in rows] == [nobody] and not rows[0].by_mail
    assert mail.outbox == []


def test_digest_holds_the_letters_then_sends_one_with_all_and_a_second_run_nothing(
    teacher, django_capture_on_commit_callbacks
):
    teacher.email_digest = True
    teacher.save()
    _sent(django_capture_on_commit_callbacks, [teacher], subject="Принят: план работы", link="/documents/7/")
    invitation = "/associations/invitations/3/accept/"
    _sent(
        django_capture_on_commit_callbacks, [teacher], subject="Приглашение в РМО", link=invitation, kind="invitation"
    )
    assert mail.outbox == []
    assert Notification.objects.held_for_digest().count() == 2
    assert notifications_digest_send() == 1
    [letter] = mail.outbox
    assert letter.to == ["elkina@example.org"] and "сводка" in letter.subject
    for text in ("Принят: план работы", "Приглашение в РМО", "Документы", "Приглашение", "2 уведомления"):
        assert text in letter.body
    html = letter.alternatives[0][0]
    for path in ("/documents/7/", "/associations/invitations/3/accept/"):
        assert settings.SITE_URL + path in letter.body and f'href="{settings.SITE_URL}{path}"' in html
    assert not Notification.objects.held_for_digest().exists()
    assert notifications_digest_send() == 0  # the same day again: nothing new
    assert len(mail.outbox) == 1


def test_the_digest_task_is_on_the_beat_schedule_at_the_configured_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-digest"]
    assert entry["task"] == "rmo_portal.tasks.notifications_digest"
    assert entry["schedule"].hour == {settings.NOTIFICATIONS_DIGEST_HOUR}


def test_the_heads_escalations_always_wait_for_the_digest(django_capture_on_commit_callbacks):
    head = district_head(username="head", email="head@example.org")
    assert not head.email_digest
    [row] = _sent(django_capture_on_commit_callbacks, [head], kind="escalation", digest_only=True)
    assert mail.outbox == [] and row.digest
    assert notifications_digest_send() == 1 and mail.outbox[0].to == ["head@example.org"]


def test_a_task_delivered_twice_sends_once(teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [row] = _notify([teacher])
    assert notification_mail.apply(args=[row.pk], throw=True).result is True
    assert notification_mail.apply(args=[row.pk], throw=True).result is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/a\nb"])
def test_a_link_outside_the_portal_is_refused(teacher, link):
    with pytest.raises(ValueError):
        _notify([teacher], link=link)


def test_opening_a_stored_link_to_another_site_goes_to_the_list_instead(client, teacher):
    from rmo_portal.models import Notification

    row = Notification.objects.create(recipient=teacher, subject="Тема", text="Текст", kind="workflow",
                                      link="/\\evil.example/")  # fmt: skip
    client.force_login(teacher)
    response = client.get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")


# --- failed letters ------------------------------------------------------------------------------------------------


def test_a_failed_letter_is_recorded_listed_for_the_admin_and_sent_again(
    teacher, client, django_capture_on_commit_callbacks
):
    with override_settings(EMAIL_BACKEND=BROKEN):
        [row] = _sent(django_capture_on_commit_callbacks, [teacher])
    row.refresh_from_db()
    assert row.emailed_at is None and row.mail_failed_at == NOW and "SMTP недоступен" in row.mail_error
    assert row.attempts >= 1 and mail.outbox == []

    admin = portal_admin(username="admin")
    give_consent(admin)
    client.force_login(admin)
    start = client.get(reverse("start_admin")).content.decode()
    assert "Неотправленные письма: 1" in start and reverse("notifications_failed") in start
    page = client.get(reverse("notifications_failed")).content.decode()
    assert "Принят: план работы" in page and "Ёлкина Анна Петровна" in page and "SMTP недоступен" in page
    assert "20 июня 2027 г." in page and "Отправить ещё раз" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notification_resend", args=[row.pk]), follow=True)
    assert "Письмо поставлено в очередь" in response.content.decode()
    [letter] = mail.outbox
    assert letter.to == ["elkina@example.org"]
    row.refresh_from_db()
    assert row.emailed_at is not None and row.mail_failed_at is None
    assert "Принят: план работы" not in client.get(reverse("notifications_failed")).content.decode()
    assert "Неотправленные письма" not in client.get(reverse("start_admin")).content.decode()


def test_a_failed_digest_waits_for_the_next_one(teacher, django_capture_on_commit_callbacks):
    teacher.email_digest = True
    teacher.save()
    _sent(django_capture_on_commit_callbacks, [teacher])
    with override_settings(EMAIL_BACKEND=BROKEN):
        assert notifications_digest_send() == 0
    assert Notification.objects.mail_failed().count() == 1
    assert notifications_digest_send() == 1 and len(mail.outbox) == 1


def test_only_the_admin_sees_failed_letters(teacher, client):
    client.force_login(teacher)
    assert client.get(reverse("notifications_failed")).status_code == 403


# --- pages ---------------------------------------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def test_the_bell_counts_the_unread_ones(teacher, client):
    _login(client, teacher)
    body = client.get(reverse("start_teacher")).content.decode()
    assert "непрочитанных уведомлений" not in body and reverse("notifications") in body
    _notify([teacher])
    _notify([teacher])
    _notify([teacher])
    _notify([UserFactory()])  # someone else's
    body = client.get(reverse("start_teacher")).content.decode()
    assert "непрочитанных уведомлений: 3" in body
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302
    assert "непрочитанных уведомлений" not in client.get(reverse("start_teacher")).content.decode()


def test_the_list_shows_mine_newest_first_with_the_unread_highlighted(teacher, client):
    older = _notify([teacher], subject="Приглашение в РМО", kind="invitation")[0]
    Notification.objects.filter(pk=older.pk).update(created_at=NOW - datetime.timedelta(days=2), read_at=NOW)
    _notify([teacher], subject="Принят: план работы")
    _notify([UserFactory()], subject="Чужое уведомление")
    page = _login(client, teacher).get(reverse("notifications")).content.decode()
    assert page.index("Принят: план работы") < page.index("Приглашение в РМО")
    assert "Чужое уведомление" not in page
    assert "20 июня 2027 г." in page and "18 июня 2027 г." in page and "«План работы» принят." in page
    assert page.count("list-group-item-primary") == 1 and "Отметить все прочитанными" in page
    assert "invitation" not in page and "workflow" not in page  # the kinds by their Russian labels


def test_marking_one_read(teacher, client):
    [row] = _notify([teacher])
    response = _login(client, teacher).post(reverse("notification_read", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    row.refresh_from_db()
    assert row.read_at == NOW


def test_opening_marks_read_and_goes_to_the_link(teacher, client):
    [row] = _notify([teacher], link="/documents/7/")
    response = _login(client, teacher).get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/documents/7/"
    row.refresh_from_db()
    assert row.read_at == NOW


def test_another_users_notification_is_not_found(teacher, client):
    [row] = _notify([UserFactory(username="other")])
    _login(client, teacher)
    assert client.get(reverse("notification_open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notifications")).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_3_or_30(teacher, client):
    _login(client, teacher)
    client.get(reverse("notifications"))  # the consent check is then remembered in the session
    for _ in range(3):
        _notify([teacher])
    few = _list_queries(client)
    for _ in range(27):
        _notify([teacher])
    assert _list_queries(client) == few


# --- preferences ---------------------------------------------------------------------------------------------------


def test_preferences_are_saved_with_a_russian_message(teacher, client):
    _login(client, teacher)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "Присылать уведомления на почту" in page and "Раз в день одним письмом" in page
    response = client.post(reverse("notification_settings"), {"email_notifications": "on", "email_digest": "on"},
                           follow=True)  # fmt: skip
    assert "Настройки уведомлений сохранены." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.email_notifications and teacher.email_digest


def test_the_digest_without_mail_is_refused_beside_the_field(teacher, client):
    response = _login(client, teacher).post(reverse("notification_settings"), {"email_digest": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email_digest": ["Чтобы получать письмо раз в день, включите уведомления на почту."]
    }
    assert "Чтобы получать письмо раз в день, включите уведомления на почту." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.email_notifications and not teacher.email_digest


def test_the_preferences_page_tells_the_head_that_escalations_come_in_the_digest(teacher, client):
    head = district_head(username="head")
    give_consent(head)
    note = "Сообщения о просроченных обязательствах объединений приходят вам раз в день, одним письмом, даже если"
    assert note in _login(client, head).get(reverse("notification_settings")).content.decode()
    assert note not in _login(client, teacher).get(reverse("notification_settings")).content.decode()
