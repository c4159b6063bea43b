"""Orders: drafting, the leader's eligibility, signing with numbers, effects on their date, permissions, PDF."""

import datetime
import io
import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from associations.models import Association, AssociationEvent, Membership, Order, Regulation
from associations.presets import presets_load
from associations.services import (
    WorkflowError,
    order_return,
    order_revoke,
    order_sign,
    order_submit,
    orders_apply_due,
)
from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.models import Category, Education
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist, portal_admin

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def district():
    presets_load(apps)
    eligible = TeacherFactory(
        user=UserFactory(username="eligible", last_name="Ёлкина", first_name="Анна"),
        category=Category.HIGHEST, pedagogical_since=datetime.date(2005, 9, 1),
    )  # fmt: skip
    Education.objects.create(teacher=eligible, institution="ПГПИ", year=2004, is_pedagogical=True)
    weak = TeacherFactory(
        user=UserFactory(username="weak", last_name="Новикова"), category=Category.FIRST,
        pedagogical_since=datetime.date(2024, 9, 1), total_since=datetime.date(2024, 9, 1),
    )  # fmt: skip
    return {
        "pechora": Regulation.objects.get(code="pechora-rmo"),
        "eligible": eligible.user,
        "weak": weak.user,
        "methodist": methodist(username="methodist"),
        "head": district_head(username="head"),
    }


def _create_order(district, *, candidate="eligible", effective=TODAY + datetime.timedelta(days=7), **extra):
    fields = {
        "kind": Order.Kind.CREATE_ASSOCIATION, "title": "О создании РМО учителей физики",
        "text": "Создать РМО учителей физики.", "effective_date": effective, "new_name": "РМО учителей физики",
        "new_kind": "rmo", "new_subject_area": "Физика", "new_regulation": district["pechora"],
        "candidate": district[candidate], "drafted_by": district["methodist"], **extra,
    }  # fmt: skip
    return Order.objects.create(**fields)


def test_association_and_leader_rights_appear_on_the_effective_date_not_before(district):
    order = _create_order(district)
    order_submit(order=order, by=district["methodist"])
    order = order_sign(order=order, by=district["head"], today=TODAY)
    assert (order.number, order.number_year, order.signed_on) == (1, 2026, TODAY)
    assert not Association.objects.filter(name="РМО учителей физики").exists()
    assert orders_apply_due(today=TODAY + datetime.timedelta(days=6)) == 0
    assert orders_apply_due(today=TODAY + datetime.timedelta(days=9)) == 1  # a missed day is caught up
    assert orders_apply_due(today=TODAY + datetime.timedelta(days=10)) == 0  # and applied once only
    association = Association.objects.get(name="РМО учителей физики")
    assert association.created_by_order == order and association.regulation == district["pechora"]
    assert list(association.curators.all()) == [district["methodist"]]
    leader = Membership.objects.get(association=association, role="leader")
    assert leader.user == district["eligible"] and leader.start_date == order.effective_date and leader.order == order
    events = list(AssociationEvent.objects.filter(association=association).values_list("text", flat=True))
    assert any("Создано" in e for e in events) and any("Руководитель — Ёлкина Анна" in e for e in events)


def test_an_order_effective_today_applies_when_signed(district):
    order = _create_order(district, effective=TODAY)
    order_submit(order=order, by=district["methodist"])
    order = order_sign(order=order, by=district["head"], today=TODAY)
    assert order.applied_at is not None
    assert Association.objects.filter(name="РМО учителей физики").exists()


def test_an_ineligible_leader_is_refused_with_the_rule_and_signed_only_with_a_reason(district, client):
    client.force_login(district["methodist"])
    data = {
        "kind": "create", "title": "О создании РМО", "text": "Создать.", "effective_date": "2026-12-01",
        "new_name": "РМО учителей химии", "new_kind": "rmo", "new_regulation": district["pechora"].pk,
        "candidate": district["weak"].pk,
    }  # fmt: skip
    response = client.post(reverse("associations:order_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "требуется высшая квалификационная категория" in body
    assert "требуется стаж работы в системе образования не менее 5 лет" in body
    assert 'value="РМО учителей химии"' in body  # the input is kept
    assert not Order.objects.exists()
    response = client.post(reverse("associations:order_create"), {**data, "pass_on_anyway": "on"})
    order = Order.objects.get()
    order_submit(order=order, by=district["methodist"])
    with pytest.raises(WorkflowError, match="требуется высшая квалификационная категория"):
        order_sign(order=order, by=district["head"], today=TODAY)
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING and order.number is None
    client.force_login(district["head"])
    refused = client.post(reverse("associations:order_sign", args=[order.pk]), {"override_reason": ""})
    assert "Чтобы подписать, укажите основание" in refused.content.decode()
    client.post(reverse("associations:order_sign", args=[order.pk]), {"override_reason": "Единственный кандидат"})
    order.refresh_from_db()
    assert order.status == Order.Status.SIGNED and order.override_reason == "Единственный кандидат"
    assert "Подписан вопреки требованиям" in order.status_changes.get(to_status="signed").comment


def test_numbers_run_through_the_year_and_restart_in_the_next(district):
    numbers = []
    for day in (TODAY, TODAY, datetime.date(2027, 1, 10)):
        order = _create_order(district, effective=day + datetime.timedelta(days=30), new_name=f"РМО {len(numbers)}")
        order_submit(order=order, by=district["methodist"])
        numbers.append(order_sign(order=order, by=district["head"], today=day).number)
    assert numbers == [1, 2, 1]


@pytest.mark.django_db(transaction=True)
def test_two_orders_signed_at_the_same_moment_get_different_numbers(district):
    orders = []
    for i in range(2):
        order = _create_order(district, new_name=f"РМО № {i}")
        order_submit(order=order, by=district["methodist"])
        orders.append(order)
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    errors = []

    def sign(order):
        try:
            barrier.wait()
            order_sign(order=order, by=district["head"], today=TODAY)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Order.objects.values_list("number", flat=True)) == [1, 2]


def test_returned_order_is_edited_and_sent_again(district, client):
    order = _create_order(district)
    order_submit(order=order, by=district["methodist"])
    with pytest.raises(WorkflowError):
        order_return(order=order, by=district["head"], comment=" ")
    order_return(order=order, by=district["head"], comment="Уточните предметную область")
    order.refresh_from_db()
    assert order.status == Order.Status.RETURNED
    client.force_login(district["methodist"])
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Уточните предметную область" in page
    client.post(reverse("associations:order_submit", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING


def test_revoke_only_before_the_effect(district):
    future = _create_order(district)
    order_submit(order=future, by=district["methodist"])
    order_sign(order=future, by=district["head"], today=TODAY)
    order_revoke(order=future, by=district["head"], comment="Ошибка в названии")
    assert orders_apply_due(today=TODAY + datetime.timedelta(days=30)) == 0
    now = _create_order(district, effective=TODAY, new_name="РМО сегодня")
    order_submit(order=now, by=district["methodist"])
    order_sign(order=now, by=district["head"], today=TODAY)
    with pytest.raises(WorkflowError, match="уже вступил в силу"):
        order_revoke(order=now, by=district["head"], comment="Поздно")


def test_appoint_and_dismiss_move_the_leaders_rights(district):
    association = AssociationFactory(regulation=district["pechora"])
    old = leader_of(association, user__username="old")
    appoint = Order.objects.create(
        kind="appoint", title="О назначении", text=".", effective_date=TODAY, association=association,
        candidate=district["eligible"], drafted_by=district["methodist"],
    )  # fmt: skip
    order_submit(order=appoint, by=district["methodist"])
    order_sign(order=appoint, by=district["head"], today=TODAY)
    current = Membership.objects.current(on=TODAY).filter(association=association, role="leader")
    assert [m.user for m in current] == [district["eligible"]]
    assert Membership.objects.get(user=old).end_date == TODAY - datetime.timedelta(days=1)
    dismiss = Order.objects.create(
        kind="dismiss", title="Об освобождении", text=".", effective_date=TODAY + datetime.timedelta(days=3),
        association=association, candidate=district["eligible"], drafted_by=district["methodist"],
    )  # fmt: skip
    order_submit(order=dismiss, by=district["methodist"])
    order_sign(order=dismiss, by=district["head"], today=TODAY)
    assert Membership.objects.current(on=TODAY + datetime.timedelta(days=2)).filter(role="leader").exists()
    call_command("apply_orders", "--date", "2026-11-27")
    assert not Membership.objects.current(on=TODAY + datetime.timedelta(days=3)).filter(role="leader").exists()


def test_dissolution_closes_the_association_and_its_memberships(district):
    association = AssociationFactory(regulation=district["pechora"])
    MembershipFactory(association=association)
    order = Order.objects.create(
        kind="dissolve", title="Об упразднении", text=".", effective_date=TODAY, association=association,
        drafted_by=district["methodist"],
    )  # fmt: skip
    order_submit(order=order, by=district["methodist"])
    order_sign(order=order, by=district["head"], today=TODAY)
    association.refresh_from_db()
    assert association.status == Association.Status.DISSOLVED
    assert (
        not Membership.objects.current(on=TODAY + datetime.timedelta(days=1)).filter(association=association).exists()
    )


def test_moves_outside_the_workflow_are_refused(district):
    order = _create_order(district)
    with pytest.raises(WorkflowError, match="Это проект приказа"):
        order_sign(order=order, by=district["head"], today=TODAY)  # a draft is not on signature yet


ROLES = ["anonymous", "teacher", "leader", "methodist", "other_methodist", "head", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_order_permissions(client, district, role):
    association = AssociationFactory()
    people = {
        "anonymous": None, "teacher": UserFactory(username="t"), "leader": leader_of(association, user__username="l"),
        "methodist": district["methodist"], "other_methodist": methodist(username="m2"), "head": district["head"],
        "admin": portal_admin(username="a"),
    }  # fmt: skip
    if people[role]:
        client.force_login(people[role])
    draft = _create_order(district)
    expect = {
        "list": {"anonymous": 302, "teacher": 403, "leader": 403}.get(role, 200),
        "create": {"methodist": 200, "other_methodist": 200, "admin": 200, "anonymous": 302}.get(role, 403),
        "edit": {"methodist": 200, "admin": 200, "anonymous": 302}.get(role, 403),
    }
    assert client.get(reverse("associations:order_list")).status_code == expect["list"]
    assert client.get(reverse("associations:order_create")).status_code == expect["create"]
    assert client.get(reverse("associations:order_update", args=[draft.pk])).status_code == expect["edit"]
    # Only the head signs, and only an order on signature (a draft stays a draft: she hears why on its page).
    response = client.post(reverse("associations:order_sign", args=[draft.pk]))
    assert response.status_code == (302 if role in ("anonymous", "head") else 403)
    draft.refresh_from_db()
    assert draft.status == "draft"
    order_submit(order=draft, by=district["methodist"])
    response = client.post(reverse("associations:order_sign", args=[draft.pk]))
    draft.refresh_from_db()
    assert (draft.status == "signed") == (role in ("head",))


def test_order_pdf_and_register_excel(client, district):
    order = _create_order(district)
    order_submit(order=order, by=district["methodist"])
    order_sign(order=order, by=district["head"], today=TODAY)
    client.force_login(district["head"])
    pdf = client.get(reverse("associations:order_pdf", args=[order.pk]))
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "ПРИКАЗ" in text and "№ 1" in text and "24 ноября 2026 г." in text
    assert "О создании РМО учителей физики" in text and "Начальник управления образования" in text
    sheet = load_workbook(io.BytesIO(client.get(reverse("associations:order_list"), {"format": "xlsx"}).content))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][0] == "Номер" and rows[1][0] == 1 and rows[1][3] == "О создании РМО учителей физики"
    queue = client.get(reverse("start_head")).content.decode()
    assert "Приказов на подписи нет" in queue


def test_order_pdf_is_headed_by_the_organisation_name_in_the_genitive(client, district, settings):
    settings.ORGANISATION_NAME = "Управление образования администрации Залесовского района"
    order = _create_order(district)
    client.force_login(district["head"])
    pdf = client.get(reverse("associations:order_pdf", args=[order.pk]))
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert text.startswith("Управление образования администрации Залесовского района ПРИКАЗ")
    assert "ПЕЧОРСКИЙ РАЙОН" not in text


def test_leader_adds_a_member_directly_or_through_a_composition_order(client, district):
    direct = AssociationFactory(regulation=district["pechora"])  # composition not by order
    direct.curators.add(district["methodist"])
    leader = leader_of(direct, user__username="lead")
    newcomer = TeacherFactory(user=UserFactory(username="new", last_name="Новенькая")).user
    client.force_login(district["methodist"])  # the curator adds at once; a leader invites (test_membership_privacy)
    client.post(reverse("associations:member_add", args=[direct.pk]), {"user": newcomer.pk, "role": "member"})
    assert Membership.objects.filter(association=direct, user=newcomer, end_date__isnull=True).exists()
    again = client.post(
        reverse("associations:member_add", args=[direct.pk]), {"user": newcomer.pk, "role": "member"}, follow=True
    )
    assert "Выберите педагога" in again.content.decode()  # already in: not offered

    client.force_login(leader)
    by_order = AssociationFactory(regulation=Regulation.objects.get(code="vilyuisk-umo"))
    by_order.curators.add(district["methodist"])
    leader_of(by_order, user=leader)
    client.post(reverse("associations:member_add", args=[by_order.pk]), {"user": newcomer.pk, "role": "secretary"})
    assert not Membership.objects.filter(association=by_order, user=newcomer).exists()  # not before the order
    order = Order.objects.get(association=by_order, kind="composition")
    assert order.drafted_by == district["methodist"] and order.members.get().role == "secretary"
    order_submit(order=order, by=district["methodist"])
    order_sign(order=order, by=district["head"], today=datetime.date.today())
    assert Membership.objects.get(association=by_order, user=newcomer).order == order

    membership = Membership.objects.get(association=direct, user=newcomer)
    client.post(reverse("associations:member_end", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()  # started and ended today: the row goes
    outsider = UserFactory(username="x")
    client.force_login(outsider)
    assert client.post(reverse("associations:member_add", args=[direct.pk]), {"user": newcomer.pk}).status_code == 403


def test_files_are_attached_to_a_draft_and_read_by_the_service(client, district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _create_order(district)
    client.force_login(district["methodist"])
    client.post(
        reverse("associations:order_attach", args=[order.pk]),
        {"title": "Протокол выборов", "file": SimpleUploadedFile("protocol.pdf", b"%PDF-1.4 x")},
    )
    attachment = order.attachments.get()
    url = reverse("associations:order_attachment", args=[order.pk, attachment.pk])
    client.force_login(district["head"])
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 x"
    client.force_login(UserFactory(username="t"))
    assert client.get(url).status_code == 403
    order_submit(order=order, by=district["methodist"])
    client.force_login(district["methodist"])
    late = SimpleUploadedFile("late.pdf", b"%PDF-1.4 late")
    response = client.post(reverse("associations:order_attach", args=[order.pk]), {"file": late})
    assert response.status_code == 403  # a valid file, refused because the order is on signature
    assert order.attachments.count() == 1  # no more changes once on signature


@pytest.mark.parametrize(
    ("view", "method", "right"),
    [
        ("associations:order_detail", "get", "head"),
        ("associations:order_pdf", "get", "methodist"),
        ("associations:order_submit", "post", "methodist"),
        ("associations:order_return", "post", "head"),
        ("associations:order_revoke", "post", "head"),
        ("associations:regulation_detail", "get", "methodist"),
    ],
)
def test_each_order_view_for_anonymous_wrong_and_right_role(client, district, view, method, right):
    order = _create_order(district)
    if view in ("associations:order_return", "associations:order_revoke"):
        order_submit(order=order, by=district["methodist"])
    if view == "associations:order_revoke":
        order_sign(order=order, by=district["head"], today=TODAY)  # only a signed order can be revoked
    target = district["pechora"].pk if view == "associations:regulation_detail" else order.pk
    url = reverse(view, args=[target])
    call = getattr(client, method)
    response = call(url, {"comment": "Причина"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(TeacherFactory(user=UserFactory(username="t")).user)
    assert call(url, {"comment": "Причина"}).status_code == 403
    client.force_login(district[right])
    if method == "get":
        assert call(url).status_code == 200
        return
    response = call(url, {"comment": "Причина"}, follow=True)
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    # The move is in the database and on the page the user lands on: the service's message and the new status.
    status, message = {
        "associations:order_submit": (Order.Status.AWAITING, "Приказ отправлен на подпись начальнику управления."),
        "associations:order_return": (Order.Status.RETURNED, "Приказ возвращён методисту с комментарием."),
        "associations:order_revoke": (Order.Status.REVOKED, "Приказ отменён."),
    }[view]
    order.refresh_from_db()
    assert order.status == status
    page = response.content.decode()
    assert message in page
    assert f">{status.label}</span>" in page  # the status badge


def test_a_second_signature_says_who_signed_the_order_and_changes_nothing(client, district):
    head = district["head"]
    head.last_name, head.first_name, head.patronymic = "Иванова", "Ирина", "Игоревна"
    head.save()
    order = _create_order(district)
    order_submit(order=order, by=district["methodist"])
    order = order_sign(order=order, by=head, today=datetime.date(2027, 1, 9))
    client.force_login(head)
    response = client.post(reverse("associations:order_sign", args=[order.pk]), follow=True)
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    said = f"Приказ уже подписан: № {order.number} от 9 января 2027 г., подписал(а) Иванова И. И."
    assert said in response.content.decode().replace("\u00a0", " ")
    signed = Order.objects.get(pk=order.pk)
    assert (signed.number, signed.signed_on) == (order.number, datetime.date(2027, 1, 9))
    assert signed.status_changes.filter(to_status="signed").count() == 1


@pytest.mark.parametrize(
    ("state", "said"),
    [
        ("draft", "Это проект приказа: подписать его можно, когда методист отправит его на подпись."),
        ("returned", "Приказ возвращён на доработку: подписать его можно, когда методист исправит его"),
        ("revoked", "Приказ № 1 от 24 ноября 2026 г. отменён: подписать его нельзя."),
    ],
)
def test_signing_an_order_not_on_signature_says_why_in_russian(client, district, state, said):
    order = _create_order(district)
    if state != "draft":
        order_submit(order=order, by=district["methodist"])
    if state == "returned":
        order_return(order=order, by=district["head"], comment="Уточнить дату")
    if state == "revoked":
        order_revoke(
            order=order_sign(order=order, by=district["head"], today=TODAY), by=district["head"], comment="Ошибка"
        )
    client.force_login(district["head"])
    response = client.post(reverse("associations:order_sign", args=[order.pk]), follow=True)
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    assert said in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == state


def test_drafting_checks_that_a_vilyuisk_leader_teaches_the_associations_subject(district, client):
    vilyuisk = Regulation.objects.get(code="vilyuisk-umo")
    client.force_login(district["methodist"])
    data = {
        "kind": "create", "title": "О создании УМО", "text": "Создать.", "effective_date": "2026-12-01",
        "new_name": "УМО учителей физики", "new_kind": "umo", "new_subject_area": "Физика",
        "new_regulation": vilyuisk.pk, "candidate": district["eligible"].pk,
    }  # fmt: skip
    body = client.post(reverse("associations:order_create"), data).content.decode()
    assert "руководитель должен быть учителем предмета объединения (Физика)" in body
    assert not Order.objects.exists()
