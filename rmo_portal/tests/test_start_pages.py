"""Each role lands on its own start page; each start page admits its role only and says what to do next."""

import ast
import datetime
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import Membership, MembershipInvitation, Order
from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.models import ChangeRequest, ProfileConfirmation
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist, portal_admin

pytestmark = pytest.mark.django_db

# A fixed day of the 2026/27 academic year (the factories' memberships start on 1 Sep 2026).
TODAY = datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(TODAY, tick=False):
        yield


PASSWORD = "пароль-для-тестов-1"


def _people():
    association = AssociationFactory(name="РМО учителей математики")
    leader = leader_of(association, user__username="leader", user__last_name="Ёлкина")
    TeacherFactory(user=leader)
    teacher = MembershipFactory(association=association, user__username="teacher", user__last_name="Яковлева").user
    TeacherFactory(user=teacher)
    secretary = MembershipFactory(
        association=association, role=Membership.Role.SECRETARY, user__username="secretary",
        user__last_name="Елисеева",
    ).user  # fmt: skip
    TeacherFactory(user=secretary)
    curator = methodist(username="methodist")
    association.curators.add(curator)
    return {
        "district_head": district_head(username="head"),
        "methodist": curator,
        "leader": leader,
        "secretary": secretary,
        "teacher": teacher,
        "admin": portal_admin(username="admin"),
    }


START = {
    "district_head": "start_head",
    "methodist": "start_methodist",
    "leader": "start_leader",
    "secretary": "start_secretary",
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
    assert "3 педагога" in body


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


# --- what each start page says to do next -------------------------------------------------------------------


def _request(teacher_user, status=ChangeRequest.Status.PENDING, *, kind=ChangeRequest.Kind.COURSE, by=None, **fields):
    return ChangeRequest.objects.create(
        teacher=teacher_user.teacher, kind=kind, status=status, data={"topic": "ФГОС"}, created_by=teacher_user,
        decided_by=by, decided_at=timezone.now() if by else None, **fields,
    )  # fmt: skip


def _order(drafted_by, status=Order.Status.DRAFT, **fields):
    return Order.objects.create(
        kind=Order.Kind.OTHER, title=fields.pop("title", "О проведении конкурса"), text=".", status=status,
        effective_date=datetime.date(2026, 12, 1), drafted_by=drafted_by, **fields,
    )  # fmt: skip


def _body(client, user, page) -> str:
    client.force_login(user)
    response = client.get(reverse(page))
    assert response.status_code == 200
    return response.content.decode()


def test_teacher_is_asked_for_the_yearly_confirmation_until_she_gives_it(client):
    people = _people()
    body = _body(client, people["teacher"], "start_teacher")
    assert "Подтвердите, что сведения вашего профиля актуальны" in body
    assert "2026/27" in body
    client.post(reverse("members:confirm"), {"next": reverse("start_teacher")})
    assert ProfileConfirmation.objects.filter(teacher__user=people["teacher"], confirmed_at__isnull=False).exists()
    assert "Подтвердите, что сведения вашего профиля актуальны" not in _body(client, people["teacher"], "start_teacher")


def test_confirming_from_the_start_page_comes_back_to_it(client):
    people = _people()
    client.force_login(people["teacher"])
    response = client.post(reverse("members:confirm"), {"next": reverse("start_teacher")})
    assert response["Location"] == reverse("start_teacher")


def test_teacher_sees_a_returned_request_with_the_reason_and_the_way_to_send_it_again(client):
    people = _people()
    returned = _request(people["teacher"], ChangeRequest.Status.RETURNED, by=people["leader"], comment="Нет скана")
    body = _body(client, people["teacher"], "start_teacher")
    assert "Нет скана" in body
    assert "Исправить и отправить снова" in body
    assert reverse("members:change_request_again", args=[returned.pk]) in body
    assert people["leader"].short_name in body  # who returned it
    assert "24 ноября 2026 г." in body  # when


def test_a_returned_request_sent_again_leaves_the_returned_panel(client):
    people = _people()
    returned = _request(people["teacher"], ChangeRequest.Status.RETURNED, by=people["leader"], comment="Нет скана")
    _request(people["teacher"], previous=returned)
    body = _body(client, people["teacher"], "start_teacher")
    assert "Исправить и отправить снова" not in body
    assert "На проверке: 1 запрос" in body
    assert "исправленный" in body


def test_teacher_sees_her_pending_requests(client):
    people = _people()
    _request(people["teacher"])
    _request(people["teacher"], kind=ChangeRequest.Kind.ACHIEVEMENT)
    body = _body(client, people["teacher"], "start_teacher")
    assert "На проверке: 2 запроса" in body
    assert "Курс повышения квалификации" in body


def test_teacher_page_shows_her_associations_and_invitations(client):
    people = _people()
    other = AssociationFactory(name="РМО учителей истории")
    MembershipInvitation.objects.create(association=other, user=people["teacher"], invited_by=people["leader"])
    body = _body(client, people["teacher"], "start_teacher")
    assert "РМО учителей математики" in body
    assert "приглашает вас в состав объединения «РМО учителей истории»" in body


def test_leader_sees_requests_waiting_for_her_and_who_has_not_confirmed(client):
    people = _people()
    _request(people["teacher"])
    ProfileConfirmation.objects.create(
        teacher=people["secretary"].teacher, academic_year=2026, confirmed_at=timezone.now()
    )
    body = _body(client, people["leader"], "start_leader")
    assert "1 запрос педагога ждёт вашего решения" in body
    unconfirmed = body.split("Не подтвердили профиль", 1)[1].split("</p>", 1)[0]
    assert people["teacher"].short_name in unconfirmed
    assert people["secretary"].short_name not in unconfirmed


def test_leader_page_says_when_nothing_is_open(client):
    from associations.tests.factories import RegulationFactory

    people = _people()
    association = Membership.objects.get(user=people["leader"], role=Membership.Role.LEADER).association
    association.regulation = RegulationFactory(code="no-rules", title="Положение без сроков")
    association.save()
    body = _body(client, people["leader"], "start_leader")
    assert "Что положено сделать" in body and "Открытых обязательств нет" in body
    assert f'href="{association.get_absolute_url()}">Все сроки по положению</a>' in body
    # In the order the issue asks: requests, the members' profiles, then what the regulation asks of her.
    assert body.index("Не подтвердили профиль") < body.index("Что положено сделать")


def test_methodist_sees_the_count_of_requests_waiting_and_the_refresh_shares(client):
    people = _people()
    _request(people["teacher"])
    _request(people["secretary"])
    ProfileConfirmation.objects.create(
        teacher=people["teacher"].teacher, academic_year=2026, confirmed_at=timezone.now()
    )
    body = _body(client, people["methodist"], "start_methodist")
    assert "2 запроса педагогов ждут вашего решения" in body
    assert "Обновление базы педагогов, 2026/27 учебный год" in body
    assert "1 из 3" in body


def test_methodist_sees_the_orders_in_her_hands_only(client):
    people = _people()
    _order(people["methodist"], title="Проект о конкурсе чтецов")
    _order(people["methodist"], Order.Status.RETURNED, title="Возвращённый о составе")
    _order(people["methodist"], Order.Status.AWAITING, title="Уже на подписи")
    _order(methodist(username="other"), title="Чужой проект")
    body = _body(client, people["methodist"], "start_methodist")
    assert "Проект о конкурсе чтецов" in body
    assert "Возвращённый о составе" in body
    assert "Возвращён на доработку" in body
    assert "Уже на подписи" not in body
    assert "Чужой проект" not in body


def test_head_sees_orders_to_sign_first(client):
    people = _people()
    _order(people["methodist"], Order.Status.AWAITING, title="О назначении Ёлкиной")
    _order(people["methodist"], title="Ещё проект")
    body = _body(client, people["district_head"], "start_head")
    assert "О назначении Ёлкиной" in body
    assert "Ещё проект" not in body
    assert body.index("Приказы на подпись") < body.index("Объединения района")


def test_secretary_has_her_own_page_with_her_associations_and_her_profile_panels(client):
    people = _people()
    _request(people["secretary"], ChangeRequest.Status.RETURNED, by=people["leader"], comment="Уточните часы")
    body = _body(client, people["secretary"], "start_secretary")
    assert "Рабочий стол секретаря объединения" in body
    assert "РМО учителей математики" in body
    assert "Секретарь" in body
    assert "Уточните часы" in body
    assert "Подтвердите, что сведения вашего профиля актуальны" in body


def test_start_pages_show_no_code_values(client):
    people = _people()
    _request(people["teacher"], ChangeRequest.Status.RETURNED, by=people["leader"], comment="Нет скана")
    _order(people["methodist"], Order.Status.RETURNED)
    for role, page in START.items():
        body = _body(client, people[role], page)
        for code in (">returned<", ">pending<", ">draft<", ">awaiting<", "2026-"):
            assert code not in body, (page, code)


# --- each panel keeps a fixed number of queries ---------------------------------------------------------------

# The most queries each start page may run (session, user, consent, permissions, then the panels).
# The meetings' panels (meetings/panels.py) add a fixed few: coming meetings 1, assignments 1, protocols to
# review 1, protocols in hand 2 plus the check of its permission. The documents' panels (reports/panels.py):
# documents to review 1 (2 when the list is full), the leader's documents 2. The deadline dashboards' panels
# (reports.panels): the methodist's «Сроки: что требует внимания сегодня» 2 (her open obligations due by today,
# the documents to review counted), the head's «Исполнение регламента» at most 5 (the district's share 1,
# escalations 1, flagged leaders 3: the regulations' months, the candidate obligations, the current leaders).
# Every signed-in page counts the unread notifications under the navbar's bell (1 query); the administrator's
# also the failed letters (1 query). A teacher's own «Сведения актуальны» asks for its date (1 query,
# members.extensions.confirmation_due, answered by reports).
MAX_QUERIES = {
    "start_admin": 10,
    "start_head": 18,
    "start_methodist": 15,
    "start_leader": 34,  # «Что положено сделать» (reports.panels.leader_deadlines) 2
    "start_secretary": 26,
    "start_teacher": 21,
}


def _grow(people, n: int) -> None:
    """n more of every row a start page lists: associations, members, requests, orders, invitations."""
    for _ in range(n):
        association = AssociationFactory()
        association.curators.add(people["methodist"])
        MembershipFactory(association=association, user=people["leader"], role=Membership.Role.LEADER)
        MembershipFactory(association=association, user=people["teacher"])
        MembershipFactory(association=association, user=people["secretary"], role=Membership.Role.SECRETARY)
        member = MembershipFactory(association=association).user
        TeacherFactory(user=member)
        _request(member)
        for user in (people["teacher"], people["secretary"], people["leader"]):
            _request(user)
            _request(user, ChangeRequest.Status.RETURNED, by=people["methodist"], comment="Нет скана")
        _order(people["methodist"])
        _order(people["methodist"], Order.Status.AWAITING)
        other = AssociationFactory()
        for user in (people["teacher"], people["secretary"], people["leader"]):
            MembershipInvitation.objects.create(association=other, user=user, invited_by=people["methodist"])


def _count(client, page) -> int:
    client.get(reverse(page))  # the consent check is then remembered in the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(page)).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("role", "page"), list(START.items()))
def test_start_page_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, role, page):
    people = _people()
    client.force_login(people[role])
    _grow(people, 1)
    few = _count(client, page)
    _grow(people, 4)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        client.get(reverse(page))
    assert _count(client, page) == few


def test_the_portal_views_import_no_app():
    """The start pages know the apps only through the panel registry (STYLE.md §1, §16)."""
    for module in ("views.py", "panels.py", "rules.py"):
        tree = ast.parse((Path(__file__).resolve().parents[1] / module).read_text())
        imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not imported & {"members", "associations", "meetings", "reports"}, module


def test_leader_sees_what_her_association_owes_in_date_order_from_the_sweep(client):
    import time_machine
    from django.apps import apps

    from associations.models import Regulation
    from associations.presets import presets_load
    from reports.deadlines import deadlines_sweep

    presets_load(apps)
    people = _people()
    association = Membership.objects.get(user=people["leader"], role=Membership.Role.LEADER).association
    association.regulation = Regulation.objects.get(code="vilyuisk-umo")
    association.save()
    with time_machine.travel(datetime.datetime(2027, 5, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        deadlines_sweep(today=datetime.date(2027, 5, 1))
        client.force_login(people["leader"])
        body = client.get(reverse("start_leader"), follow=True).content.decode()
    body = " ".join(body.split("Что положено сделать", 1)[1].split("</section>", 1)[0].split())  # the panel alone
    # What is overdue first (the database of September), then the plan draft (15 May, for 2027/28), the report…
    overdue = body.index("база педагогов проверена и обновлена")
    draft = body.index("проект плана работы: 2027/28</a> — <strong>до 15 мая 2027 г.</strong>")
    report = body.index("анализ (отчёт) о деятельности за год: 2026/27</a> — <strong>до 20 июня 2027 г.</strong>")
    assert overdue < draft < report
    assert "Просрочено" in body[overdue:draft] and "Просрочено" not in body[draft:]


def test_a_region_home_page_shows_the_first_associations_and_links_to_all(client):
    from associations.panels import DISTRICT_PREVIEW

    for n in range(DISTRICT_PREVIEW + 3):
        AssociationFactory(name=f"РМО № {n:03d}")
    body = client.get(reverse("home")).content.decode()
    assert "РМО № 000" in body and f"РМО № {DISTRICT_PREVIEW - 1:03d}" in body
    assert f"РМО № {DISTRICT_PREVIEW:03d}" not in body  # the rest are on the paginated list
    assert f"Все объединения района ({DISTRICT_PREVIEW + 3})" in body
