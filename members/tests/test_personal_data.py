"""152-ФЗ: every look at someone's data is logged, and a withdrawn consent ends in erasure with an act."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from members import services
from members.models import (
    AccessLog,
    ChangeRequest,
    Consent,
    DestructionAct,
    Employment,
    HistoricalTeacher,
    Teacher,
    TrainingCourse,
)
from members.tests.factories import TeacherFactory, UserFactory, methodist
from rmo_portal.files import stored_file_from_bytes
from rmo_portal.models import StoredFile

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4 scan"


@pytest.fixture
def people():
    teacher = TeacherFactory(
        user=UserFactory(username="t", last_name="Громова", first_name="Ирина", email="gromova@example.org")
    )
    course = TrainingCourse.objects.create(
        teacher=teacher, start_date=datetime.date(2025, 10, 1), end_date=datetime.date(2025, 10, 12),
        provider="ИРО", topic="Грамотность", hours=72,
        certificate=stored_file_from_bytes(name="удостоверение.pdf", content=PDF, use="evidence"),
    )  # fmt: skip
    change = ChangeRequest.objects.create(
        teacher=teacher, kind="course", created_by=teacher.user,
        data={"start_date": "2026-10-01", "end_date": "2026-10-12", "provider": "Центр-2024 «Развитие»",
              "topic": "Функциональная грамотность", "hours": 36},
        evidence=stored_file_from_bytes(name="скан.pdf", content=PDF, use="evidence"),
    )  # fmt: skip
    return {"teacher": teacher, "course": course, "change": change, "methodist": methodist(username="m")}


def test_every_kind_of_look_is_logged_once_within_minutes_and_shown_to_the_teacher(client, people):
    teacher, reader = people["teacher"], people["methodist"]
    client.force_login(reader)
    urls = {
        AccessLog.Action.PROFILE: teacher.get_absolute_url(),
        AccessLog.Action.HISTORY: reverse("members:teacher_history", args=[teacher.pk]),
        AccessLog.Action.REVIEW: reverse("members:change_review", args=[people["change"].pk]),
    }
    with time_machine.travel(NOW, tick=False):
        for url in urls.values():
            assert client.get(url).status_code == 200
        for url in (
            reverse("members:teacher_file", args=[teacher.pk, "course", people["course"].pk]),
            reverse("members:change_evidence", args=[people["change"].pk]),
        ):
            assert client.get(url).status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        client.get(urls[AccessLog.Action.PROFILE])  # a reload: the same entry
    assert AccessLog.objects.filter(teacher=teacher, viewer=reader, action="profile").count() == 1
    assert set(AccessLog.objects.values_list("action", flat=True)) == {"profile", "history", "review", "file"}
    assert AccessLog.objects.filter(action="file").count() == 2
    with time_machine.travel(NOW + datetime.timedelta(minutes=20), tick=False):
        client.get(urls[AccessLog.Action.PROFILE])  # later: a new look
    assert AccessLog.objects.filter(teacher=teacher, action="profile").count() == 2
    client.force_login(teacher.user)
    page = client.get(reverse("members:profile_views")).content.decode()
    assert "открыл(а) историю изменений" in page and "открыл(а) скан документа" in page
    assert reader.full_name in page


def test_exports_are_logged_with_what_was_exported(client, people):
    client.force_login(people["methodist"])
    client.get(reverse("members:teacher_export"), {"q": "гром"})
    client.get(reverse("members:attestation_schedule"), {"format": "xlsx", "year": "2027"})
    entries = list(AccessLog.objects.filter(action="export").order_by("pk"))
    assert [e.teacher for e in entries] == [None, None]
    assert entries[0].detail == "База педагогов, Excel (1 чел.); отбор: Поиск по ФИО: гром"
    assert entries[1].detail.startswith("График аттестации, 2027 (XLSX")


def test_a_requested_value_is_shown_by_its_field_type_never_guessed_from_its_shape(client, people):
    client.force_login(people["methodist"])
    response = client.get(reverse("members:change_review", args=[people["change"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Центр-2024 «Развитие»" in body  # a dash in the 5th place is not a date
    assert "1 октября 2026 г." in body  # a real date is shown as a date


def test_withdrawn_consent_ends_in_erasure_with_an_act_and_a_letter(people):
    teacher = people["teacher"]
    files_before = StoredFile.objects.count()
    with time_machine.travel(NOW, tick=False):
        services.consent_withdraw(user=teacher.user)
    with time_machine.travel(NOW + datetime.timedelta(days=29), tick=False):
        assert services.personal_data_erase_due() == []  # not yet
    with time_machine.travel(NOW + datetime.timedelta(days=30, hours=1), tick=False):
        acts = services.personal_data_erase_due()
        assert services.personal_data_erase_due() == []  # once
    assert len(acts) == 1
    user = teacher.user
    user.refresh_from_db()
    teacher.refresh_from_db()
    assert "Громова" not in user.full_name and user.email == "" and not user.is_active
    assert user.erased_at is not None
    assert not TrainingCourse.objects.filter(teacher=teacher).exists()
    assert not Employment.objects.filter(teacher=teacher).exists()
    assert not ChangeRequest.objects.filter(teacher=teacher).exists()
    assert not HistoricalTeacher.objects.filter(id=teacher.pk).exists()
    assert StoredFile.objects.count() == files_before - 2
    act = DestructionAct.objects.get()
    assert act.number == 1 and act.consent_withdrawn_on == datetime.date(2026, 11, 20)
    assert act.counts["курсы повышения квалификации"] == 1
    text = " ".join(str(v) for v in (act.reason, act.categories, act.counts, act.method))
    assert "Громова" not in text and "gromova" not in text  # the act names no one
    assert Teacher.objects.filter(pk=teacher.pk).exists()  # the account stays, depersonalised


def test_consent_given_again_before_the_period_keeps_the_data(people, django_capture_on_commit_callbacks):
    teacher = people["teacher"]
    with time_machine.travel(NOW, tick=False):
        services.consent_withdraw(user=teacher.user)
    with time_machine.travel(NOW + datetime.timedelta(days=10), tick=False):
        services.consent_give(user=teacher.user, document=Consent.objects.get().document, publish_allowed=False)
    with time_machine.travel(NOW + datetime.timedelta(days=40), tick=False):
        assert services.personal_data_erase_due() == []
    teacher.user.refresh_from_db()
    assert teacher.user.last_name == "Громова"


def test_the_teacher_is_told_when_the_data_are_erased(people, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        services.consent_withdraw(user=people["teacher"].user)
    with (
        time_machine.travel(NOW + datetime.timedelta(days=31), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.personal_data_erase_due()
    assert [m.to for m in mail.outbox] == [["gromova@example.org"]]
    assert "акт № 1" in mail.outbox[0].body


def test_the_withdrawal_page_says_when_the_data_will_be_erased(client, people):
    client.force_login(people["teacher"].user)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("members:consent"), {"withdraw": "1"}, follow=True)
    assert "будут уничтожены 20 декабря 2026 г." in response.content.decode()


def test_the_last_withdrawal_counts_not_an_earlier_one(people):
    teacher = people["teacher"]
    document = None
    with time_machine.travel(NOW - datetime.timedelta(days=90), tick=False):
        services.consent_withdraw(user=teacher.user)
        document = Consent.objects.get().document
    with time_machine.travel(NOW - datetime.timedelta(days=80), tick=False):
        services.consent_give(user=teacher.user, document=document, publish_allowed=False)
    with time_machine.travel(NOW, tick=False):
        services.consent_withdraw(user=teacher.user)
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert services.personal_data_erase_due() == []  # withdrawn yesterday: 29 days to go
        assert services.personal_data_erase(user=teacher.user) is None
    with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
        assert len(services.personal_data_erase_due()) == 1


def test_erasure_takes_the_name_out_of_association_history_and_the_access_log(client, people):
    from associations.models import AssociationEvent
    from associations.tests.factories import AssociationFactory

    teacher = people["teacher"]
    event = AssociationEvent.objects.create(
        association=AssociationFactory(), on=datetime.date(2026, 10, 1), names_members=True,
        text="Выбыл(а) из состава: Громова Ирина Петровна",
    )  # fmt: skip
    client.force_login(people["methodist"])
    client.get(reverse("members:teacher_file", args=[teacher.pk, "course", people["course"].pk]))
    with time_machine.travel(NOW, tick=False):
        services.consent_withdraw(user=teacher.user)
    with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
        act = services.personal_data_erase_due()[0]
    event.refresh_from_db()
    assert "Громова" not in event.text and "данные уничтожены" in event.text
    assert act.counts["строки истории объединений"] == 1
    assert list(AccessLog.objects.filter(teacher=teacher).values_list("detail", flat=True)) == [""]
