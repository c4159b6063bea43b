"""Each role lands on its own start page; each start page admits its role only."""

import pytest
from django.core import mail
from django.urls import reverse

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist, portal_admin

pytestmark = pytest.mark.django_db

PASSWORD = "пароль-для-тестов-1"


def _people():
    association = AssociationFactory(name="РМО учителей математики")
    leader = leader_of(association, user__username="leader", user__last_name="Ёлкина")
    TeacherFactory(user=leader)
    teacher = MembershipFactory(association=association, user__username="teacher").user
    TeacherFactory(user=teacher)
    curator = methodist(username="methodist")
    association.curators.add(curator)
    return {
        "district_head": district_head(username="head"),
        "methodist": curator,
        "leader": leader,
        "teacher": teacher,
        "admin": portal_admin(username="admin"),
    }


START = {
    "district_head": "start_head",
    "methodist": "start_methodist",
    "leader": "start_leader",
    "teacher": "start_teacher",
    "admin": "start_admin",
}


@pytest.mark.parametrize("role", list(START))
def test_login_lands_each_role_on_its_start_page(client, role):
    user = _people()[role]
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(START[role])
    assert response.status_code == 200


@pytest.mark.parametrize("page", list(START.values()))
def test_start_pages_send_anonymous_users_to_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("role", "page"), [(r, p) for r in START for p in START.values()])
def test_start_pages_admit_only_their_role(client, role, page):
    people = _people()
    client.force_login(people[role])
    response = client.get(reverse(page))
    # Every signed-in user has the teacher's page; the rest belong to one role (a superuser's too).
    allowed = page in (START[role], "start_teacher")
    assert response.status_code == (200 if allowed else 403)


def test_methodist_sees_curated_associations_with_leader_and_count(client):
    people = _people()
    AssociationFactory(name="РМО учителей химии")  # not curated by this methodist
    client.force_login(people["methodist"])
    response = client.get(reverse("start_methodist"))
    body = response.content.decode()
    assert "РМО учителей математики" in body
    assert "РМО учителей химии" not in body
    assert "Ёлкина" in body
    assert "2 педагога" in body


def test_leader_sees_the_members_of_their_association(client):
    people = _people()
    client.force_login(people["leader"])
    body = client.get(reverse("start_leader")).content.decode()
    assert "РМО учителей математики" in body
    assert people["teacher"].full_name in body


def test_navigation_shows_only_what_the_role_may_use(client):
    people = _people()
    client.force_login(people["teacher"])
    body = client.get(reverse("start_teacher")).content.decode()
    assert reverse("admin:index") not in body
    assert reverse("associations:regulation_list") not in body
    client.force_login(people["admin"])
    body = client.get(reverse("start_admin")).content.decode()
    assert reverse("admin:index") in body
    assert reverse("associations:regulation_list") in body


def test_wrong_password_keeps_the_username_and_says_why_in_russian(client):
    _people()
    response = client.post(reverse("login"), {"username": "teacher", "password": "не тот"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Неверное имя пользователя или пароль" in body
    assert 'value="teacher"' in body


def test_repeated_wrong_passwords_lock_the_login(client, settings):
    _people()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "teacher", "password": "не тот"})
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 429
    assert "Вход временно закрыт" in response.content.decode()


def test_password_reset_mails_a_russian_link(client):
    UserFactory(username="teacher", email="elkina@example.org")
    response = client.post(reverse("password_reset"), {"email": "elkina@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Восстановление пароля" in mail.outbox[0].subject
    assert "/accounts/reset/" in mail.outbox[0].body


def test_an_imported_teacher_without_a_password_sets_the_first_one_by_reset(client):
    user = UserFactory(username="imported", email="new@example.org")
    user.set_unusable_password()
    user.save()
    client.post(reverse("password_reset"), {"email": "NEW@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]


def test_password_change_requires_the_old_password(client):
    user = UserFactory(username="teacher")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "неверный", "new_password1": "Новый-пароль-2027", "new_password2": "Новый-пароль-2027"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Новый-пароль-2027", "new_password2": "Новый-пароль-2027"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Новый-пароль-2027")


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory(username="teacher")
    client.force_login(user)
    response = client.post(reverse("logout"), follow=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_home_page_is_public_and_russian(client):
    AssociationFactory(name="РМО учителей физики")
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "РМО учителей физики" in body
    assert '<html lang="ru">' in body


def test_unknown_page_gets_a_russian_404(client, settings):
    settings.DEBUG = False
    response = client.get("/нет-такой-страницы/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_admin_speaks_russian(client):
    client.force_login(portal_admin(username="admin"))
    body = client.get(reverse("admin:index")).content.decode()
    assert "Методический портал: администрирование" in body
    assert "Пользователи" in body
