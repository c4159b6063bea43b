"""Self-service, change requests and their review, history, the annual refresh, consent, the access log."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members import services
from members.history import profile_history
from members.models import (
    AccessLog,
    ChangeRequest,
    ConsentDocument,
    ProfileConfirmation,
    Teacher,
    TrainingCourse,
)
from members.tests.factories import TeacherFactory, UserFactory, consent_document, district_head, methodist
from rmo_portal.files import read_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 certificate scan"


@pytest.fixture
def team():
    """An association with its leader and a teacher; another association with its own leader."""
    ours = AssociationFactory(name="РМО учителей математики")
    theirs = AssociationFactory(name="РМО учителей химии")
    leader = leader_of(ours, user__username="leader", user__last_name="Ёлкина")
    TeacherFactory(user=leader)
    other_leader = leader_of(theirs, user__username="other-leader")
    TeacherFactory(user=other_leader)
    teacher_user = MembershipFactory(association=ours, user__username="teacher", user__last_name="Громова").user
    teacher = TeacherFactory(user=teacher_user)
    return {
        "leader": leader,
        "other_leader": other_leader,
        "teacher": teacher,
        "methodist": methodist(username="methodist"),
        "head": district_head(username="head"),
    }


def _course_request(client, teacher_user, **overrides):
    client.force_login(teacher_user)
    data = {
        "start_date": "2026-10-01",
        "end_date": "2026-10-12",
        "provider": "Институт развития образования",
        "topic": "Функциональная грамотность",
        "hours": "72",
        "evidence": SimpleUploadedFile("удостоверение.pdf", PDF, content_type="application/pdf"),
        **overrides,
    }
    return client.post(reverse("members:change_request", args=["course"]), data)


def test_teacher_changes_contacts_at_once_and_sees_it_in_history(client, team):
    teacher = team["teacher"]
    client.force_login(teacher.user)
    response = client.post(
        reverse("members:contacts"),
        {"phone": "+7 900 000-00-00", "self_education_topic": "Смысловое чтение", "email": "gromova@example.org"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.phone == "+7 900 000-00-00"
    assert teacher.user.email == "gromova@example.org"
    entries = profile_history(teacher)
    change = next(e for e in entries if e.what == "Профиль" and e.changes)
    assert change.who == teacher.user
    assert ("тема самообразования", "—", "Смысловое чтение") in change.changes
    page = client.get(reverse("members:teacher_history", args=[teacher.pk])).content.decode()
    assert "Смысловое чтение" in page


def test_a_course_waits_for_review_and_appears_when_the_leader_accepts(client, team):
    teacher = team["teacher"]
    response = _course_request(client, teacher.user)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.PENDING
    assert not TrainingCourse.objects.filter(teacher=teacher).exists()  # nothing changes before review

    client.force_login(team["leader"])
    queue = client.get(reverse("members:review_queue")).content.decode()
    assert "Громова" in queue
    response = client.post(reverse("members:change_review", args=[change.pk]), {"accept": "1"})
    assert response.status_code == 302
    course = TrainingCourse.objects.get(teacher=teacher)
    assert course.topic == "Функциональная грамотность"
    assert course.hours == 72
    assert read_bytes(course.certificate) == PDF
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.ACCEPTED
    assert change.decided_by == team["leader"]
    # The certificate is served to the teacher and the leader, not to an outsider.
    url = reverse("members:teacher_file", args=[teacher.pk, "course", course.pk])
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(team["other_leader"])
    assert client.get(url).status_code == 404


def test_returned_request_keeps_the_reason_and_leaves_the_profile(client, team):
    teacher = team["teacher"]
    client.force_login(teacher.user)
    client.post(
        reverse("members:change_request", args=["category"]),
        {
            "category": "highest",
            "category_assigned_on": "2026-04-20",
            "category_order": "№ 512",
            "last_attestation_on": "",
        },
    )
    change = ChangeRequest.objects.get()
    client.force_login(team["methodist"])
    response = client.post(reverse("members:change_review", args=[change.pk]), {"return": "1", "comment": ""})
    assert response.status_code == 200  # a return needs a reason
    assert "Обязательное поле" in response.content.decode()
    client.post(reverse("members:change_review", args=[change.pk]), {"return": "1", "comment": "Нет скана приказа"})
    change.refresh_from_db()
    teacher.refresh_from_db()
    assert change.status == ChangeRequest.Status.RETURNED
    assert change.comment == "Нет скана приказа"
    assert teacher.category == "first"  # unchanged
    client.force_login(teacher.user)
    assert "Нет скана приказа" in client.get(teacher.get_absolute_url()).content.decode()
    with pytest.raises(services.ProfileError):
        services.change_request_accept(change=change, by=team["methodist"])


def test_bad_course_is_refused_beside_the_field_with_input_kept(client, team):
    response = _course_request(client, team["teacher"].user, end_date="2026-09-01", hours="abc")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Окончание курса не может быть раньше начала." in body
    assert "Введите целое число." in body
    assert 'value="Функциональная грамотность"' in body
    assert not ChangeRequest.objects.exists()


def test_who_may_review_whose_profile(client, team):
    _course_request(client, team["teacher"].user)
    change = ChangeRequest.objects.get()
    url = reverse("members:change_review", args=[change.pk])
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(team["other_leader"])
    assert client.get(url).status_code == 404  # not their teacher: out of scope
    client.force_login(team["head"])
    assert client.get(url).status_code == 403  # sees teachers, does not review them
    for reviewer in (team["leader"], team["methodist"]):
        client.force_login(reviewer)
        assert client.get(url).status_code == 200


def test_teacher_list_access_and_scope(client, team):
    url = reverse("members:teacher_list")
    assert client.get(url).status_code == 302
    client.force_login(team["teacher"].user)
    assert client.get(url).status_code == 403
    client.force_login(team["leader"])
    body = client.get(url).content.decode()
    assert "Громова" in body and "other-leader" not in body
    assert client.get(reverse("members:teacher_detail", args=[team["other_leader"].teacher.pk])).status_code == 404
    client.force_login(team["methodist"])
    assert client.get(url).status_code == 200


def test_every_look_at_a_profile_by_someone_else_is_logged_and_shown_to_the_teacher(client, team):
    teacher = team["teacher"]
    client.force_login(teacher.user)
    client.get(teacher.get_absolute_url())
    assert not AccessLog.objects.exists()  # own looks are not logged
    client.force_login(team["methodist"])
    client.get(teacher.get_absolute_url())
    client.force_login(teacher.user)
    page = client.get(reverse("members:profile_views")).content.decode()
    assert AccessLog.objects.get().viewer == team["methodist"]
    assert team["methodist"].full_name in page


def test_annual_refresh_confirm_then_check(client, team):
    teacher = team["teacher"]
    client.force_login(teacher.user)
    client.post(reverse("members:confirm"))
    confirmation = ProfileConfirmation.objects.get(teacher=teacher)
    assert confirmation.confirmed_at and not confirmation.checked_at
    client.force_login(team["leader"])
    page = client.get(reverse("start_leader")).content.decode()
    assert "Не проверено вами: <strong>2</strong>" in page  # the teacher and the leader herself
    client.post(reverse("members:teacher_check", args=[teacher.pk]))
    confirmation.refresh_from_db()
    assert confirmation.checked_by == team["leader"]
    client.force_login(team["methodist"])
    team_association = teacher.user.memberships.get().association
    team_association.curators.add(team["methodist"])
    page = client.get(reverse("start_methodist")).content.decode()
    assert "1 из 2 (50%)" in page


def test_a_profile_with_pending_requests_cannot_be_marked_checked(team):
    services.change_request_submit(
        teacher=team["teacher"],
        kind="achievement",
        data={
            "kind": "contest",
            "title": "Учитель года",
            "level": "district",
            "result": "лауреат",
            "date": "2026-02-01",
        },
        by=team["teacher"].user,
    )
    with pytest.raises(services.ProfileError, match="Сначала рассмотрите"):
        services.profile_check(teacher=team["teacher"], by=team["leader"])


def test_a_teacher_gives_consent_before_anything_else_and_may_withdraw_it(client):
    consent_document()
    teacher = TeacherFactory(user=UserFactory(username="new"), consent=False)
    client.force_login(teacher.user)
    response = client.get(reverse("start"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("members:consent"))
    assert ConsentDocument.current().title in response.content.decode()
    response = client.post(reverse("members:consent") + "?next=/me/", {"agree": "on", "next": "/me/"})
    assert response["Location"] == "/me/"
    assert client.get(reverse("start_teacher")).status_code == 200
    client.post(reverse("members:consent"), {"withdraw": "1"})
    assert client.get(reverse("start_teacher")).status_code == 302
    # An outside address in `next` is ignored.
    response = client.post(reverse("members:consent"), {"agree": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("start")


def test_service_accounts_are_not_asked_for_a_teachers_consent(client):
    client.force_login(methodist(username="m"))
    assert client.get(reverse("start_methodist")).status_code == 200


def test_derived_facts_grow_by_themselves():
    teacher = Teacher(
        pedagogical_since=datetime.date(2024, 9, 1),
        total_since=datetime.date(2020, 9, 1),
        last_attestation_on=datetime.date(2023, 4, 12),
    )
    assert teacher.pedagogical_years(datetime.date(2026, 8, 31)) == 1
    assert teacher.pedagogical_years(datetime.date(2026, 9, 1)) == 2
    assert teacher.is_young_specialist(datetime.date(2027, 8, 31))
    assert not teacher.is_young_specialist(datetime.date(2027, 9, 1))
    assert teacher.next_attestation_year == 2028
    teacher.next_attestation_year_set = 2027
    assert teacher.next_attestation_year == 2027


def test_a_move_to_another_school_takes_effect_when_accepted(client, team):
    from members.tests.factories import SchoolFactory, SubjectFactory

    teacher = team["teacher"]
    old_school = teacher.main_school
    lyceum = SchoolFactory(name="МБОУ «Лицей»", short_name="Лицей")
    physics = SubjectFactory(name="Физика")
    client.force_login(teacher.user)
    form = client.get(reverse("members:change_request", args=["work"]))
    assert form.context["form"].initial["school"] == old_school.pk
    client.post(
        reverse("members:change_request", args=["work"]),
        {"school": lyceum.pk, "position": "учитель физики", "subjects": [physics.pk],
         "pedagogical_since": "2012-09-01", "total_since": "2010-09-01"},
    )  # fmt: skip
    change = ChangeRequest.objects.get(kind="work")
    teacher.refresh_from_db()
    assert teacher.main_school == old_school  # not before review
    client.force_login(team["leader"])
    review = client.get(reverse("members:change_review", args=[change.pk])).content.decode()
    assert "Лицей" in review and "Физика" in review
    client.post(reverse("members:change_review", args=[change.pk]), {"accept": "1"})
    teacher = Teacher.objects.get(pk=teacher.pk)
    assert teacher.main_school == lyceum
    assert teacher.main_employment.position == "учитель физики"
    assert {e.school for e in teacher.employments.all()} == {lyceum, old_school}
    assert list(teacher.subjects.all()) == [physics]
    assert teacher.pedagogical_since == datetime.date(2012, 9, 1)


def test_a_new_position_without_a_title_is_refused_beside_the_field(client, team):
    from members.tests.factories import SchoolFactory

    client.force_login(team["teacher"].user)
    response = client.post(
        reverse("members:change_request", args=["work"]),
        {"school": SchoolFactory(name="МБОУ «Гимназия»", short_name="Гимназия").pk, "position": ""},
    )
    assert "Укажите должность на новом месте работы." in response.content.decode()
    assert not ChangeRequest.objects.exists()
