"""The teacher database as people use it, in Debian's Chromium."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.models import TrainingCourse
from members.tests.browser import log_in, log_out
from members.tests.factories import SchoolFactory, TeacherFactory, consent_document, methodist
from members.tests.test_import import messy_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_fix_rejected_consent_course_review_and_schedule(page, live_server, tmp_path):
    consent_document()
    SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    association = AssociationFactory(name="РМО учителей математики")
    leader = leader_of(association, user__username="leader", user__last_name="Орлова")
    TeacherFactory(user=leader)
    teacher_user = MembershipFactory(association=association, user__username="teacher", user__last_name="Громова").user
    TeacherFactory(user=teacher_user, consent=False)
    methodist(username="methodist")

    # A methodist loads a messy list, sees why three rows are rejected, and loads the rest.
    messy = tmp_path / "Список педагогов.xlsx"
    messy.write_bytes(messy_xlsx())
    log_in(page, live_server, "methodist")
    page.goto(f"{live_server.url}{reverse('members:teacher_import')}")
    page.get_by_label("Файл со списком педагогов").set_input_files(str(messy))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_text("Ничего ещё не записано")).to_be_visible()
    expect(page.get_by_text("ошибок 3")).to_be_visible()
    expect(page.get_by_text("31.02.2020")).to_be_visible()
    page.get_by_role("button", name="Загрузить 3 строки").click()
    expect(page.get_by_text("новых 3, обновлено 0, отклонено 3").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать строки с ошибками").click()
    rejected = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    rows = [list(r) for r in rejected.iter_rows(values_only=True)]

    # She fixes the rejected rows and loads them.
    rows[1][6] = "28.02.2020"
    rows[2][2] = "Иванова Ирина"
    rows[3][5] = "первая"
    book = Workbook()
    for row in rows:
        book.active.append(row)
    fixed = tmp_path / "исправлено.xlsx"
    book.save(fixed)
    page.get_by_role("link", name="Загрузить ещё файл").click()
    page.get_by_label("Файл со списком педагогов").set_input_files(str(fixed))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_text("ошибок 0")).to_be_visible()
    page.get_by_role("button", name="Загрузить 3 строки").click()
    expect(page.get_by_text("новых 3, обновлено 0, отклонено 0").first).to_be_visible()
    log_out(page)

    # A teacher gives consent at first login and reports a course with its certificate.
    log_in(page, live_server, "teacher")
    expect(page.get_by_role("heading", name="Согласие на обработку персональных данных")).to_be_visible()
    page.get_by_label("Я даю согласие").check()
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("link", name="Открыть профиль").click()
    page.get_by_role("link", name="добавить курс").click()
    page.get_by_label("Начало").fill("2026-10-01")
    page.get_by_label("Окончание").fill("2026-10-12")
    page.get_by_label("Где (организация)").fill("Институт развития образования")
    page.get_by_label("Тема").fill("Функциональная грамотность")
    page.get_by_label("Часов").fill("72")
    certificate = tmp_path / "удостоверение.pdf"
    certificate.write_bytes(b"%PDF-1.4 scan")
    page.get_by_label("Подтверждающий документ").set_input_files(str(certificate))
    page.get_by_role("button", name="Отправить на проверку").click()
    expect(page.get_by_text("Запрос отправлен на проверку")).to_be_visible()
    assert not TrainingCourse.objects.filter(teacher__user=teacher_user).exists()
    log_out(page)

    # The leader accepts it from her start page.
    log_in(page, live_server, "leader")
    expect(page.get_by_text("1 запрос педагога ждёт вашего решения")).to_be_visible()
    page.get_by_role("link", name="Рассмотреть", exact=True).first.click()
    page.get_by_role("link", name="Рассмотреть").click()
    expect(page.get_by_text("Функциональная грамотность")).to_be_visible()
    page.get_by_role("button", name="Принять и внести в профиль").click()
    expect(page.get_by_text("Принято: сведения внесены в профиль")).to_be_visible()
    assert TrainingCourse.objects.get(teacher__user=teacher_user).certificate
    log_out(page)

    # The attestation schedule shows who is due: Ёлкина (attested 2019) is overdue in 2026.
    log_in(page, live_server, "methodist")
    page.goto(f"{live_server.url}{reverse('members:attestation_schedule')}?year=2026")
    row = page.get_by_role("row", name="Ёлкина Анна Сергеевна")
    expect(row).to_contain_text("просрочено")
    expect(page.get_by_role("row", name="Петрова Мария Ивановна")).to_contain_text("2027")
