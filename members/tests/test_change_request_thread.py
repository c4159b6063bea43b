"""A returned change request is corrected and sent again, keeping the thread; same-kind requests stay distinct."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members import services
from members.models import ChangeRequest
from members.tests.factories import TeacherFactory, methodist

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 certificate scan"
COURSE = {
    "start_date": "2026-10-01",
    "end_date": "2026-10-12",
    "provider": "Институт развития образования",
    "topic": "Функциональная грамотность",
    "hours": 72,
}


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def team():
    association = AssociationFactory(name="РМО учителей математики")
    leader = leader_of(association, user__username="leader", user__last_name="Ёлкина")
    TeacherFactory(user=leader)
    teacher = TeacherFactory(
        user=MembershipFactory(association=association, user__username="teacher", user__last_name="Громова").user
    )
    return {"leader": leader, "teacher": teacher, "methodist": methodist(username="methodist")}


def _returned(team, **data) -> ChangeRequest:
    """The teacher's course request with a scan, returned by the leader with a reason."""
    change = services.change_request_submit(
        teacher=team["teacher"], kind="course", data={**COURSE, **data}, by=team["teacher"].user,
        evidence=SimpleUploadedFile("udostoverenie.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    return services.change_request_return(change=change, by=team["leader"], comment="Часов в удостоверении 36")


def test_sending_again_opens_the_same_form_filled_with_the_returned_data(client, team):
    returned = _returned(team)
    client.force_login(team["teacher"].user)
    body = client.get(reverse("members:change_request_again", args=[returned.pk])).content.decode()
    assert 'value="Функциональная грамотность"' in body
    assert 'value="72"' in body
    assert 'value="2026-10-01"' in body
    assert "Часов в удостоверении 36" in body
    assert "Отправить снова" in body


def test_a_corrected_request_is_a_new_one_linked_to_the_returned_one(client, team):
    returned = _returned(team)
    client.force_login(team["teacher"].user)
    response = client.post(reverse("members:change_request_again", args=[returned.pk]), {**COURSE, "hours": "36"})
    assert response.status_code == 302
    again = ChangeRequest.objects.get(previous=returned)
    assert again.status == ChangeRequest.Status.PENDING
    assert again.data["hours"] == 36
    assert again.evidence_id == returned.evidence_id  # no new scan: the earlier one goes with it
    returned.refresh_from_db()
    assert returned.status == ChangeRequest.Status.RETURNED  # the earlier version and its comment stay
    assert returned.comment == "Часов в удостоверении 36"
    assert returned.data["hours"] == 72


def test_a_returned_request_is_sent_again_once(client, team):
    returned = _returned(team)
    services.change_request_resubmit(previous=returned, data=COURSE, by=team["teacher"].user)
    with pytest.raises(services.ProfileError, match="уже исправлен"):
        services.change_request_resubmit(previous=returned, data=COURSE, by=team["teacher"].user)
    client.force_login(team["teacher"].user)
    response = client.get(reverse("members:change_request_again", args=[returned.pk]))
    assert response.status_code == 302
    assert ChangeRequest.objects.filter(previous=returned).count() == 1


def test_only_a_returned_request_of_ones_own_is_sent_again(team):
    pending = services.change_request_submit(
        teacher=team["teacher"], kind="course", data=COURSE, by=team["teacher"].user
    )
    with pytest.raises(services.ProfileError, match="не возвращался"):
        services.change_request_resubmit(previous=pending, data=COURSE, by=team["teacher"].user)
    returned = _returned(team)
    with pytest.raises(services.ProfileError, match="только сам педагог"):
        services.change_request_resubmit(previous=returned, data=COURSE, by=team["leader"])


def test_another_teacher_does_not_find_the_returned_request(client, team):
    returned = _returned(team)
    client.force_login(team["leader"])
    assert client.get(reverse("members:change_request_again", args=[returned.pk])).status_code == 404


def test_the_review_page_shows_the_earlier_versions_with_their_comments(client, team):
    first = _returned(team)
    second = services.change_request_resubmit(previous=first, data={**COURSE, "hours": 36}, by=team["teacher"].user)
    second = services.change_request_return(change=second, by=team["methodist"], comment="Нет подписи на скане")
    third = services.change_request_resubmit(previous=second, data={**COURSE, "hours": 36}, by=team["teacher"].user)
    assert [v.pk for v in third.thread()] == [first.pk, second.pk]
    client.force_login(team["leader"])
    body = client.get(reverse("members:change_review", args=[third.pk])).content.decode()
    assert "Прежние версии запроса" in body
    assert "Часов в удостоверении 36" in body
    assert "Нет подписи на скане" in body
    assert body.index("Нет подписи на скане") < body.index("Часов в удостоверении 36")  # newest first
    assert "изменено" not in body.split("Прежние версии")[0]  # the hours did not change since the second version


def test_the_review_page_marks_what_changed_since_the_returned_version(client, team):
    returned = _returned(team)
    again = services.change_request_resubmit(previous=returned, data={**COURSE, "hours": 36}, by=team["teacher"].user)
    client.force_login(team["leader"])
    body = client.get(reverse("members:change_review", args=[again.pk])).content.decode()
    current = body.split("Прежние версии")[0]
    assert current.count("изменено") == 1
    hours_row = current.split("<th>Часов</th>", 1)[1].split("</tr>", 1)[0]
    assert "36" in hours_row and "изменено" in hours_row


def test_lists_tell_two_requests_of_the_same_kind_apart(client, team):
    returned = _returned(team)
    services.change_request_resubmit(previous=returned, data={**COURSE, "hours": 36}, by=team["teacher"].user)
    client.force_login(team["teacher"].user)
    profile = client.get(team["teacher"].get_absolute_url()).content.decode()
    assert "Возвращён" in profile and "На проверке" in profile
    assert "(исправленный)" in profile
    assert "Исправлен и отправлен снова 24 ноября 2026 г." in profile
    assert team["leader"].short_name in profile  # who returned the first one
    client.force_login(team["leader"])
    queue = client.get(reverse("members:review_queue")).content.decode()
    assert f"исправлен после возврата ({team['leader'].short_name}, 24 ноября 2026 г.)" in queue


def test_a_returned_request_on_the_profile_offers_to_send_it_again(client, team):
    returned = _returned(team)
    client.force_login(team["teacher"].user)
    profile = client.get(team["teacher"].get_absolute_url()).content.decode()
    assert reverse("members:change_request_again", args=[returned.pk]) in profile
    client.force_login(team["leader"])
    assert (
        reverse("members:change_request_again", args=[returned.pk])
        not in client.get(team["teacher"].get_absolute_url()).content.decode()
    )
