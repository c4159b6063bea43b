"""Each demo role logs in through a real Chromium and sees its start page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from rmo_portal.tests.test_start_pages import PASSWORD, START, _people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    "district_head": "Рабочий стол начальника управления",
    "methodist": "Рабочий стол методиста",
    "leader": "Рабочий стол руководителя объединения",
    "secretary": "Рабочий стол секретаря объединения",
    "teacher": "Мой рабочий стол",
    "admin": "Рабочий стол администратора",
}


@pytest.mark.parametrize("role", list(START))
def test_each_role_logs_in_sees_its_start_page_and_logs_out(page, live_server, role):
    user = _people()[role]
    page.goto(f"{live_server.url}{reverse('start')}")
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}?next=/start/")
    page.get_by_label("Имя пользователя").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}{reverse(START[role])}")
    expect(page.locator("h1")).to_have_text(HEADINGS[role])
    admin_link = page.get_by_role("link", name="Администрирование")
    expect(admin_link).to_have_count(1 if role == "admin" else 0)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()


def test_wrong_password_is_refused_in_russian_and_the_name_stays(page, live_server):
    _people()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Имя пользователя").fill("teacher")
    page.get_by_label("Пароль").fill("не тот пароль")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Неверное имя пользователя или пароль")).to_be_visible()
    expect(page.get_by_label("Имя пользователя")).to_have_value("teacher")


def test_navbar_collapses_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url)
    menu = page.get_by_role("link", name="Объединения", exact=True)
    expect(menu).to_be_hidden()
    page.get_by_label("Показать меню").click()
    expect(menu).to_be_visible()
