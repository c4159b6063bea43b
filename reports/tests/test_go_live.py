"""Issue 13's «done when», in Debian's Chromium on an empty database: a new district goes live in an afternoon.

The administrator printed by `create_first_admin` logs in and the setup opens; she names the district, keeps the
year's dates, copies the Печорский preset and creates the head's and a methodist's accounts (their letters carry a
link to set a password). The methodist sets hers from the letter, imports a list of 500 teachers, invites them
(500 letters, sent in batches by Celery), and drafts one order creating 20 associations with their leaders; the
head sets her password, signs it, and the deadline engine queues the new associations' first reminders the same
day. No shell after the setup.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from openpyxl import Workbook
from playwright.sync_api import expect

from associations.models import Association, Membership
from associations.presets import presets_load
from members.models import Invitation, Teacher
from members.tests.browser import PASSWORD, log_in
from members.tests.factories import consent_document
from reports.models import Obligation, Reminder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 1 September 2026, 09:00 in Moscow: the first day of the year, when a district starts.
GO_LIVE = datetime.datetime(2026, 9, 1, 6, 0, tzinfo=datetime.UTC)
SURNAMES = ["Андреева", "Белова", "Васильева", "Григорьева", "Дмитриева", "Ёлкина", "Жукова", "Зайцева", "Ильина",
            "Козлова", "Лебедева", "Морозова", "Никитина", "Орлова", "Павлова", "Романова", "Соколова", "Тихонова",
            "Уварова", "Фёдорова"]  # fmt: skip
NAMES = ["Анна", "Елена", "Мария", "Ольга", "Татьяна"]
PATRONYMICS = ["Ивановна", "Петровна", "Сергеевна", "Павловна", "Олеговна"]
SUBJECTS = ["Русский язык", "Математика", "История", "Физика", "Химия", "Биология", "География", "Английский язык",
            "Информатика", "Музыка", "Литература", "Обществознание", "Технология", "Физическая культура", "ИЗО",
            "ОБЖ", "Начальные классы", "Немецкий язык", "Астрономия", "Экономика"]  # fmt: skip


def people() -> list[tuple[str, str, str]]:
    return [(s, n, p) for s in SURNAMES for n in NAMES for p in PATRONYMICS]  # 500 different people


def teachers_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["№ п/п", "Ф.И.О.", "Образовательное учреждение", "Преподаваемый предмет",
                  "Квалификационная категория", "Педагогический стаж", "E-mail"])  # fmt: skip
    for i, (last, first, patronymic) in enumerate(people()):
        # Every fifth teacher (one per surname and name) leads: the highest category, long experience.
        category = "Высшая" if i % 25 == 0 else "Первая"
        sheet.append([i + 1, f"{last} {first} {patronymic}", f"МБОУ «СОШ № {i % 8 + 1}»", SUBJECTS[i // 25],
                      category, 20 if i % 25 == 0 else 8, f"teacher{i}@school.example"])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def order_list() -> str:
    """20 associations, one per subject, each led by its subject's first teacher, pasted as from Excel."""
    rows = ["Название\tВид\tПредметная область\tРуководитель\tМетодист\tПоложение"]
    for k, subject in enumerate(SUBJECTS):
        last, first, patronymic = people()[k * 25]
        rows.append(f"РМО: {subject}\tРМО\t{subject}\t{last} {first} {patronymic}\tКравцова Марина Олеговна\tdistrict")
    return "\n".join(rows)


def consent(page) -> None:
    if "/me/consent/" in page.url:
        page.get_by_label("Я даю согласие на обработку моих персональных данных на условиях выше").check()
        page.get_by_role("button", name="Сохранить").click()


def set_password_from_letter(page, live_server, email: str) -> None:
    body = next(m.body for m in mail.outbox if m.to == [email])
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", body).group(1)
    page.goto(f"{live_server.url}{path}")
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Сохранить|Изменить|Задать")).click()


def test_a_new_district_goes_live_in_an_afternoon(page, live_server, tmp_path, monkeypatch, settings):
    settings.SITE_URL = live_server.url
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    with time_machine.travel(GO_LIVE, tick=True), override_settings(FIRST_RUN_SETUP=True):
        presets_load(apps)  # what the migrations load into a new database (the browser tests flush it)
        consent_document()
        call_command("create_first_admin")

        # The administrator: the setup opens at her first log-in.
        log_in(page, live_server, "admin")
        consent(page)
        page.goto(f"{live_server.url}/start/")
        expect(page.get_by_role("heading", name="Настройка портала района")).to_be_visible()
        page.get_by_role("link", name="Район и орган управления образованием").click()
        page.locator("#id_name").fill("Залесовский район")
        page.locator("#id_name_genitive").fill("Залесовского района")
        page.locator("#id_organisation_name").fill("Комитет по образованию администрации Залесовского района")
        page.locator("#id_portal_name").fill("Методический портал Залесовского района")
        page.get_by_role("button", name="Сохранить и дальше").click()
        expect(page.get_by_role("heading", name="Учебный год и четверти")).to_be_visible()
        expect(page.locator("#id_starts_on")).to_have_value("2026-09-01")
        page.get_by_role("button", name="Сохранить и дальше").click()
        page.locator("input[name=preset][value=pechora-rmo]").check()  # seed 001
        page.get_by_role("button", name="Сохранить и дальше").click()
        page.locator("#id_head").fill("Сидорова Валентина Павловна; head@zalesovo.example")
        page.locator("#id_methodists").fill("Кравцова Марина Олеговна; kravtsova@zalesovo.example")
        page.get_by_role("button", name="Сохранить и дальше").click()
        expect(page.get_by_text("письма со ссылкой для пароля отправлены: 2")).to_be_visible()
        page.get_by_role("button", name="Завершить настройку").click()
        expect(page.get_by_text("Настройка завершена")).to_be_visible()
        expect(page.locator("footer")).to_contain_text("Залесовский район")
        page.context.clear_cookies()  # the next person at this computer

        # The methodist sets her password from the letter, imports 500 teachers and invites them.
        set_password_from_letter(page, live_server, "kravtsova@zalesovo.example")
        log_in(page, live_server, "kravtsova")
        consent(page)
        upload = tmp_path / "Педагоги района.xlsx"
        upload.write_bytes(teachers_xlsx())
        page.goto(f"{live_server.url}/teachers/import/")
        page.get_by_label("Файл со списком педагогов").set_input_files(str(upload))
        page.get_by_role("button", name="Проверить файл").click()
        page.get_by_role("button", name="Загрузить 500 строк").click()
        expect(page.get_by_text("новых 500").first).to_be_visible(timeout=60_000)
        assert Teacher.objects.count() == 500
        letters_before = len(mail.outbox)
        page.goto(f"{live_server.url}/teachers/invitations/new/")
        page.get_by_role("button", name="Отправить приглашения").click()
        expect(page.get_by_text("Приглашения ставятся в очередь: 500")).to_be_visible()
        assert Invitation.objects.filter(sent_at__isnull=False).count() == 500
        assert len(mail.outbox) - letters_before == 500

        # One order creates the 20 associations and appoints their leaders.
        page.goto(f"{live_server.url}/associations/orders/new/")
        page.locator("#id_kind").select_option(label="О создании объединений и назначении руководителей")
        page.locator("#id_title").fill("О создании районных методических объединений на 2026/27 учебный год")
        page.locator("#id_text").fill("1. Создать районные методические объединения по списку (приложение).")
        page.locator("#id_effective_date").fill("2026-09-01")
        page.locator("#id_lines_text").fill(order_list())
        page.get_by_role("button", name="Сохранить проект").click()
        # The list holds no education and no total experience: each leader is checked against the regulation and
        # the methodist passes the decision to the head, who signs with the ground.
        expect(page.get_by_text("Строка 20: Фёдорова Анна Ивановна — требуется стаж")).to_be_visible()
        expect(page.locator("#id_lines_text")).to_have_value(re.compile("РМО: Экономика"))
        page.locator("#id_pass_on_anyway").check()
        page.get_by_role("button", name="Сохранить проект").click()
        expect(page.get_by_text("Проект приказа сохранён")).to_be_visible()
        page.get_by_role("button", name="Отправить на подпись").click()
        expect(page.get_by_text("Приказ отправлен на подпись")).to_be_visible()
        page.context.clear_cookies()  # the next person at this computer

        # The head sets her password, signs; the associations exist and their first reminders are queued today.
        set_password_from_letter(page, live_server, "head@zalesovo.example")
        log_in(page, live_server, "head")
        consent(page)
        page.get_by_role("link", name="О создании районных методических объединений").first.click()
        page.locator("#id_override_reason").fill("Стаж и образование руководителей подтверждены личными делами.")
        page.get_by_role("button", name="Подписать").click()
        expect(page.get_by_text("Подписан приказ № 1")).to_be_visible()

    created = Association.objects.filter(name__startswith="РМО: ")
    assert created.count() == 20
    assert Membership.objects.filter(association__in=created, role=Membership.Role.LEADER).count() == 20
    assert all(a.regulation.code == "district" for a in created)
    assert Obligation.objects.filter(association__in=created).count() >= 20 * 5
    # 1 September: the plan is due in 14 days (seed 001, «в начале года»): «за 14 дней» to each leader, today.
    first = Reminder.objects.filter(obligation__association__in=created, step="before_14")
    assert first.count() == 20
    assert {r.created_at.date() for r in first} == {datetime.date(2026, 9, 1)}
