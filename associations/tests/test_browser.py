"""An order from draft to signature, in Debian's Chromium."""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from associations.models import Association, Membership
from associations.presets import presets_load
from associations.services import orders_apply_due
from members.models import Category, Education
from members.tests.browser import log_in, log_out
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_methodist_drafts_an_order_creating_an_rmo_and_the_head_signs_it(page, live_server):
    presets_load(apps)
    leader = TeacherFactory(
        user=UserFactory(username="elkina", last_name="Ёлкина", first_name="Анна", patronymic="Сергеевна"),
        category=Category.HIGHEST, pedagogical_since=datetime.date(2004, 9, 1),
    )  # fmt: skip
    Education.objects.create(teacher=leader, institution="ПГПИ", year=2003, is_pedagogical=True)
    TeacherFactory(
        user=UserFactory(username="young", last_name="Молодова", first_name="Юлия"), category=Category.FIRST,
        pedagogical_since=datetime.date(2024, 9, 1), total_since=datetime.date(2024, 9, 1),
    )  # fmt: skip
    methodist(username="methodist")
    district_head(username="head")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    log_in(page, live_server, "methodist")
    page.get_by_role("link", name="Приказы").click()
    page.get_by_role("link", name="Новый приказ").click()
    page.locator("#id_kind").select_option(label="О создании объединения")
    expect(page.locator("#div_id_association")).to_be_hidden()  # only the fields this kind needs
    page.locator("#id_title").fill("О создании РМО учителей физики")
    page.locator("#id_text").fill("1. Создать районное методическое объединение учителей физики.")
    page.locator("#id_effective_date").fill(tomorrow.isoformat())
    page.locator("#id_new_name").fill("РМО учителей физики")
    page.locator("#id_new_kind").select_option(label="РМО")
    page.locator("#id_new_regulation").select_option(
        label="Положение о районном методическом объединении (Печорский район)"
    )
    candidate = page.get_by_role("searchbox", name="Поиск в списке «Руководитель (кандидат)»")
    candidate.fill("молодова")  # the search box above the list picks the first match
    expect(page.locator("#id_candidate option:checked")).to_have_text(re.compile(r"^Молодова Юлия Петровна — СОШ"))
    page.get_by_role("button", name="Сохранить проект").click()
    expect(page.get_by_text("требуется высшая квалификационная категория")).to_be_visible()
    expect(page.locator("#id_new_name")).to_have_value("РМО учителей физики")
    candidate.fill("елкина")
    expect(page.locator("#id_candidate option:checked")).to_have_text(re.compile(r"^Ёлкина Анна Сергеевна — СОШ"))
    page.get_by_role("button", name="Сохранить проект").click()
    expect(page.get_by_text("Проект приказа сохранён")).to_be_visible()
    page.get_by_role("button", name="Отправить на подпись").click()
    expect(page.get_by_text("Приказ отправлен на подпись")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "head")
    page.get_by_role("link", name="О создании РМО учителей физики").click()
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_text("Подписан приказ № 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Приказ № 1")).to_be_visible()
    pdf_url = page.get_by_role("link", name="PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_url}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # Not before its effective date…
    assert not Association.objects.filter(name="РМО учителей физики").exists()
    page.goto(f"{live_server.url}{reverse('associations:list')}")
    expect(page.get_by_text("РМО учителей физики")).to_have_count(0)
    # …and on it, by the daily task.
    assert orders_apply_due(today=tomorrow) == 1
    page.reload()
    page.get_by_role("link", name="РМО учителей физики").click()
    expect(page.get_by_text("Руководитель — Ёлкина Анна Сергеевна")).to_be_visible()
    assert Membership.objects.get(role="leader", association__name="РМО учителей физики").start_date == tomorrow
