"""Invitations of teachers without a password: letters with a link, sheets with a code, the list of the service."""

import datetime
import hashlib
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from members import invitations, tasks
from members.models import ImportJob, Invitation, Teacher, User
from members.tests.factories import SchoolFactory, TeacherFactory, consent_document, methodist
from members.tests.test_import import messy_xlsx

PASSWORD = "Надёжный-пароль-2027"
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)


class PickyBackend(EmailBackend):
    """Keeps letters in mail.outbox, but the server refuses any address at refused.example."""

    def send_messages(self, messages):
        if any(addr.endswith("@refused.example") for m in messages for addr in m.to):
            raise ConnectionRefusedError("550 mailbox unavailable")
        return super().send_messages(messages)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_picky_mail")]


@pytest.fixture
def _picky_mail():
    with override_settings(EMAIL_BACKEND=f"{__name__}.PickyBackend", SITE_URL="http://portal.test"):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def invitee(username: str, *, email: str | None = None, school=None) -> User:
    """A teacher as an import leaves her: an account without a usable password, never logged in, no consent."""
    teacher = TeacherFactory(
        user__username=username, user__email=f"{username}@example.org" if email is None else email,
        consent=False, **({"school": school} if school else {}),
    )  # fmt: skip
    teacher.user.set_unusable_password()
    teacher.user.save(update_fields=["password"])
    return teacher.user


def link_in(message) -> str:
    return re.search(r"http://portal\.test(/invite/[^/\s]+/)", message.body).group(1)


def invite(users, *, by, capture) -> int:
    with capture(execute=True):
        return invitations.invitations_queue(users=users, by=by)


def test_token_is_kept_only_as_its_hash(clock, django_capture_on_commit_callbacks):
    anna = invitee("anna")
    assert invite([anna], by=methodist(), capture=django_capture_on_commit_callbacks) == 1
    (letter,) = mail.outbox
    token = link_in(letter).split("/")[2]
    row = Invitation.objects.get(user=anna)
    assert row.secret_hash == invitations.secret_hash(token) != hashlib.sha256(token.encode()).hexdigest()  # keyed
    stored = " ".join(str(v) for v in Invitation.objects.values_list().get(pk=row.pk))
    assert token not in stored
    assert letter.to == ["anna@example.org"] and "24 ноября" not in letter.body  # valid till 8 December
    assert "8 декабря 2026 г." in letter.body and "anna" in letter.body
    assert letter.alternatives and "Задать пароль" in letter.alternatives[0][0]


def test_link_sets_the_password_and_leads_to_the_consent(client, clock, django_capture_on_commit_callbacks):
    consent_document()
    anna = invitee("anna")
    invite([anna], by=methodist(), capture=django_capture_on_commit_callbacks)
    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == reverse("members:invitation_password")
    response = client.post(
        reverse("members:invitation_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("members:consent"))
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)
    assert response.wsgi_request.user == anna
    assert Invitation.objects.get(user=anna).accepted_at == NOW


def test_password_form_keeps_the_page_with_errors_beside_the_fields(client, clock, django_capture_on_commit_callbacks):
    anna = invitee("anna")
    invite([anna], by=methodist(), capture=django_capture_on_commit_callbacks)
    client.get(link_in(mail.outbox[0]))
    response = client.post(reverse("members:invitation_password"), {"new_password1": PASSWORD, "new_password2": "x"})
    assert response.status_code == 200
    assert "Введенные пароли не совпадают" in response.content.decode() or "не совпадают" in response.content.decode()
    assert not User.objects.get(pk=anna.pk).has_usable_password()


def test_used_link_is_refused_with_a_russian_page(client, clock, django_capture_on_commit_callbacks):
    anna = invitee("anna")
    invite([anna], by=methodist(), capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.get(link)
    client.post(reverse("members:invitation_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "Приглашение недействительно" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_expired_link_is_refused(client, clock, django_capture_on_commit_callbacks):
    anna = invitee("anna")
    invite([anna], by=methodist(), capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    clock.shift(datetime.timedelta(days=13, hours=23))
    assert client.get(link).status_code == 302  # still valid a day before
    clock.shift(datetime.timedelta(hours=2))
    response = client.get(link)
    assert response.status_code == 410 and "Приглашение недействительно" in response.content.decode()
    # Opened in time but the password sent after the expiry: refused as well.
    assert client.get(reverse("members:invitation_password")).status_code == 410


def test_resent_invitation_replaces_the_old_link(client, clock, django_capture_on_commit_callbacks):
    curator = methodist()
    anna = invitee("anna")
    invite([anna], by=curator, capture=django_capture_on_commit_callbacks)
    old = link_in(mail.outbox[0])
    client.force_login(curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:invitation_resend", args=[Invitation.objects.get(user=anna).pk]),
            {"back": "https://elsewhere.example/"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("members:invitation_list")
    assert len(mail.outbox) == 2
    new = link_in(mail.outbox[1])
    assert new != old
    client.logout()
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 302
    assert Invitation.objects.get(user=anna).attempts == 2


def test_a_second_click_sends_nothing_twice(clock, django_capture_on_commit_callbacks):
    anna = invitee("anna")
    curator = methodist()
    invite([anna], by=curator, capture=django_capture_on_commit_callbacks)
    assert invite([anna], by=curator, capture=django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_batch_records_a_refused_letter_and_sends_the_others(clock, django_capture_on_commit_callbacks):
    people = [invitee(f"t{i}") for i in range(4)] + [invitee("bad", email="bad@refused.example")]
    assert invite(people, by=methodist(), capture=django_capture_on_commit_callbacks) == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"t{i}@example.org" for i in range(4)]
    failed = Invitation.objects.get(user__username="bad")
    assert failed.failed_at == NOW and "550 mailbox unavailable" in failed.error and failed.attempts == 1
    assert failed.secret_hash == ""  # nobody holds that token
    assert Invitation.objects.filter(sent_at=NOW, failed_at__isnull=True).count() == 4


def test_five_hundred_teachers_are_queued_in_batches_of_fifty(
    client, clock, django_capture_on_commit_callbacks, monkeypatch
):
    school = SchoolFactory()
    users = User.objects.bulk_create(
        User(username=f"imp{i:03}", email=f"imp{i:03}@example.org", password="!unusable", last_name="Петрова")
        for i in range(500)
    )
    Teacher.objects.bulk_create(Teacher(user=u) for u in users)
    batches = []
    send = tasks.invitations_send.delay
    monkeypatch.setattr(tasks.invitations_send, "delay", lambda ids: batches.append(ids) or send(ids))
    client.force_login(methodist())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:invitation_new"), follow=True)
    assert "Приглашения ставятся в очередь: 500" in response.content.decode()
    assert [len(b) for b in batches] == [50] * 10
    assert len({pk for b in batches for pk in b}) == 500
    assert len(mail.outbox) == 500
    assert school  # the teachers are in no school: the filter was empty


def test_invitation_list_reads_the_same_for_3_and_30_rows(client, clock):
    curator = methodist()
    client.force_login(curator)
    client.get(reverse("members:invitation_list"))  # the session's first page asks about the consent once

    def queries_for(n):
        for i in range(len(Invitation.objects.all()), n):
            Invitation.objects.create(user=invitee(f"l{i}"), created_by=curator)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("members:invitation_list"))
        assert response.status_code == 200
        assert response.content.decode().count("Отправить ещё раз<span") == n
        return len(queries)

    assert queries_for(3) == queries_for(30)


def test_list_filters_by_state_and_school(client, clock, django_capture_on_commit_callbacks):
    north, south = SchoolFactory(), SchoolFactory()
    curator = methodist()
    invite(
        [invitee("ok", school=north), invitee("bad", email="bad@refused.example", school=south)],
        by=curator, capture=django_capture_on_commit_callbacks,
    )  # fmt: skip
    client.force_login(curator)
    page = client.get(reverse("members:invitation_list"), {"state": "failed"}).content.decode()
    assert "bad@refused.example" in page and "ok@example.org" not in page
    assert "Письмо не доставлено" in page and "Почтовый сервер не принял письмо" in page
    page = client.get(reverse("members:invitation_list"), {"school": north.pk}).content.decode()
    assert "ok@example.org" in page and "bad@refused.example" not in page


def test_pdf_has_a_page_per_teacher_without_email(client, clock):
    without = [invitee(f"paper{i}", email="") for i in range(3)]
    invitee("withmail")
    client.force_login(methodist())
    response = client.post(reverse("members:invitation_new"), {"codes": "1"})
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 3
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    for user in without:
        assert user.username in text
    assert "withmail" not in text and "8 декабря 2026 г." in text
    assert Invitation.objects.filter(kind=Invitation.Kind.CODE).count() == 3


def code_for(user) -> str:
    ((_, code),) = invitations.invitation_codes_issue(users=[user], by=methodist())
    return code


def test_code_flow_sets_the_password(client, clock):
    consent_document()
    olga = invitee("olga", email="")
    code = code_for(olga)
    assert code not in " ".join(str(v) for v in Invitation.objects.values_list().get(user=olga))
    response = client.post(reverse("members:invitation_code"), {"username": "OLGA", "code": code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("members:invitation_password")
    response = client.post(
        reverse("members:invitation_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("members:consent"))
    olga.refresh_from_db()
    assert olga.check_password(PASSWORD)
    client.logout()
    again = client.post(reverse("members:invitation_code"), {"username": "olga", "code": code})
    assert again.status_code == 200 and "Код не подходит" in again.content.decode()


def test_wrong_codes_are_throttled(client, clock, settings):
    settings.INVITATION_CODE_LIMIT = 3
    olga = invitee("olga", email="")
    code = code_for(olga)
    for _ in range(3):
        response = client.post(reverse("members:invitation_code"), {"username": "olga", "code": "WRONG123"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Код не подходит" in page and 'value="olga"' in page  # beside the field, the input kept
    response = client.post(reverse("members:invitation_code"), {"username": "olga", "code": code})
    assert response.status_code == 429
    clock.shift(datetime.timedelta(seconds=settings.INVITATION_CODE_WINDOW + 1))
    response = client.post(reverse("members:invitation_code"), {"username": "olga", "code": code})
    assert response.status_code == 302


def test_a_new_sheet_replaces_the_old_code(client, clock):
    olga = invitee("olga", email="")
    old = code_for(olga)
    code_for(olga)
    response = client.post(reverse("members:invitation_code"), {"username": "olga", "code": old})
    assert response.status_code == 200 and "Код не подходит" in response.content.decode()


def test_teacher_cannot_see_or_send_invitations(client, clock):
    client.force_login(TeacherFactory().user)
    assert client.get(reverse("members:invitation_list")).status_code == 403
    assert client.post(reverse("members:invitation_new")).status_code == 403


def test_finished_import_invites_the_teachers_it_created(client, clock, django_capture_on_commit_callbacks):
    SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    earlier = invitee("earlier")  # cannot log in either, but came by another way
    curator = methodist()
    client.force_login(curator)
    upload = io.BytesIO(messy_xlsx())
    upload.name = "Список педагогов.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:teacher_import"), {"file": upload})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import_job_confirm", args=[job.pk]))
    assert "Пригласить новых педагогов" in client.get(job.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_job_invite", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert "Приглашения ставятся в очередь: 1" in page and "Без электронной почты: 2 педагога" in page
    assert [m.to for m in mail.outbox] == [["petrova@example.org"]]
    assert not Invitation.objects.filter(user=earlier).exists()


def test_an_old_code_never_resets_the_password_of_an_account_in_use(client, clock):
    """A sheet printed before the teacher joined another way (a password reset, the administrator) stays paper."""
    olga = invitee("olga", email="")
    code = code_for(olga)
    olga.set_password("свой-пароль-2026")
    olga.save(update_fields=["password"])
    response = client.post(reverse("members:invitation_code"), {"username": "olga", "code": code})
    assert response.status_code == 200 and "Код не подходит" in response.content.decode()
    olga.refresh_from_db()
    assert olga.check_password("свой-пароль-2026")


def test_a_methodists_account_with_a_profile_is_never_invited(clock):
    from members.models import Role

    colleague = invitee("colleague", email="")
    colleague.role = Role.METHODIST
    colleague.save(update_fields=["role"])
    assert not invitations.invitation_candidates().filter(pk=colleague.pk).exists()
